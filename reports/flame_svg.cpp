#include "reports/flame_svg.hpp"

#include <algorithm>
#include <map>
#include <memory>

#include "reports/format.hpp"
#include "reports/profile_breakdown.hpp"
#include "reports/svg.hpp"

namespace nictune::report {
namespace {

struct Node {
  std::uint64_t count = 0;
  ProfileCategory category = ProfileCategory::kOtherKernel;
  std::map<std::string, std::unique_ptr<Node>> children;  // by frame name: stable order
};

std::string_view colour(ProfileCategory c) {
  switch (c) {
    case ProfileCategory::kNetRx:
      return "#e4572e";
    case ProfileCategory::kDriver:
      return "#a23b72";
    case ProfileCategory::kUdpReceive:
      return "#f3a712";
    case ProfileCategory::kNetTx:
      return "#29335c";
    case ProfileCategory::kOtherIrq:
      return "#c98b6b";
    case ProfileCategory::kApplication:
      return "#4e8fbf";
    case ProfileCategory::kIdle:
      return "#d8d8d8";
    case ProfileCategory::kOtherKernel:
      return "#e8b04a";
  }
  return "#999";
}

bool light_text(ProfileCategory c) {
  return c == ProfileCategory::kNetRx || c == ProfileCategory::kDriver ||
         c == ProfileCategory::kNetTx;
}

struct Layout {
  const FlameOptions& options;
  double px_per_sample;
  double height;
  std::uint64_t total;
  std::string out;
};

void draw(Layout& l, const std::string& name, const Node& node, double x, std::size_t depth) {
  const double w = double(node.count) * l.px_per_sample;
  if (w < 1.0 || depth >= l.options.max_rows) return;  // invisible: bounded output
  const double y = l.height - double(depth + 1) * l.options.row_height;
  const double pct = 100.0 * double(node.count) / double(l.total);
  char share[48];
  std::snprintf(share, sizeof share, " (%llu samples, %.1f %%)",
                static_cast<unsigned long long>(node.count), pct);
  l.out += "<g><title>" + html_escape(name + share + ", " + std::string(to_string(node.category))) +
           "</title><rect x=\"" + svg::num(x) + "\" y=\"" + svg::num(y) + "\" width=\"" +
           svg::num(std::max(w - 0.5, 0.5)) + "\" height=\"" + svg::num(l.options.row_height - 1) +
           "\" fill=\"" + std::string(colour(node.category)) + "\"/>";
  // About 6.5 px per character at 10 px: label only what fits.
  const std::size_t fits = w > 20 ? static_cast<std::size_t>((w - 4) / 6.5) : 0;
  if (fits >= 3) {
    std::string label = name.size() <= fits ? name : name.substr(0, fits - 2) + "..";
    l.out += "<text x=\"" + svg::num(x + 2) + "\" y=\"" + svg::num(y + l.options.row_height - 4) +
             "\" font-size=\"10\" fill=\"" + (light_text(node.category) ? "#fff" : "#000") + "\">" +
             html_escape(label) + "</text>";
  }
  l.out += "</g>\n";
  double child_x = x;
  for (const auto& [child_name, child] : node.children) {
    draw(l, child_name, *child, child_x, depth + 1);
    child_x += double(child->count) * l.px_per_sample;
  }
}

}  // namespace

std::string flame_graph_svg(const CpuStacks& cpu, const FlameOptions& options) {
  Node root;
  std::size_t depth = 0;
  for (const auto& [stack, count] : cpu.stacks) {
    root.count += count;
    Node* node = &root;
    std::size_t start = 0, level = 0;
    while (start <= stack.size()) {
      std::size_t end = stack.find(';', start);
      if (end == std::string::npos) end = stack.size();
      std::string frame = stack.substr(start, end - start);
      auto& child = node->children[frame];
      if (!child) {
        child = std::make_unique<Node>();
        child->category = classify_stack(std::string_view(stack).substr(0, end));
      }
      child->count += count;
      node = child.get();
      ++level;
      start = end + 1;
    }
    depth = std::max(depth, level);
  }
  const std::size_t rows = std::min(depth + 1, options.max_rows);
  Layout l{options, root.count ? options.width / double(root.count) : 0,
           double(rows) * options.row_height, root.count, ""};
  std::string svg =
      "<svg xmlns=\"http://www.w3.org/2000/svg\" data-plot=\"flame\" role=\"img\" "
      "width=\"" +
      svg::num(options.width) + "\" height=\"" + svg::num(l.height) + "\" viewBox=\"0 0 " +
      svg::num(options.width) + " " + svg::num(l.height) + "\"><title>" +
      html_escape(options.title) + "</title>\n";
  if (root.count) {
    // The root is the whole CPU; its children (command names) sit on the bottom row.
    double x = 0;
    for (const auto& [name, child] : root.children) {
      draw(l, name, *child, x, 0);
      x += double(child->count) * l.px_per_sample;
    }
  }
  return svg + l.out + "</svg>\n";
}

}  // namespace nictune::report

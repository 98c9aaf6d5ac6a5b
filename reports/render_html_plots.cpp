// The HTML report's inline SVG plots: objective-space scatter plots with their legend, the
// search's hypervolume progress, knob effects and the per-CPU heat maps. Tooltips use SVG
// <title> elements.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "core/metrics.hpp"
#include "reports/format.hpp"
#include "reports/render_html_parts.hpp"
#include "reports/svg.hpp"

namespace nictune::report::html {
namespace {

using svg::num;

std::string axis_label(const Objective& o) {
  return objective_heading(o) +
         (o.goal == Goal::kMaximize ? ", higher is better" : ", lower is better");
}

std::string point_tooltip(const Report& r, const PointResult& p) {
  std::string t = (p.baseline ? std::string("baseline") : "point " + std::to_string(p.point_id)) +
                  " (" + to_string(p.status) + "): " + p.label();
  for (std::size_t j = 0; j < r.objectives.size(); ++j) {
    t += "\n" + r.objectives[j].metric + " " + format_summary(p.objectives[j].summary) +
         " (n=" + std::to_string(p.objectives[j].summary.n) + ")";
  }
  for (const auto& v : p.violations) t += "\nviolates " + v;
  return t;
}

bool measured(const PointResult& p, std::size_t i, std::size_t j) {
  return p.complete > 0 && p.objectives[i].summary.n > 0 && p.objectives[j].summary.n > 0;
}

// A CI whisker limited to what the metric can be and to the plot's frame.
struct Whisker {
  double lo = 0, hi = 0;
  bool clipped = false;
};
Whisker whisker(const stats::Summary& s, const MetricRange& metric, const svg::Range& frame) {
  Whisker w;
  w.lo = std::max({s.ci_low(), metric.lo, frame.lo});
  w.hi = std::min({s.ci_high(), metric.hi, frame.hi});
  w.clipped = w.lo != s.ci_low() || w.hi != s.ci_high();
  // A mean outside the frame cannot happen (the frame fits the means); keep the line sane anyway.
  if (w.hi < w.lo) w.hi = w.lo;
  return w;
}

}  // namespace

std::string scatter(const Report& r, std::size_t i, std::size_t j) {
  const auto& oi = r.objectives[i];
  const auto& oj = r.objectives[j];
  svg::Plot plot("scatter", 520, 380, oj.metric + " against " + oi.metric);
  // The axes fit the means, not the whiskers: with a few noisy repetitions a CI can be wider than
  // the spread of the points, and fitting it would squeeze every point into one dot. Whiskers are
  // clipped to the metric's possible values and then to the frame (class "clipped" says so).
  double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
  for (const auto& p : r.points) {
    if (!measured(p, i, j)) continue;
    xlo = std::min(xlo, p.objectives[i].summary.mean);
    xhi = std::max(xhi, p.objectives[i].summary.mean);
    ylo = std::min(ylo, p.objectives[j].summary.mean);
    yhi = std::max(yhi, p.objectives[j].summary.mean);
  }
  const svg::Range xr = svg::padded_range(xlo, xhi), yr = svg::padded_range(ylo, yhi);
  plot.x_axis(xr, axis_label(oi));
  plot.y_axis(yr, axis_label(oj));
  const MetricRange xm = metric_range(oi.metric), ym = metric_range(oj.metric);

  std::string bars, marks, labels;
  std::vector<std::pair<double, double>> front;
  // Draw order: error bars, then points from least to most interesting.
  const std::vector<PointStatus> order = {PointStatus::kDominated, PointStatus::kInfeasible,
                                          PointStatus::kTied, PointStatus::kFront};
  for (const auto& p : r.points) {
    if (!measured(p, i, j)) continue;
    const auto& sx = p.objectives[i].summary;
    const auto& sy = p.objectives[j].summary;
    const double x = plot.px(sx.mean), y = plot.py(sy.mean);
    if (sx.has_ci()) {
      const auto w = whisker(sx, xm, xr);
      bars += "<line class=\"errbar" + std::string(w.clipped ? " clipped" : "") + "\" x1=\"" +
              num(plot.px(w.lo)) + "\" x2=\"" + num(plot.px(w.hi)) + "\" y1=\"" + num(y) +
              "\" y2=\"" + num(y) + "\"/>";
    }
    if (sy.has_ci()) {
      const auto w = whisker(sy, ym, yr);
      bars += "<line class=\"errbar" + std::string(w.clipped ? " clipped" : "") + "\" x1=\"" +
              num(x) + "\" x2=\"" + num(x) + "\" y1=\"" + num(plot.py(w.lo)) + "\" y2=\"" +
              num(plot.py(w.hi)) + "\"/>";
    }
    if (p.status == PointStatus::kFront) front.emplace_back(x, y);
  }
  for (PointStatus status : order) {
    for (const auto& p : r.points) {
      if (!measured(p, i, j) || p.status != status || p.baseline) continue;
      const double x = plot.px(p.objectives[i].summary.mean),
                   y = plot.py(p.objectives[j].summary.mean);
      std::string shape;
      switch (status) {
        case PointStatus::kInfeasible:
          shape = "<path class=\"pt-infeasible\" d=\"M" + num(x - 4) + " " + num(y - 4) + "L" +
                  num(x + 4) + " " + num(y + 4) + "M" + num(x - 4) + " " + num(y + 4) + "L" +
                  num(x + 4) + " " + num(y - 4) + "\"/>";
          break;
        case PointStatus::kTied:
          shape =
              "<circle class=\"pt-tied\" cx=\"" + num(x) + "\" cy=\"" + num(y) + "\" r=\"4.5\"/>";
          break;
        case PointStatus::kFront:
          shape =
              "<circle class=\"pt-front\" cx=\"" + num(x) + "\" cy=\"" + num(y) + "\" r=\"5\"/>";
          labels += "<text class=\"label\" x=\"" + num(x + 7) + "\" y=\"" + num(y - 6) + "\">" +
                    std::to_string(p.point_id) + "</text>";
          break;
        default:
          shape = "<circle class=\"pt-dominated\" cx=\"" + num(x) + "\" cy=\"" + num(y) +
                  "\" r=\"3.5\"/>";
      }
      marks += "<g><title>" + esc(point_tooltip(r, p)) + "</title>" + shape + "</g>\n";
    }
  }
  if (r.baseline && measured(r.points[*r.baseline], i, j)) {
    const auto& b = r.points[*r.baseline];
    const double x = plot.px(b.objectives[i].summary.mean),
                 y = plot.py(b.objectives[j].summary.mean);
    marks += "<g><title>" + esc(point_tooltip(r, b)) + "</title><path class=\"pt-baseline\" d=\"M" +
             num(x) + " " + num(y - 6) + "L" + num(x + 6) + " " + num(y) + "L" + num(x) + " " +
             num(y + 6) + "L" + num(x - 6) + " " + num(y) + "Z\"/></g>\n";
    labels +=
        "<text class=\"label\" x=\"" + num(x + 8) + "\" y=\"" + num(y + 12) + "\">baseline</text>";
  }
  std::string line;
  if (r.objectives.size() == 2 && front.size() > 1) {
    std::sort(front.begin(), front.end());
    line = "<polyline class=\"front-line\" points=\"";
    for (const auto& [x, y] : front) line += num(x) + "," + num(y) + " ";
    line += "\"/>\n";
  }
  plot.add(bars + "\n" + line + marks + labels + "\n");
  return plot.str();
}

std::string legend() {
  return "<p class=\"legend\">"
         "<span><svg width=\"14\" height=\"14\"><circle cx=\"7\" cy=\"7\" r=\"5\" fill=\"#1f6fc5\" "
         "stroke=\"#0d3f75\"/></svg> "
         "Pareto front (labelled with the point id)</span>"
         "<span><svg width=\"14\" height=\"14\"><circle cx=\"7\" cy=\"7\" r=\"4.5\" fill=\"#fff\" "
         "stroke=\"#e8890c\" "
         "stroke-width=\"2\"/></svg> tied with the front within noise</span>"
         "<span><svg width=\"14\" height=\"14\"><circle cx=\"7\" cy=\"7\" r=\"3.5\" "
         "fill=\"#9aa3ad\"/></svg> dominated</span>"
         "<span><svg width=\"14\" height=\"14\"><path d=\"M3 3L11 11M3 11L11 3\" "
         "stroke=\"#c92a2a\" stroke-width=\"2\"/>"
         "</svg> infeasible (breaks an outcome constraint)</span>"
         "<span><svg width=\"14\" height=\"14\"><path d=\"M7 1L13 7L7 13L1 7Z\" "
         "fill=\"#222\"/></svg> baseline</span>"
         "<span>lines: 95 % CI</span></p>\n";
}

std::string convergence_plot(const Report& r) {
  svg::Plot plot("convergence", 640, 260, "hypervolume of the front after each evaluation");
  const double n = static_cast<double>(std::max<std::size_t>(1, r.convergence.back().evaluation));
  plot.x_axis({-0.02 * n, n * 1.02}, "evaluations (configurations measured)");
  plot.y_axis({0, 1.0}, "hypervolume (scaled)");
  std::string path, dots;
  double last_y = 0;
  for (std::size_t s = 0; s < r.convergence.size(); ++s) {
    const auto& step = r.convergence[s];
    const double x = plot.px(static_cast<double>(step.evaluation)), y = plot.py(step.hypervolume);
    path += s == 0 ? "M" + num(x) + " " + num(y) : "H" + num(x) + "V" + num(y);
    const bool grew = s == 0 || step.hypervolume > last_y + 1e-12;
    if (grew) {
      char hv[16];
      std::snprintf(hv, sizeof hv, "%.3f", step.hypervolume);
      dots += "<g><title>evaluation " + std::to_string(step.evaluation) + " (" +
              (s == 0 && step.evaluation == 0 ? std::string("baseline")
                                              : "point " + std::to_string(step.point_id)) +
              "): " + hv + "</title><circle class=\"hv-dot\" cx=\"" + num(x) + "\" cy=\"" + num(y) +
              "\" r=\"3.5\"/></g>";
    }
    last_y = step.hypervolume;
  }
  plot.add("<path class=\"hv-line\" d=\"" + path + "\"/>\n" + dots + "\n");
  return plot.str();
}

std::string effect_plot(const KnobEffect& e) {
  std::vector<std::string> names;
  double lo = INFINITY, hi = -INFINITY;
  for (const auto& l : e.levels) {
    names.push_back(value_text(l.value));
    lo = std::min(lo, l.min);
    hi = std::max(hi, l.max);
  }
  char share[16];
  std::snprintf(share, sizeof share, "%.0f %%", e.eta_squared * 100);
  svg::Plot plot("effect", 270, 200,
                 e.knob + ": effect on " + e.metric + " (explains " + share + ")");
  plot.x_categories(names, e.knob);
  plot.y_axis(svg::padded_range(lo, hi, 0.1), e.metric);
  std::string body;
  for (std::size_t i = 0; i < e.levels.size(); ++i) {
    const auto& l = e.levels[i];
    const double x = plot.category_x(i);
    body += "<g><title>" +
            esc(e.knob + " = " + value_text(l.value) + ": mean " + format_number(l.mean) +
                ", range " + format_number(l.min) + " to " + format_number(l.max) + " over " +
                std::to_string(l.points) + " configuration(s)") +
            "</title><line class=\"range\" x1=\"" + num(x) + "\" x2=\"" + num(x) + "\" y1=\"" +
            num(plot.py(l.min)) + "\" y2=\"" + num(plot.py(l.max)) +
            "\"/><circle class=\"mean\" cx=\"" + num(x) + "\" cy=\"" + num(plot.py(l.mean)) +
            "\" r=\"4\"/></g>";
  }
  plot.add(body + "\n");
  return plot.str();
}

namespace {

struct HeatRow {
  std::string label;
  const std::vector<double>* values;
  std::string scale;  // rows with the same scale share one colour range
  bool gap_before = false;
};

std::string heat_svg(const std::string& kind, const std::string& title,
                     const std::vector<HeatRow>& rows, std::size_t cpus) {
  std::map<std::string, double> max;
  for (const auto& row : rows) {
    for (double v : *row.values) {
      if (std::isfinite(v)) max[row.scale] = std::max(max[row.scale], v);
    }
  }
  std::size_t label_chars = 0;
  for (const auto& row : rows) label_chars = std::max(label_chars, row.label.size());
  const double label_w = std::clamp(static_cast<double>(label_chars) * 6.6 + 16, 120.0, 320.0),
               head_h = 22;
  const double cell_w =
      std::clamp(880.0 / static_cast<double>(std::max<std::size_t>(1, cpus)), 6.0, 56.0);
  const double cell_h = 24;
  double height = head_h + 6;
  for (const auto& row : rows) height += cell_h + (row.gap_before ? 8 : 0);
  const double width = label_w + cell_w * static_cast<double>(cpus) + 10;
  std::string s = "<svg class=\"plot\" data-plot=\"" + kind +
                  "\" xmlns=\"http://www.w3.org/2000/svg\" width=\"" + num(width) + "\" height=\"" +
                  num(height) + "\" viewBox=\"0 0 " + num(width) + " " + num(height) +
                  "\" role=\"img\" aria-label=\"" + esc(title) + "\">\n<title>" + esc(title) +
                  "</title>\n";
  const std::size_t label_every =
      cell_w >= 34 ? 1 : static_cast<std::size_t>(std::ceil(34 / cell_w));
  for (std::size_t c = 0; c < cpus; c += label_every) {
    s += "<text class=\"tick\" x=\"" + num(label_w + cell_w * (static_cast<double>(c) + 0.5)) +
         "\" y=\"15\" "
         "text-anchor=\"middle\">cpu" +
         std::to_string(c) + "</text>";
  }
  s += "\n";
  double y = head_h;
  for (const auto& row : rows) {
    if (row.gap_before) y += 8;
    s += "<text class=\"axis-label\" x=\"" + num(label_w - 8) + "\" y=\"" +
         num(y + cell_h / 2 + 4) + "\" text-anchor=\"end\">" + esc(row.label) + "</text>";
    const double top = max[row.scale];
    for (std::size_t c = 0; c < cpus; ++c) {
      const double v = c < row.values->size() ? (*row.values)[c] : NAN;
      const double f = top > 0 && std::isfinite(v) ? v / top : (std::isfinite(v) ? 0 : NAN);
      const double x = label_w + cell_w * static_cast<double>(c);
      s += "<g><title>" +
           esc(row.label + ", cpu" + std::to_string(c) + ": " +
               (std::isfinite(v) ? format_number(v) : std::string("not reported"))) +
           "</title><rect x=\"" + num(x) + "\" y=\"" + num(y) + "\" width=\"" + num(cell_w - 1) +
           "\" height=\"" + num(cell_h - 1) + "\" fill=\"" + svg::heat_colour(f) + "\"/>";
      if (cell_w >= 34 && std::isfinite(v)) {
        s += "<text class=\"cell-text\" x=\"" + num(x + cell_w / 2) + "\" y=\"" +
             num(y + cell_h / 2 + 3.5) + "\" text-anchor=\"middle\" fill=\"" +
             (svg::heat_needs_light_text(f) ? "#fff" : "#222") + "\">" + esc(format_number(v)) +
             "</text>";
      }
      s += "</g>";
    }
    s += "\n";
    y += cell_h;
  }
  s += "</svg>\n";
  return s;
}

}  // namespace

// Counter series: for each counter, the baseline row above the best row, one colour scale.
std::string heatmap_svg(const Report& r) {
  const auto& h = r.heatmap;
  std::vector<std::string> series;
  for (const auto& loads : h.loads) {
    for (const auto& l : loads) {
      if (std::find(series.begin(), series.end(), l.series) == series.end())
        series.push_back(l.series);
    }
  }
  std::vector<HeatRow> rows;
  for (const auto& name : series) {
    bool first = true;
    for (std::size_t i = 0; i < h.labels.size(); ++i) {
      for (const auto& l : h.loads[i]) {
        if (l.series != name) continue;
        rows.push_back({name + " · " + h.labels[i], &l.per_cpu, name, first && !rows.empty()});
        first = false;
      }
    }
  }
  return heat_svg("heatmap", "per-CPU counters, baseline against the best point", rows, h.cpus);
}

// Interrupts per queue: the baseline's queues, then the best point's, one colour scale.
std::string queue_heatmap_svg(const Report& r) {
  const auto& h = r.heatmap;
  std::vector<HeatRow> rows;
  for (std::size_t i = 0; i < h.labels.size() && i < h.queues.size(); ++i) {
    bool first = true;
    for (const auto& q : h.queues[i]) {
      rows.push_back(
          {h.labels[i] + " · " + q.series, &q.per_cpu, "queues", first && !rows.empty()});
      first = false;
    }
  }
  return heat_svg("queue-heatmap", "interrupts per queue and CPU, baseline against the best point",
                  rows, h.cpus);
}

}  // namespace nictune::report::html

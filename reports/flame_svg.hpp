// A flame graph of one CPU's folded stacks as inline SVG (no script): the root at the bottom,
// each frame as wide as its share of the CPU's samples, children above their caller, coloured
// by the category of the stack's part of the network path. Frames narrower than a pixel are
// left out, so the SVG's size is bounded by its width, not by the number of stacks.
#pragma once

#include <string>

#include "core/folded_profile.hpp"

namespace nictune::report {

struct FlameOptions {
  double width = 960;
  double row_height = 15;
  std::size_t max_rows = 48;  // deeper frames are not drawn
  std::string title;          // accessible name: "baseline · CPU 1"
};

std::string flame_graph_svg(const CpuStacks& cpu, const FlameOptions& options);

}  // namespace nictune::report

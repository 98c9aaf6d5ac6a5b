// The pieces of the HTML report that render_html.cpp puts on the page: the inline SVG plots
// (render_html_plots.cpp) and the tables (render_html_tables.cpp).
#pragma once

#include <ostream>
#include <string>

#include "core/text_util.hpp"
#include "reports/render.hpp"

namespace nictune::report::html {

inline std::string esc(const std::string& s) {
  return html_escape(s);
}

// Objective i on x against objective j on y, with CI whiskers and the front drawn.
std::string scatter(const Report& r, std::size_t i, std::size_t j);
// The symbols of the scatter plots.
std::string legend();
// Hypervolume of the front after each evaluation.
std::string convergence_plot(const Report& r);
// One knob's levels: mean and range of its objective.
std::string effect_plot(const KnobEffect& e);
// Per-CPU counters, baseline against the best point.
std::string heatmap_svg(const Report& r);
// Interrupts per queue and CPU, baseline against the best point.
std::string queue_heatmap_svg(const Report& r);

// The ranked configurations with their summaries and gains.
void pareto_table(const Report& r, std::ostream& out);

}  // namespace nictune::report::html

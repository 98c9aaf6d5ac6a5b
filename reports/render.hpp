// Report formats: one renderer per file (render_<name>.cpp) and one line each in the visible
// name -> renderer map of render.cpp.
#pragma once

#include <functional>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "reports/report.hpp"

namespace nictune::report {

using Renderer = std::function<void(const Report&, std::ostream&)>;

struct RendererInfo {
  std::string description;  // one line for --help
  Renderer render;
};

// "text", "md", "html", "csv", "json".
const std::map<std::string, RendererInfo>& renderers();
std::vector<std::string> renderer_names();
// Throws Error(kInvalid) naming the formats when `format` is unknown.
void render(const std::string& format, const Report& report, std::ostream& out);

void render_text(const Report& report, std::ostream& out);  // terminals, <= 100 columns
void render_md(const Report& report, std::ostream& out);    // lab notebooks, tickets
void render_html(const Report& report, std::ostream& out);  // one self-contained file, inline SVG
void render_csv(const Report& report, std::ostream& out);   // one row per trial
void render_json(const Report& report, std::ostream& out);  // everything

// Phrases several formats share.
std::string objective_heading(const Objective& objective);  // "rx_pps (max, packets/s)"
std::string trial_counts(const Report& report);             // "22 trials: 21 complete, 1 failed"
// "0.701 after 7 evaluations; the front last grew at evaluation 7 of 7: more budget may still
// find better configurations" and the like; "" when nothing is ranked.
std::string convergence_sentence(const Report& report);
// Legend of the Pareto table.
std::string table_legend();
// The pieces of one host's context as "key: value" lines, in order.
std::vector<std::string> context_lines(const HostContext& context);
std::string role_title(const HostContext& context);  // "DUT", "LG (bench b2)"

}  // namespace nictune::report

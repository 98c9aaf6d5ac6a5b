// Report formats: one renderer per file (render_<name>.cpp) and one row each in the visible
// name -> renderer map of render.cpp. A row is the whole registration: the commands that take
// --format (report, compare, models) and `-o FILE`'s extension read their choices from it, and
// tests/unit/reports runs every row over every fixture of every output it serves.
#pragma once

#include <functional>
#include <map>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "reports/report.hpp"

namespace nictune::report {

struct ComparisonResult;  // reports/compare.hpp
struct ModelSummary;      // reports/models.hpp

// What a format is rendered from: one command's output each.
enum class Output { kReport, kComparison, kModels };
std::string_view to_string(Output output);  // "report", "compare", "models": the command

using Renderer = std::function<void(const Report&, std::ostream&)>;
using ComparisonRenderer = std::function<void(const ComparisonResult&, std::ostream&)>;
using ModelsRenderer = std::function<void(const std::vector<ModelSummary>&, std::ostream&)>;

struct RendererInfo {
  std::string description{};  // one line for --help
  Renderer render{};          // `nictune report`
  // The file extensions (with the dot) that choose this format for `-o FILE`; the first is the
  // one it is saved under (goldens too).
  std::vector<std::string> extensions{};
  ComparisonRenderer compare{};  // `nictune compare`; empty: not offered there
  ModelsRenderer models{};       // `nictune models`; empty: not offered there
  bool is_default = false;       // the format of every output it serves when --format is absent
};

// name -> row: "text", "md", "html", "csv", "json".
const std::map<std::string, RendererInfo>& renderers();
std::vector<std::string> renderer_names();
// The formats offered for `output`, and the one used without --format.
std::vector<std::string> renderer_names(Output output);
bool serves(const RendererInfo& info, Output output);
std::string default_format(Output output);
// "text, md or json": the formats of `output` for help texts and errors.
std::string format_choices(Output output);
// The format whose extensions include `path`'s, or `fallback`.
std::string format_from_extension(const std::string& path, const std::string& fallback);
// Throws Error(kInvalid) naming the formats when `format` is unknown.
void render(const std::string& format, const Report& report, std::ostream& out);
// Throw Error(kInvalid) naming the formats of that output when `format` does not serve it.
void render(const std::string& format, const ComparisonResult& result, std::ostream& out);
void render(const std::string& format, const std::vector<ModelSummary>& models, std::ostream& out);

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

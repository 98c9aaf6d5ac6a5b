#include "reports/render.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "core/errors.hpp"
#include "core/metrics.hpp"
#include "core/text_util.hpp"
#include "reports/compare.hpp"
#include "reports/format.hpp"
#include "reports/models.hpp"

namespace nictune::report {

const std::map<std::string, RendererInfo>& renderers() {
  static const std::map<std::string, RendererInfo> table = {
      {"text",
       {.description = "plain text for terminals, at most 100 columns",
        .render = render_text,
        .extensions = {".txt"},
        .compare = render_comparison_text,
        .models = render_models_text,
        .is_default = true}},
      {"md",
       {.description = "Markdown for lab notebooks and tickets",
        .render = render_md,
        .extensions = {".md", ".markdown"},
        .models = render_models_md}},
      {"html",
       {.description = "one self-contained HTML file with inline SVG plots",
        .render = render_html,
        .extensions = {".html", ".htm"}}},
      {"csv",
       {.description = "one row per trial with every knob and metric",
        .render = render_csv,
        .extensions = {".csv"}}},
      {"json",
       {.description = "everything: trials, statistics, front, effects, host facts, spec",
        .render = render_json,
        .extensions = {".json"},
        .compare = render_comparison_json,
        .models = render_models_json}},
  };
  return table;
}

std::string_view to_string(Output output) {
  switch (output) {
    case Output::kReport:
      return "report";
    case Output::kComparison:
      return "compare";
    case Output::kModels:
      return "models";
  }
  return "?";
}

std::vector<std::string> renderer_names() {
  std::vector<std::string> names;
  for (const auto& [name, info] : renderers()) names.push_back(name);
  return names;
}

bool serves(const RendererInfo& info, Output output) {
  switch (output) {
    case Output::kReport:
      return static_cast<bool>(info.render);
    case Output::kComparison:
      return static_cast<bool>(info.compare);
    case Output::kModels:
      return static_cast<bool>(info.models);
  }
  return false;
}

std::vector<std::string> renderer_names(Output output) {
  std::vector<std::string> names;
  for (const auto& [name, info] : renderers()) {
    if (serves(info, output)) names.push_back(name);
  }
  return names;
}

std::string default_format(Output output) {
  for (const auto& [name, info] : renderers()) {
    if (info.is_default && serves(info, output)) return name;
  }
  return renderer_names(output).front();
}

std::string format_choices(Output output) {
  const std::vector<std::string> names = renderer_names(output);
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " or " : ", ";
    out += names[i];
  }
  return out;
}

std::string format_from_extension(const std::string& path, const std::string& fallback) {
  const std::string ext = std::filesystem::path(path).extension().string();
  for (const auto& [name, info] : renderers()) {
    for (const std::string& known : info.extensions) {
      if (ext == known) return name;
    }
  }
  return fallback;
}

namespace {

// The row of `format` if it serves `output`; else Error(kInvalid) naming the formats that do.
const RendererInfo& row_for(const std::string& format, Output output) {
  auto it = renderers().find(format);
  if (it == renderers().end() || !serves(it->second, output)) {
    const std::vector<std::string> names = renderer_names(output);
    throw invalid("unknown " + std::string(to_string(output)) + " format \"" + format + "\"" +
                  did_you_mean(format, names) + "; expected one of " + join(names, ", "));
  }
  return it->second;
}

}  // namespace

void render(const std::string& format, const Report& report, std::ostream& out) {
  row_for(format, Output::kReport).render(report, out);
}

void render(const std::string& format, const ComparisonResult& result, std::ostream& out) {
  row_for(format, Output::kComparison).compare(result, out);
}

void render(const std::string& format, const std::vector<ModelSummary>& models, std::ostream& out) {
  row_for(format, Output::kModels).models(models, out);
}

std::string objective_heading(const Objective& objective) {
  const MetricInfo* info = find_metric(objective.metric);
  std::string unit = info && !info->unit.empty() ? ", " + info->unit : "";
  return objective.metric + " (" + to_string(objective.goal) + unit + ")";
}

std::string trial_counts(const Report& report) {
  std::size_t complete = 0, failed = 0, other = 0;
  for (const auto& t : report.trials) {
    if (t.outcome.state == TrialState::kComplete) {
      ++complete;
    } else if (t.outcome.state == TrialState::kRunning) {
      ++other;
    } else {
      ++failed;
    }
  }
  std::string out = std::to_string(report.trials.size()) + " trials: " + std::to_string(complete) +
                    " complete, " + std::to_string(failed) + " failed or pruned";
  if (other > 0) out += ", " + std::to_string(other) + " running or interrupted";
  std::size_t configurations = 0, baselines = 0;
  for (const auto& p : report.points) (p.baseline ? baselines : configurations) += 1;
  out += "; " + std::to_string(configurations) + " configurations";
  if (baselines == 1) out += " and the baseline";
  if (baselines > 1)
    out += " and " + std::to_string(baselines) + " baselines (one per workload variant)";
  return out;
}

std::string convergence_sentence(const Report& report) {
  if (report.convergence.empty() || std::isnan(report.hypervolume)) return "";
  const std::size_t total = report.convergence.back().evaluation;
  std::size_t last_growth = 0;
  for (std::size_t i = 1; i < report.convergence.size(); ++i) {
    if (report.convergence[i].hypervolume > report.convergence[i - 1].hypervolume + 1e-12) {
      last_growth = report.convergence[i].evaluation;
    }
  }
  char hv[32];
  std::snprintf(hv, sizeof hv, "%.3f", report.hypervolume);
  std::string out =
      std::string(hv) + " after " + std::to_string(total) + " evaluation" + (total == 1 ? "" : "s");
  const std::size_t quiet = total - last_growth;
  if (total == 0) return out;
  if (quiet >= std::max<std::size_t>(3, total / 4)) {
    out += "; no growth in the last " + std::to_string(quiet) +
           " evaluations: the search looks converged";
  } else {
    out += "; the front last grew at evaluation " + std::to_string(last_growth) + " of " +
           std::to_string(total) + ": more budget may still find better configurations";
  }
  return out;
}

std::string table_legend() {
  return "mean ± 95 % CI (Student t) over n repetitions; gain = improvement over the baseline in "
         "the objective's direction, * = significant (Welch t-test, p < 0.05); tied = off the "
         "front "
         "but within noise of it (95 % CIs overlap every front point that dominates it); n<3 = "
         "not enough repetitions to judge (no CI, no test)";
}

std::vector<std::string> context_lines(const HostContext& context) {
  std::vector<std::string> out;
  for (const auto& [key, value] : context.fields) out.push_back(key + ": " + value);
  return out;
}

std::string role_title(const HostContext& context) {
  std::string role = context.role == "dut" ? "DUT" : context.role == "lg" ? "LG" : context.role;
  if (!context.bench.empty()) role += " (bench " + context.bench + ")";
  return role;
}

}  // namespace nictune::report

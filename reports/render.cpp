#include "reports/render.hpp"

#include <algorithm>
#include <cmath>

#include "core/errors.hpp"
#include "core/metrics.hpp"
#include "core/text_util.hpp"
#include "reports/format.hpp"

namespace nictune::report {

const std::map<std::string, RendererInfo>& renderers() {
  static const std::map<std::string, RendererInfo> table = {
      {"text", {"plain text for terminals, at most 100 columns", render_text}},
      {"md", {"Markdown for lab notebooks and tickets", render_md}},
      {"html", {"one self-contained HTML file with inline SVG plots", render_html}},
      {"csv", {"one row per trial with every knob and metric", render_csv}},
      {"json", {"everything: trials, statistics, front, effects, host facts, spec", render_json}},
  };
  return table;
}

std::vector<std::string> renderer_names() {
  std::vector<std::string> names;
  for (const auto& [name, info] : renderers()) names.push_back(name);
  return names;
}

void render(const std::string& format, const Report& report, std::ostream& out) {
  auto it = renderers().find(format);
  if (it == renderers().end()) {
    throw invalid("unknown report format \"" + format + "\"" +
                  did_you_mean(format, renderer_names()) + "; expected one of " +
                  join(renderer_names(), ", "));
  }
  it->second.render(report, out);
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
  std::size_t configurations = 0;
  for (const auto& p : report.points) configurations += p.baseline ? 0 : 1;
  out += "; " + std::to_string(configurations) + " configurations";
  if (report.baseline) out += " and the baseline";
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

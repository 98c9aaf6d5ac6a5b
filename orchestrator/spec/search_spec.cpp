// How a spec's search spends its trials: the strategy and its budget, the repetitions policy
// (fixed, adaptive or a race) and multi-fidelity screening.
#include <algorithm>
#include <cstdio>

#include "core/workload.hpp"
#include "orchestrator/spec/field_reader.hpp"
#include "orchestrator/spec/spec_sections.hpp"

namespace nictune {
namespace {

void parse_race(FieldReader& r, ExperimentSpec& spec, Issues& issues) {
  RepetitionSpec& rep = spec.repetitions;
  rep.kind = RepetitionPolicyKind::kRace;
  rep.min = static_cast<int>(r.integer("min", 1, 1000).value_or(kRaceDefaultMin));
  rep.max =
      static_cast<int>(r.integer("max", 1, 1000).value_or(std::max(rep.min, kRaceDefaultMax)));
  rep.budget = static_cast<int>(r.integer("budget", 1, 1000000).value_or(0));
  if (r.has("precision")) {
    const auto p = r.number("precision", 0, 10);
    if (p && *p <= 0) {
      issues.add("repetitions.precision",
                 "must be greater than 0 (a relative CI half-width, e.g. 0.02 for 2 %)");
    } else if (p) {
      rep.precision = *p;
    }
  }
  rep.baseline_every =
      static_cast<int>(r.integer("baseline_every", 0, 1000).value_or(rep.baseline_every));
  if (rep.max < rep.min) {
    issues.add("repetitions.max", "must be at least min (" + std::to_string(rep.min) + ")");
  }
  // The budget must at least give the baseline and one configuration their minimum repetitions.
  if (rep.budget > 0 && rep.budget < 2 * rep.min) {
    issues.add("repetitions.budget",
               "must allow the minimum repetitions of the baseline and one configuration (at "
               "least 2 x min = " +
                   std::to_string(2 * rep.min) + " trials), got " + std::to_string(rep.budget));
  }
}

}  // namespace

void parse_strategy(const Json& doc, ExperimentSpec& spec, Issues& issues) {
  if (!doc.contains("strategy")) return;  // grid with defaults
  FieldReader r(doc["strategy"], "strategy", issues, {"type", "budget", "seed", "options"});
  if (!r.ok()) return;
  spec.strategy = r.choice("type", strategy_names()).value_or(spec.strategy);
  spec.budget = static_cast<int>(r.integer("budget", 1, 100000).value_or(spec.budget));
  spec.seed = static_cast<std::uint64_t>(r.integer("seed", 0, std::int64_t{1} << 53).value_or(1));
  if (r.has("options")) {
    if (!r.raw("options").is_object()) {
      issues.add("strategy.options",
                 "expected an object, found " + json_type_name(r.raw("options")));
    } else {
      spec.strategy_options = r.raw("options");
      parse_warm_start(spec.strategy_options, spec.strategy, spec.warm_start, issues);
    }
  }
}

void parse_repetitions(const Json& doc, ExperimentSpec& spec, Issues& issues) {
  if (!doc.contains("repetitions")) {
    spec.repetitions.kind = RepetitionPolicyKind::kRace;
    spec.repetitions.min = kRaceDefaultMin;
    spec.repetitions.max = kRaceDefaultMax;
    return;
  }
  FieldReader r(
      doc["repetitions"], "repetitions", issues,
      {"policy", "count", "min", "max", "ci_rel_width", "budget", "precision", "baseline_every"});
  if (!r.ok()) return;
  const std::string policy = r.choice("policy", {"race", "fixed", "adaptive"}).value_or("");
  // Without "policy" the fields say which: the race's own fields race, the others as before.
  const bool race =
      policy == "race" ||
      (policy.empty() && (r.has("budget") || r.has("precision") || r.has("baseline_every")));
  if (race) {
    if (r.has("count") || r.has("ci_rel_width")) {
      issues.add("repetitions",
                 "a race takes \"min\", \"max\", \"budget\", \"precision\" and "
                 "\"baseline_every\"; "
                 "\"count\" and \"ci_rel_width\" belong to the fixed and adaptive "
                 "policies");
    }
    parse_race(r, spec, issues);
    return;
  }
  if (r.has("budget") || r.has("precision") || r.has("baseline_every")) {
    issues.add("repetitions",
               "\"budget\", \"precision\" and \"baseline_every\" belong to \"policy\": \"race\"");
  }
  if (r.has("count")) {
    if (r.has("min") || r.has("max") || r.has("ci_rel_width")) {
      issues.add("repetitions",
                 "give either \"count\" or \"min\"/\"max\"/\"ci_rel_width\", not both");
    }
    int n = static_cast<int>(r.integer("count", 1, 1000).value_or(1));
    spec.repetitions.min = spec.repetitions.max = n;
    spec.repetitions.kind = RepetitionPolicyKind::kFixed;
    return;
  }
  spec.repetitions.min = static_cast<int>(r.integer("min", 1, 1000, true).value_or(1));
  spec.repetitions.max =
      static_cast<int>(r.integer("max", 1, 1000, true).value_or(spec.repetitions.min));
  spec.repetitions.ci_rel_width = r.number("ci_rel_width", 0.001, 10, true).value_or(0);
  spec.repetitions.kind = spec.repetitions.ci_rel_width > 0 ? RepetitionPolicyKind::kAdaptive
                                                            : RepetitionPolicyKind::kFixed;
  if (spec.repetitions.max < spec.repetitions.min) {
    issues.add("repetitions.max",
               "must be at least min (" + std::to_string(spec.repetitions.min) + ")");
  }
}

void parse_screening(const Json& doc, ExperimentSpec& spec, Issues& issues) {
  if (!doc.contains("screening")) return;
  FieldReader r(doc["screening"], "screening", issues, {"duration_s", "keep", "min_points"});
  if (!r.ok()) return;
  ScreeningSpec& s = spec.screening;
  s.duration_s = r.number("duration_s", 0.001, 86400, true).value_or(0);
  s.keep = r.number("keep", 0.01, 1).value_or(s.keep);
  s.min_points = static_cast<int>(r.integer("min_points", 1, 100000).value_or(s.min_points));
  if (s.duration_s <= 0 || !spec.workload.is_object()) return;
  const auto given = spec.workload.find("duration_s");
  if (given != spec.workload.end() && !given->is_number()) return;  // told under workload
  const double full = given != spec.workload.end() ? given->get<double>() : Workload{}.duration_s;
  if (s.duration_s >= full) {
    char text[96];
    std::snprintf(text, sizeof text, "must be shorter than workload.duration_s (%g), found %g",
                  full, s.duration_s);
    issues.add("screening.duration_s", text);
    return;
  }
  // A screening trial runs the same workload for less time: whatever that workload cannot do
  // (iperf3 and sockperf take whole seconds) is an error of this field.
  Issues shortened;
  nictune::validate_workload(spec.screening_workload(), "screening", shortened);
  for (const auto& issue : shortened.items()) {
    if (issue.path == "screening.duration_s") issues.add(issue.path, issue.message);
  }
}

}  // namespace nictune

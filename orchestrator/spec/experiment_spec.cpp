#include "orchestrator/spec/experiment_spec.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "core/workload.hpp"
#include "core/workload_params.hpp"
#include "core/workload_variant.hpp"
#include "orchestrator/spec/field_reader.hpp"
#include "orchestrator/spec/spec_sections.hpp"

namespace nictune {

Json ExperimentSpec::screening_workload() const {
  Json shortened = workload;
  shortened["duration_s"] = screening.duration_s;
  return shortened;
}

StrategyConfig ExperimentSpec::strategy_config() const {
  StrategyConfig config;
  config.space = space;
  config.objectives = objectives;
  config.outcome_constraints = outcome_constraints;
  config.seed = seed;
  config.budget = budget;
  config.options = strategy_options;
  return config;
}

namespace {

double workload_number(const Json& workload, const char* field, double fallback) {
  if (!workload.is_object()) return fallback;
  auto it = workload.find(field);
  return it != workload.end() && it->is_number() ? it->get<double>() : fallback;
}

void parse_lease(FieldReader& top, ExperimentSpec& spec, Issues& issues) {
  spec.lease_s = default_lease_s(spec);
  auto given = top.number("lease_s", 1, 86400);
  if (!given) return;
  const double minimum = longest_unrenewed_s(spec) + kLeaseSlackS;
  if (*given < minimum) {
    char text[200];
    std::snprintf(text, sizeof text,
                  "expected at least %g s (the longest step between renewals, %g s, plus %g s), "
                  "found %g",
                  minimum, longest_unrenewed_s(spec), kLeaseSlackS, *given);
    issues.add("lease_s", text);
    return;
  }
  spec.lease_s = *given;
}

}  // namespace

double longest_unrenewed_s(const ExperimentSpec& spec) {
  const Workload defaults;
  const double load = workload_number(spec.workload, "warmup_s", defaults.warmup_s) +
                      workload_number(spec.workload, "duration_s", defaults.duration_s);
  return std::max(load, spec.settle_s);
}

double default_lease_s(const ExperimentSpec& spec) {
  return 60 + 2 * (longest_unrenewed_s(spec) + spec.settle_s);
}

namespace {

// The baseline's point is its workload variant plus the LG settings the space fixes
// (core/workload_variant.hpp): a space with nothing else has every configuration equal to its
// baseline, measured twice under two names.
void check_baseline_differs(const ExperimentSpec& spec, Issues& issues) {
  if (!spec.baseline || spec.space.parameters().empty()) return;
  const Json fixed = fixed_load_settings(spec.space);
  for (const auto& p : spec.space.parameters())
    if (!workload_param_field(p.name) && !fixed.contains(p.name)) return;
  issues.add("baseline",
             "every configuration of this space is the baseline: it varies only workload.* values "
             "and fixes LG settings, which the baseline runs with too; set \"baseline\": false, "
             "or add a DUT parameter (or an LG one with two or more values) to tune");
}

}  // namespace

ExperimentSpec parse_spec(const Json& document, const std::string& origin) {
  Issues issues;
  ExperimentSpec spec;
  spec.document = document;
  FieldReader top(document, "", issues,
                  {"version", "name", "description", "hosts", "benches", "space", "workload",
                   "objectives", "outcome_constraints", "strategy", "repetitions", "screening",
                   "profile", "baseline", "settle_s", "step_timeout_s", "lease_s"});
  if (!top.ok()) throw SpecError(origin, issues);

  if (auto version = top.integer("version", 1, 1000, true)) {
    if (*version != kSpecVersion) {
      issues.add("version", "this nictune reads spec version " + std::to_string(kSpecVersion) +
                                ", found " + std::to_string(*version));
    }
  }
  if (auto name = top.string("name", true)) {
    bool ok =
        !name->empty() && name->size() <= 64 && std::all_of(name->begin(), name->end(), [](char c) {
          return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
        });
    if (ok)
      spec.name = *name;
    else
      issues.add("name", "expected 1-64 characters of letters, digits, '-', '_' or '.', found \"" +
                             *name + "\"");
  }
  spec.description = top.string("description").value_or("");
  parse_benches(document, origin, spec, issues);
  if (!document.contains("space")) {
    issues.add("space",
               "missing (required): {\"parameters\": {\"rps\": [\"none\", \"all\"], ...}}");
  } else {
    spec.space = Space::from_json(document["space"], "space", issues);
  }
  if (!document.contains("workload")) {
    issues.add("workload",
               "missing (required): e.g. {\"type\": \"udp_stream\", \"duration_s\": 5}");
  } else {
    // The same validator the agent runs: a spec is refused here for what the agent would refuse.
    nictune::validate_workload(document["workload"], "workload", issues);
    spec.workload = document["workload"];
    // Each value of a "workload.<field>" parameter makes a workload the agent must accept too.
    validate_workload_params(spec.space, spec.workload, issues);
  }
  parse_objectives(document, spec, issues);
  parse_outcome_constraints(document, spec, issues);
  check_forwarding(document, spec, issues);
  parse_strategy(document, spec, issues);
  parse_repetitions(document, spec, issues);
  parse_screening(document, spec, issues);
  parse_profile(document, spec.workload, spec.profile, issues);
  spec.baseline = top.boolean("baseline").value_or(true);
  check_baseline_differs(spec, issues);
  spec.settle_s = top.number("settle_s", 0, 600).value_or(1.0);
  spec.step_timeout_s = top.number("step_timeout_s", 1, 3600).value_or(60);
  parse_lease(top, spec, issues);

  // Knobs on the LG need an LG-side agent; app.cpus on either side is applied by the load
  // module. Nothing more to check here: capability is checked against the probe at run time.
  if (!spec.space.parameters().empty()) {
    try {
      make_strategy(spec.strategy, spec.strategy_config());
    } catch (const Error& e) {
      // Factories name the option ("strategy.options.x: ..."); keep that as the path.
      std::string message = e.what();
      auto colon = message.find(": ");
      if (message.rfind("strategy.", 0) == 0 && colon != std::string::npos) {
        issues.add(message.substr(0, colon), message.substr(colon + 2));
      } else {
        issues.add("strategy", message);
      }
    }
  }
  if (!issues.empty()) throw SpecError(origin, issues);
  return spec;
}

ExperimentSpec load_spec(const std::string& path) {
  Json document = load_json_file(path);
  return parse_spec(document, path);
}

}  // namespace nictune

#include "orchestrator/runner/plan.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>

#include "core/text_util.hpp"
#include "core/workload.hpp"
#include "core/workload_variant.hpp"
#include "orchestrator/runner/baseline_variants.hpp"
#include "orchestrator/runner/rate_search_trial.hpp"
#include "orchestrator/transport/transport_kinds.hpp"
#include "strategies/strategy.hpp"

namespace nictune {
namespace {

// Per-trial cost beyond the load itself: apply, read back, counters, serve start/stop.
constexpr double kTrialOverheadSeconds = 0.5;

std::string duration_text(double seconds) {
  auto s = static_cast<long>(std::lround(seconds));
  char buffer[32];
  if (s >= 3600)
    std::snprintf(buffer, sizeof buffer, "%ldh%02ldm", s / 3600, (s % 3600) / 60);
  else if (s >= 60)
    std::snprintf(buffer, sizeof buffer, "%ldm%02lds", s / 60, s % 60);
  else
    std::snprintf(buffer, sizeof buffer, "%lds", s);
  return buffer;
}

std::string host_text(const HostSpec& h) {
  std::string text = h.transport + " " + h.interface;
  if (const TransportKind* kind = find_transport_kind(h.transport)) text += kind->route(h);
  if (!h.netns.empty()) text += " in netns " + h.netns;
  if (!h.address.empty()) text += ", data address " + h.address;
  return text;
}

}  // namespace

double workload_seconds(const Json& workload) {
  // The agent fills what the spec leaves out from Workload{}; so does the estimate (and the load
  // call's timeout derived from it).
  const Workload defaults;
  return workload.value("warmup_s", defaults.warmup_s) +
         workload.value("duration_s", defaults.duration_s);
}

std::uint64_t interleaved_baselines(const ExperimentSpec& spec, std::uint64_t points) {
  const int every = spec.interleaved_baseline_every();
  if (every == 0) return 0;
  return points * std::uint64_t(spec.repetitions.min) / std::uint64_t(every);
}

int race_budget(const ExperimentSpec& spec, std::uint64_t points) {
  if (spec.repetitions.budget > 0) return spec.repetitions.budget;
  const std::uint64_t base = spec.baseline ? workload_variant_count(spec) : 0;
  const std::uint64_t minimum = (points + base) * std::uint64_t(spec.repetitions.min) + base +
                                interleaved_baselines(spec, points);
  return static_cast<int>(std::min<std::uint64_t>(2 * minimum, 1000000));
}

RunPlan plan_run(const ExperimentSpec& spec, std::size_t preview) {
  RunPlan plan;
  plan.grid_points = spec.space.grid_size();
  plan.points = strategy_entry(spec.strategy).finite
                    ? std::min<std::uint64_t>(plan.grid_points, std::uint64_t(spec.budget))
                    : std::uint64_t(spec.budget);
  plan.repetitions_min = spec.repetitions.min;
  plan.repetitions_max = spec.repetitions.adaptive() ? spec.repetitions.max : spec.repetitions.min;
  // A baseline per workload variant (orchestrator/runner/baseline_variants.hpp), first and last.
  const int variants = spec.baseline ? static_cast<int>(workload_variant_count(spec)) : 0;
  plan.baseline_trials = 2 * spec.repetitions.min * variants;
  plan.seconds_per_trial =
      spec.workload.is_object() && spec.workload.contains("rate_search")
          ? rate_search_seconds_estimate(parse_workload(spec.workload), kTrialOverheadSeconds) +
                spec.settle_s
          : workload_seconds(spec.workload) + spec.settle_s + kTrialOverheadSeconds;
  double benches = std::max<double>(1, double(spec.benches.size()));
  auto total = [&](int reps) {
    return (double(plan.points) * reps / benches + plan.baseline_trials) * plan.seconds_per_trial;
  };
  plan.estimated_seconds_min = total(plan.repetitions_min);
  plan.estimated_seconds_max = total(plan.repetitions_max);
  const std::uint64_t base = std::uint64_t(variants);
  plan.trials_min = (plan.points + base) * std::uint64_t(plan.repetitions_min) + base;
  plan.trials_max =
      plan.points * std::uint64_t(plan.repetitions_max) + std::uint64_t(plan.baseline_trials);
  if (spec.repetitions.race()) {
    plan.race_budget = race_budget(spec, plan.points);
    const std::uint64_t interleaved = interleaved_baselines(spec, plan.points);
    plan.baseline_trials = (spec.repetitions.min + 1) * variants + int(interleaved);
    plan.trials_min += interleaved;
    plan.trials_max = std::min<std::uint64_t>(
        std::uint64_t(plan.race_budget),
        (plan.points + base) * std::uint64_t(spec.repetitions.max) + base + interleaved);
    plan.trials_max = std::max(plan.trials_max, plan.trials_min);
    const double per_trial = plan.seconds_per_trial / benches;
    plan.estimated_seconds_min = double(plan.trials_min) * per_trial;
    plan.estimated_seconds_max = double(plan.trials_max) * per_trial;
  }
  auto strategy = make_strategy(spec.strategy, spec.strategy_config());
  plan.first_points = strategy->ask(preview);
  return plan;
}

void print_plan(const ExperimentSpec& spec, const RunPlan& plan, std::ostream& out) {
  out << "experiment  " << spec.name << (spec.description.empty() ? "" : " - " + spec.description)
      << "\n";
  for (const auto& bench : spec.benches) {
    std::string prefix = bench.name.empty() ? "" : bench.name + " ";
    out << prefix << "dut  " << host_text(bench.dut) << "\n";
    out << prefix << "lg   " << host_text(bench.lg) << "\n";
  }
  out << "workload    " << spec.workload.dump() << "\n";
  out << "objectives  ";
  for (std::size_t i = 0; i < spec.objectives.size(); ++i) {
    out << (i ? ", " : "") << (spec.objectives[i].goal == Goal::kMaximize ? "max " : "min ")
        << spec.objectives[i].metric;
  }
  out << "\n";
  for (const auto& c : spec.outcome_constraints) out << "constraint  " << c.text() << "\n";
  out << "space       " << spec.space.parameters().size() << " parameters, " << plan.grid_points
      << " grid points\n";
  for (const auto& p : spec.space.parameters()) {
    out << "  " << std::left << std::setw(34) << p.name << to_string(p.type) << " ";
    if (p.is_numeric()) {
      out << "[" << p.min << ", " << p.max << "]" << (p.log ? " log" : "");
    } else {
      std::vector<std::string> values;
      for (const auto& v : p.values)
        values.push_back(v.is_string() ? v.get<std::string>() : v.dump());
      out << join(values, " | ");
    }
    if (p.when) {
      std::vector<std::string> values;
      for (const auto& v : p.when->values)
        values.push_back(v.is_string() ? v.get<std::string>() : v.dump());
      out << "  (when " << p.when->param << (p.when->negate ? " not in " : " in ")
          << join(values, ",") << ")";
    }
    out << "\n";
  }
  for (const auto& c : spec.space.constraints()) out << "  constraint " << c.text() << "\n";
  out << "strategy    " << spec.strategy << ", budget " << spec.budget << ", seed " << spec.seed
      << " -> up to " << plan.points << " points\n";
  out << "repeats     ";
  if (spec.repetitions.race()) {
    out << "race: " << spec.repetitions.min << " per point, then rounds for the baseline and the "
        << "configurations still tied, up to " << spec.repetitions.max << " each, until separated "
        << "(Welch p < 0.05) or within " << spec.repetitions.precision * 100
        << "% of the mean; budget " << plan.race_budget << " trials\n";
    if (spec.interleaved_baseline_every() > 0)
      out << "            a baseline trial after every " << spec.interleaved_baseline_every()
          << " configuration trials of the first pass\n";
    out << "trials      " << plan.trials_min << " at least, " << plan.trials_max << " at worst\n";
  } else if (spec.repetitions.adaptive()) {
    out << spec.repetitions.min << ".." << spec.repetitions.max
        << " per point until the 95% CI is within " << spec.repetitions.ci_rel_width * 100
        << "% of the mean\n";
  } else {
    out << spec.repetitions.min << " per point\n";
  }
  if (spec.screening.enabled()) {
    out << "screening   first repetition of each point " << spec.screening.duration_s
        << " s; kept when among the best " << spec.screening.keep * 100
        << "% screened on an objective (the first " << spec.screening.min_points
        << " always); the estimate below assumes none is pruned\n";
  }
  if (spec.baseline) {
    const std::size_t variants = workload_variant_count(spec);
    const std::string load = variant_text(fixed_load_settings(spec.space));
    out << "baseline    the DUT's original settings, "
        << (load.empty() ? std::string() : "with the load's fixed LG settings (" + load + "), ")
        << (variants > 1 ? "at each of the " + std::to_string(variants) +
                               " workload variants (before its first point), "
                         : std::string())
        << (spec.repetitions.race()
                ? std::to_string(spec.repetitions.min) +
                      " trial(s) first, then in every race round, 1 last\n"
                : std::to_string(spec.repetitions.min) + " trial(s) first and last\n");
  }
  out << "estimate    " << duration_text(plan.seconds_per_trial) << " per trial, total "
      << duration_text(plan.estimated_seconds_min);
  if (plan.estimated_seconds_max > plan.estimated_seconds_min)
    out << " to " << duration_text(plan.estimated_seconds_max);
  out << "\n";
  out << "first points:\n";
  for (const auto& p : plan.first_points) out << "  " << p.dump() << "\n";
  if (plan.first_points.empty()) out << "  (none: the space has no valid point)\n";
}

}  // namespace nictune

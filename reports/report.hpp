// The report of one experiment, computed once from the store and drawn by every renderer:
// configurations with their statistics, the Pareto front with ranks, which points are tied with
// it within noise, gains over the host's baseline, how the front's hypervolume grew, per-knob
// main effects and the per-CPU work of the best point against the baseline.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/comparison.hpp"
#include "core/objective.hpp"
#include "core/records.hpp"
#include "core/statistics.hpp"
#include "core/trial.hpp"
#include "reports/drift.hpp"
#include "reports/host_context.hpp"
#include "reports/noise_summary.hpp"

namespace nictune::report {

// The spec's "objectives" ([{"metric", "goal": "max"|"min"}]) and "outcome_constraints". A
// stored spec was validated when it ran, so entries that do not parse are skipped, not fatal.
std::vector<Objective> objectives_from_spec(const Json& spec);
std::vector<Comparison> constraints_from_spec(const Json& spec);
std::string to_string(Goal goal);  // "max" / "min"

enum class PointStatus {
  kFront,       // Pareto rank 0 among the feasible points
  kTied,        // off the front, but no front point beats it beyond the 95 % CIs
  kDominated,   // beaten beyond noise
  kInfeasible,  // an outcome constraint fails on the means, or an objective was not measured
  kFailed,      // no complete trial
};
std::string to_string(PointStatus status);

struct ObjectiveResult {
  stats::Summary summary;  // over the point's complete trials that measured the metric
  // Improvement over the baseline in the objective's direction, relative to |baseline mean|
  // (+0.12 = 12 % better). NaN without a baseline or when the baseline mean is 0.
  double gain = 0;
  // Welch t-test against the baseline trials; NaN when either side has fewer than
  // stats::kMinRepetitionsToJudge repetitions (judged false).
  double gain_p_value = 0;
  bool gain_significant = false;  // gain_p_value < 0.05
  bool judged = false;            // both this point and the baseline have enough repetitions
};

struct PointResult {
  std::int64_t point_id = 0;
  bool baseline = false;          // the host's original settings
  Json config = Json::object();   // the canonical point
  Json changes = Json::object();  // the keys whose value differs from the baseline's
  std::vector<std::int64_t> trial_ids;
  std::size_t complete = 0, failed = 0;           // trials by state (pruned count as failed)
  std::map<std::string, stats::Summary> metrics;  // every metric measured
  std::vector<ObjectiveResult> objectives;        // in the spec's order
  std::vector<std::string> violations;            // why infeasible
  int rank = -1;                                  // Pareto rank, 0 = front; -1 unranked
  PointStatus status = PointStatus::kFailed;
  std::size_t evaluation = 0;  // 1-based order of first completion (0: never completed)
  // "channels.combined=4 rps=all", "(baseline)", "(same as baseline)"; a baseline of one
  // workload variant says which: "(baseline) workload.payload=1472".
  std::string label() const;
  // The workload variant a row ran at, as text ("workload.payload=1472"; "" without workload
  // parameters): each configuration is compared with the baseline of its own variant.
  std::string variant;
};

struct ConvergenceStep {
  std::size_t evaluation = 0;  // distinct points evaluated so far (0: the baseline alone)
  std::int64_t point_id = 0;   // the point this evaluation added
  double hypervolume = 0;      // normalised, see Report::hypervolume
};

struct EffectLevel {
  Json value;  // null: the knob was inactive (a condition did not hold)
  std::size_t points = 0;
  double mean = 0, min = 0, max = 0;  // over the points' means
};

// Main effect of one knob on one objective over the measured points.
struct KnobEffect {
  std::string knob;
  std::string metric;
  // Share of the objective's variance across points that the knob's value explains (eta^2,
  // between-level sum of squares / total). With an unbalanced search, knobs that moved
  // together share credit.
  double eta_squared = 0;
  std::vector<EffectLevel> levels;
};

// Per-CPU counters from the DUT agent (outcome.details["counters"]), averaged over a point's
// complete trials. Series come from "per_cpu" rows ({"cpu": N, "busy": %, "softirq": %,
// "irq": %, "net_rx_softirqs": n, ...}: the ones named in kPreferredCpuSeries when present,
// otherwise every numeric field) and from "softnet" rows ("processed" -> "softnet_processed").
// Queues come from "irqs" ({"<irq>": {"name", "queue", "per_cpu": {"<cpu>": n}}}): which CPUs
// serviced each queue's interrupts.
inline const std::vector<std::string> kPreferredCpuSeries = {
    "busy", "softirq", "irq", "net_rx_softirqs", "net_tx_softirqs", "softnet_processed"};
struct CpuLoad {
  std::string series;           // counter name, or the queue/IRQ name for queue rows
  std::vector<double> per_cpu;  // index = CPU number; NaN where no trial reported the CPU
};
struct HeatMap {
  std::vector<std::string> labels;  // "baseline", "best (point 12)"
  std::vector<std::int64_t> point_ids;
  std::vector<std::vector<CpuLoad>> loads;   // per label: per-CPU counter series
  std::vector<std::vector<CpuLoad>> queues;  // per label: interrupts per queue and CPU
  std::size_t cpus = 0;
  bool empty() const { return labels.empty(); }
  bool has_queues() const {
    for (const auto& q : queues) {
      if (!q.empty()) return true;
    }
    return false;
  }
};

// A significant change of the baseline's level during the run (reports/drift.hpp), per
// objective. When one is found, each configuration's gain and test use the baseline trials
// measured nearest in time to its own (stats::nearest_in_time) instead of all of them.
struct BaselineDrift {
  std::string metric;
  std::string variant;  // the baseline's workload variant ("" without workload parameters)
  stats::DriftResult result;
  std::size_t trials = 0;        // baseline trials in the series
  std::int64_t first_after = 0;  // the first trial id after the change
  std::int64_t back_at = 0;      // the first trial id after a second change (0: none)
  // "rx_pps +10.2% from trial 17 on (permutation p = 0.002, 9 baseline trials)"; a level that
  // changed back: "rx_pps +48.9% from trial 21, -1.2% from trial 52 on (...)".
  std::string text() const;
};

struct Report {
  ExperimentRecord experiment;
  std::vector<HostRecord> hosts;
  std::vector<HostContext> contexts;
  std::vector<Objective> objectives;
  std::vector<std::string> constraints;   // as written
  std::vector<TrialRecord> trials;        // every trial, by id
  std::vector<std::string> metric_names;  // every metric any trial measured, sorted
  // Sorted: front, tied, dominated, infeasible, failed; within a status by rank, then the first
  // objective best first, then point id. The baseline is a row like any other.
  std::vector<PointResult> points;
  std::optional<std::size_t> baseline;  // index into points
  // The recommended configuration: the first front row that is not the baseline, unless a
  // front or tied row that it does not beat beyond noise on any objective changes fewer settings
  // (then that one, and a note says why). Not necessarily the first row.
  std::optional<std::size_t> best;

  // Hypervolume of the feasible front with every objective scaled to [0, 1] between the best and
  // worst feasible means, reference point 1.1 on every axis, divided by the reference box's
  // volume: 1 would be one configuration best in every objective. NaN with no feasible point.
  double hypervolume = 0;
  std::vector<double> scale_best, scale_worst;  // per objective, in the metric's units
  std::vector<ConvergenceStep> convergence;
  std::vector<KnobEffect> effects;  // per objective (spec order), knobs by eta^2 descending
  HeatMap heatmap;
  std::vector<BaselineDrift> drift;  // every objective the baseline was judged on (drift or not)
  NoiseSummary noise;
  std::vector<std::string> notes;  // caveats worth printing ("no baseline was measured")
  // Profile trials (spec "profile"), by id: read by load_report, never part of the statistics.
  std::vector<TrialRecord> profile_trials;

  const PointResult* find_point(std::int64_t point_id, bool baseline = false) const;
};

// Builds the report from rows already read (orchestrator/loaders reads them from a Store). Pure:
// the same rows give the same report.
Report build_report(const ExperimentRecord& experiment, const std::vector<HostRecord>& hosts,
                    const std::vector<TrialRecord>& trials);

// The label of a configuration's keys as "k=v k=v" in key order.
std::string config_text(const Json& config);

}  // namespace nictune::report

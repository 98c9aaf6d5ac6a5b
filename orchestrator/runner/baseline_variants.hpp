// Which baselines a run measures. Without workload.* parameters there is one: the host's
// settings at the spec's workload ({}). When the space varies the workload (packet sizes), the
// baseline is measured at each workload variant the evaluated points use, before the first point
// of that variant and again at the end, and its point carries that variant's workload.* values
// and the LG settings the space fixes, no DUT knob (core/workload_variant.hpp): a configuration
// at 1472 B is then judged against the host's settings at 1472 B, under the same load. Drift is
// judged within one variant.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "core/space.hpp"
#include "core/trial.hpp"
#include "orchestrator/spec/experiment_spec.hpp"

namespace nictune {

class BaselineVariants {
 public:
  explicit BaselineVariants(const ExperimentSpec& spec) : document_(spec.document) {}

  // A stored complete baseline trial (a resumed run): its variant has a baseline already.
  void remember(const TrialRecord& baseline_trial);
  // The baseline points of `points`' variants that have none yet, in first-seen order; they
  // count as known from now on.
  std::vector<Json> take_new(const std::vector<Point>& points);
  // Every variant's baseline point so far, in first-seen order (the closing measurement).
  const std::vector<Json>& known() const { return known_; }

 private:
  bool add(const Json& baseline_point);

  Json document_;
  std::vector<Json> known_;
  std::set<std::string> seen_;  // effective variants (spec values filled in), dumped
};

// The complete baseline trials' values of each objective, per variant, in trial order.
struct BaselineSeries {
  std::string variant;  // variant_text: "" or "workload.payload=64"
  std::string metric;
  std::vector<double> values;
};
std::vector<BaselineSeries> baseline_series(const std::vector<TrialRecord>& trials,
                                            const std::vector<Objective>& objectives,
                                            const Json& spec_document);

// How many workload variants the grid of `spec` has (1 without workload parameters): the plan's
// estimate of baseline trials.
std::size_t workload_variant_count(const ExperimentSpec& spec);

}  // namespace nictune

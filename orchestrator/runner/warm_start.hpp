// Warm start: what earlier experiments on the same NIC model give a new search. Resolves
// spec.warm_start against the store once the DUT's NIC is probed: which experiments, their best
// points (measured first) and, for bayes, their observations (model input only).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/nic_identity.hpp"
#include "orchestrator/spec/experiment_spec.hpp"
#include "orchestrator/store/store.hpp"

namespace nictune {

struct WarmStart {
  std::string model;                      // this run's DUT model (NicIdentity::model_key)
  std::vector<std::int64_t> experiments;  // the sources, ascending
  std::vector<Point> points;              // best first, canonical in this run's space
  std::vector<std::pair<Point, Outcome>> observations;
  bool enabled = false;

  void apply_to(StrategyConfig& config) const;
  // Stored with the experiment (Store::set_warm_start) and shown by reports.
  Json to_json() const;
  // "warm start (model veth): experiments 1, 2; 3 points first, 24 observations for the model"
  std::string describe() const;
};

// `dut` is this run's first bench's DUT NIC. `self`: the experiment being resumed (its own and
// later experiments are never sources). Throws Error(kInvalid) naming
// "strategy.options.warm_start.from[i]" for an experiment the store lacks or one measured on
// another NIC model. Sources are read as this run's space, objectives and constraints see them:
// a point the space cannot hold is left out.
WarmStart resolve_warm_start(const ExperimentSpec& spec, Store& store, const NicIdentity& dut,
                             std::optional<std::int64_t> self);

}  // namespace nictune

// `strategy.options.warm_start`: seed a search with what earlier experiments on the same NIC
// model found. Parsed here; resolved against the store at run time
// (orchestrator/runner/warm_start.hpp), once the DUT's NIC is known.
#pragma once

#include <string>
#include <vector>

#include "core/issues.hpp"
#include "core/json_util.hpp"

namespace nictune {

struct WarmStartSpec {
  bool enabled = false;
  // "same-model": every earlier experiment whose DUT NIC is this one's model; otherwise the
  // experiments listed (ids, or names as `nictune report` takes them), which must be.
  bool same_model = true;
  std::vector<std::string> experiments;
  int points = 5;            // best points of those experiments measured first
  bool observations = true;  // bayes: their measurements also shape the model
};

// Reads options["warm_start"] (if present) into `out` and removes it from `options`, so the
// strategy's own option check never sees it. `strategy` decides the observations default.
void parse_warm_start(Json& options, const std::string& strategy, WarmStartSpec& out,
                      Issues& issues);

}  // namespace nictune

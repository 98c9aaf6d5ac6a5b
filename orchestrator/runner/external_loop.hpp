// ask/tell for labs that drive their own traffic generator: the strategy and the store without
// the runner. Asked points are recorded as running trials so a second `ask` never hands out the
// same point twice; `tell` completes them.
#pragma once

#include <cstdint>
#include <vector>

#include "core/trial.hpp"
#include "orchestrator/store/store.hpp"

namespace nictune {

struct AskedPoint {
  std::int64_t point_id = 0;
  std::int64_t trial_id = 0;
  Json point;
};

std::vector<AskedPoint> ask_points(Store& store, std::int64_t experiment, std::size_t n);

// Completes the oldest open trial of the point (or records a new one). Metric names must be in
// the catalog. Returns the trial id.
std::int64_t tell_point(Store& store, std::int64_t point_id, const Outcome& outcome);

}  // namespace nictune

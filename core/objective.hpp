// One objective of an experiment: a metric and the direction that is better. Vocabulary the
// spec, the strategies, the runner and reports share, so none of them needs another's headers
// (reports and the spec used to reach it through strategies/strategy.hpp, and so link Eigen).
#pragma once

#include <string>

#include "core/metrics.hpp"

namespace nictune {

struct Objective {
  std::string metric;  // "rx_pps"
  Goal goal = Goal::kMaximize;
};

}  // namespace nictune

// Metric names every load adapter and counter source reports under, with units and the
// direction that is "better", so objectives and reports agree whichever tool measured.
#pragma once

#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace nictune {

enum class Goal { kMaximize, kMinimize };

struct MetricInfo {
  std::string name;  // "rx_pps"
  std::string unit;  // "packets/s"
  Goal better;       // the usual direction
  std::string description;
};

// The values a metric can take: every catalogued rate, count, time and CPU share is >= 0 and a
// "ratio" is at most 1. Plots clip confidence whiskers to this range (a CI of a few noisy
// repetitions easily reaches below 0). Metrics outside the catalog are unbounded.
struct MetricRange {
  double lo = -std::numeric_limits<double>::infinity();
  double hi = std::numeric_limits<double>::infinity();
  double clamp(double v) const { return v < lo ? lo : v > hi ? hi : v; }
};
MetricRange metric_range(std::string_view name);

const std::vector<MetricInfo>& metric_catalog();
const MetricInfo* find_metric(std::string_view name);
std::vector<std::string> metric_names();

}  // namespace nictune

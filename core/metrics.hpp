// Metric names every load adapter and counter source reports under, with units and the
// direction that is "better", so objectives and reports agree whichever tool measured.
#pragma once

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

const std::vector<MetricInfo>& metric_catalog();
const MetricInfo* find_metric(std::string_view name);
std::vector<std::string> metric_names();

}  // namespace nictune

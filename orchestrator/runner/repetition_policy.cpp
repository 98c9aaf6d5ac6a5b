#include "orchestrator/runner/repetition_policy.hpp"

#include <cmath>
#include <limits>

#include "core/statistics.hpp"

namespace nictune {

double RepetitionPolicy::relative_half_width(
    const std::vector<std::map<std::string, double>>& complete, const std::string& metric) const {
  std::vector<double> values;
  for (const auto& m : complete) {
    auto it = m.find(metric);
    if (it != m.end()) values.push_back(it->second);
  }
  stats::Summary s = stats::summarize(values);
  if (!s.has_ci()) return std::numeric_limits<double>::infinity();
  if (s.half_width == 0) return 0;
  if (s.mean == 0) return std::numeric_limits<double>::infinity();
  return s.half_width / std::fabs(s.mean);
}

bool RepetitionPolicy::wants_another(const std::vector<std::map<std::string, double>>& complete,
                                     int failed) const {
  if (!spec_.adaptive() || failed > 0) return false;
  int n = static_cast<int>(complete.size());
  if (n < spec_.min || n >= spec_.max) return false;
  for (const auto& objective : objectives_) {
    if (relative_half_width(complete, objective.metric) > spec_.ci_rel_width) return true;
  }
  return false;
}

}  // namespace nictune

#include "orchestrator/runner/baseline_variants.hpp"

#include <algorithm>
#include <map>

#include "core/workload_variant.hpp"

namespace nictune {

bool BaselineVariants::add(const Json& baseline_point) {
  if (!seen_.insert(effective_workload_variant(baseline_point, document_).dump()).second)
    return false;
  known_.push_back(baseline_point);
  return true;
}

void BaselineVariants::remember(const TrialRecord& baseline_trial) {
  add(workload_variant(baseline_trial.point));
}

std::vector<Json> BaselineVariants::take_new(const std::vector<Point>& points) {
  std::vector<Json> fresh;
  for (const auto& point : points) {
    Json variant = workload_variant(point);
    if (add(variant)) fresh.push_back(std::move(variant));
  }
  return fresh;
}

std::vector<BaselineSeries> baseline_series(const std::vector<TrialRecord>& trials,
                                            const std::vector<Objective>& objectives,
                                            const Json& spec_document) {
  std::map<std::pair<std::string, std::string>, std::vector<double>> by_key;
  for (const auto& t : trials) {
    if (!t.baseline || t.outcome.state != TrialState::kComplete) continue;
    const std::string variant = variant_text(effective_workload_variant(t.point, spec_document));
    for (const auto& o : objectives) {
      auto it = t.outcome.metrics.find(o.metric);
      if (it != t.outcome.metrics.end()) by_key[{variant, o.metric}].push_back(it->second);
    }
  }
  std::vector<BaselineSeries> out;
  for (auto& [key, values] : by_key) out.push_back({key.first, key.second, std::move(values)});
  return out;
}

std::size_t workload_variant_count(const ExperimentSpec& spec) {
  if (!varies_workload(spec.document)) return 1;
  std::set<std::string> variants;
  std::size_t visited = 0;
  spec.space.for_each_grid_point([&](const Point& point) {
    variants.insert(effective_workload_variant(point, spec.document).dump());
    return ++visited < 100'000;  // an estimate: a larger grid counts what it saw
  });
  return std::max<std::size_t>(1, variants.size());
}

}  // namespace nictune

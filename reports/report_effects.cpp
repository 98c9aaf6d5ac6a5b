// Main effects: for each objective and knob, the points' means by the knob's value and the share
// of their spread (eta squared) the knob explains. One of build_report's steps.
#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "reports/report_steps.hpp"

namespace nictune::report::detail {
namespace {

bool json_less(const Json& a, const Json& b) {
  if (a.is_null() != b.is_null()) return b.is_null();  // inactive last
  if (a.is_number() && b.is_number()) return a.get<double>() < b.get<double>();
  if (a.is_boolean() && b.is_boolean()) return !a.get<bool>() && b.get<bool>();
  return a.dump() < b.dump();
}

}  // namespace

std::vector<KnobEffect> main_effects(const std::vector<Objective>& objectives,
                                     const std::vector<PointResult>& points) {
  std::vector<KnobEffect> out;
  for (std::size_t j = 0; j < objectives.size(); ++j) {
    std::vector<const PointResult*> measured;
    std::set<std::string> knobs;
    for (const auto& p : points) {
      if (p.baseline || p.complete == 0 || p.objectives[j].summary.n == 0) continue;
      measured.push_back(&p);
      for (const auto& item : p.config.items()) knobs.insert(item.key());
    }
    if (measured.size() < 2) continue;
    double grand = 0;
    for (const auto* p : measured) grand += p->objectives[j].summary.mean;
    grand /= static_cast<double>(measured.size());
    double total_ss = 0;
    for (const auto* p : measured) total_ss += std::pow(p->objectives[j].summary.mean - grand, 2);

    std::vector<KnobEffect> per_objective;
    for (const auto& knob : knobs) {
      std::map<std::string, EffectLevel> levels;  // by value's JSON text
      std::map<std::string, std::vector<double>> level_values;
      for (const auto* p : measured) {
        Json value = p->config.contains(knob) ? p->config.at(knob) : Json();
        const std::string key = value.dump();
        levels[key].value = value;
        level_values[key].push_back(p->objectives[j].summary.mean);
      }
      if (levels.size() < 2) continue;  // the knob never varied: it says nothing
      KnobEffect effect;
      effect.knob = knob;
      effect.metric = objectives[j].metric;
      double between_ss = 0;
      for (auto& [key, level] : levels) {
        const auto& xs = level_values[key];
        level.points = xs.size();
        level.mean = stats::mean(xs);
        level.min = *std::min_element(xs.begin(), xs.end());
        level.max = *std::max_element(xs.begin(), xs.end());
        between_ss += static_cast<double>(xs.size()) * std::pow(level.mean - grand, 2);
        effect.levels.push_back(level);
      }
      std::sort(
          effect.levels.begin(), effect.levels.end(),
          [](const EffectLevel& a, const EffectLevel& b) { return json_less(a.value, b.value); });
      effect.eta_squared = total_ss > 0 ? std::min(1.0, between_ss / total_ss) : 0;
      per_objective.push_back(std::move(effect));
    }
    std::stable_sort(
        per_objective.begin(), per_objective.end(),
        [](const KnobEffect& a, const KnobEffect& b) { return a.eta_squared > b.eta_squared; });
    for (auto& e : per_objective) out.push_back(std::move(e));
  }
  return out;
}

}  // namespace nictune::report::detail

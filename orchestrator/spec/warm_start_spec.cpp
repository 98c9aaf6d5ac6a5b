#include "orchestrator/spec/warm_start_spec.hpp"

#include "core/text_util.hpp"
#include "orchestrator/spec/field_reader.hpp"
#include "strategies/strategy.hpp"

namespace nictune {
namespace {

constexpr const char* kPath = "strategy.options.warm_start";

void parse_from(const Json& from, WarmStartSpec& out, Issues& issues) {
  const std::string path = std::string(kPath) + ".from";
  if (from.is_string()) {
    if (from.get<std::string>() == "same-model") return;
    issues.add(path,
               "expected \"same-model\" or a list of experiment ids, found " + json_brief(from));
    return;
  }
  if (!from.is_array() || from.empty()) {
    issues.add(path, "expected \"same-model\" or a non-empty list of experiment ids, found " +
                         json_brief(from));
    return;
  }
  out.same_model = false;
  for (std::size_t i = 0; i < from.size(); ++i) {
    const Json& id = from[i];
    if (id.is_number_integer() && id.get<std::int64_t>() > 0) {
      out.experiments.push_back(std::to_string(id.get<std::int64_t>()));
    } else if (id.is_string() && !id.get<std::string>().empty()) {
      out.experiments.push_back(id.get<std::string>());
    } else {
      issues.add(path + "[" + std::to_string(i) + "]",
                 "expected an experiment id (a positive integer) or name, found " + json_brief(id));
    }
  }
}

// "bayes learns", "a, b learn": the strategies whose entry says they learn from observations.
std::string learners() {
  std::vector<std::string> names;
  for (const auto& [name, entry] : strategy_registry())
    if (entry.learns_observations) names.push_back(name);
  return join(names, ", ") + (names.size() == 1 ? " learns" : " learn");
}

}  // namespace

void parse_warm_start(Json& options, const std::string& strategy, WarmStartSpec& out,
                      Issues& issues) {
  if (!options.is_object() || !options.contains("warm_start")) return;
  Json warm = options["warm_start"];
  options.erase("warm_start");
  FieldReader r(warm, kPath, issues, {"from", "points", "observations"});
  if (!r.ok()) return;
  out.enabled = true;
  if (r.has("from")) parse_from(r.raw("from"), out, issues);
  out.points = static_cast<int>(r.integer("points", 0, 1000).value_or(out.points));
  // An unknown strategy is reported by the strategy parser; here it just learns nothing.
  const auto& strategies = strategy_registry();
  auto entry = strategies.find(strategy);
  const bool learns = entry != strategies.end() && entry->second.learns_observations;
  out.observations = learns;
  if (auto observations = r.boolean("observations")) {
    if (*observations && !learns) {
      issues.add(r.path("observations"), "only " + learners() + " from earlier observations; " +
                                             strategy + " can reuse points only (\"points\": K)");
    }
    out.observations = *observations && learns;
  }
}

}  // namespace nictune

#include "core/knob_catalog.hpp"

namespace nictune {

const std::vector<KnobInfo>& knob_catalog() {
  using T = KnobValueType;
  using S = KnobScope;
  static const std::vector<KnobInfo> catalog = {
#define NICTUNE_KNOB(factory, name, type, scope, unit, description) \
  {name, T::type, S::scope, unit, description, KnobRestore::kApplyOrder},
#define NICTUNE_SERVICE(factory, name, description) \
  {name, T::kBool, S::kGlobal, "", description, KnobRestore::kAfterEveryKnob},
#define NICTUNE_SYSCTL(key, unit, min, description) \
  {"sysctl." key, T::kInt, S::kGlobal, unit, description " (" key ")", KnobRestore::kApplyOrder},
#define NICTUNE_PLACEMENT(name, description, handled_by) \
  {name, T::kCpuPolicy, S::kApplication, "", description, KnobRestore::kApplyOrder},
#include "core/knob_table.hpp"
#undef NICTUNE_KNOB
#undef NICTUNE_SERVICE
#undef NICTUNE_SYSCTL
#undef NICTUNE_PLACEMENT
  };
  return catalog;
}

const KnobInfo* find_knob(std::string_view name) {
  for (const auto& knob : knob_catalog()) {
    if (knob.name == name) return &knob;
  }
  return nullptr;
}

std::vector<std::string> knob_names() {
  std::vector<std::string> names;
  for (const auto& knob : knob_catalog()) names.push_back(knob.name);
  return names;
}

const std::string& placement_knob_name() {
  static const std::string name = [] {
    for (const auto& knob : knob_catalog()) {
      if (knob.scope == KnobScope::kApplication) return knob.name;
    }
    return std::string();
  }();
  return name;
}

bool is_placement_knob(std::string_view name) {
  const KnobInfo* knob = find_knob(name);
  return knob && knob->scope == KnobScope::kApplication;
}

std::string_view to_string(KnobValueType type) {
  switch (type) {
    case KnobValueType::kInt:
      return "integer";
    case KnobValueType::kBool:
      return "boolean";
    case KnobValueType::kCpuPolicy:
      return "CPU policy";
    case KnobValueType::kChoice:
      return "choice";
  }
  return "?";
}

KnobRef split_knob_key(const std::string& key) {
  // "workload.payload" varies the trial's workload, not a host: no host role matches it.
  if (key.rfind("workload.", 0) == 0) return {"workload", key.substr(9)};
  auto colon = key.find(':');
  if (colon == std::string::npos) return {"dut", key};
  return {key.substr(0, colon), key.substr(colon + 1)};
}

}  // namespace nictune

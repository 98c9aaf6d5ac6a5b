#include "agents/knobs/registry.hpp"

#include "agents/knobs/sysctl_knob.hpp"
#include "core/errors.hpp"

namespace nictune::agent {

const std::vector<std::pair<std::string_view, KnobFactory>>& knob_factories() {
  static const std::vector<std::pair<std::string_view, KnobFactory>> factories = {
#define NICTUNE_KNOB(factory, name, type, scope, unit, description) {name, make_##factory##_knob},
#define NICTUNE_SERVICE(factory, name, description) {name, make_##factory##_knob},
// Macro parameters are not named like SysctlSpec's members, which they would replace.
#define NICTUNE_SYSCTL(sysctl_key, unit, minimum, description)           \
  {"sysctl." sysctl_key, +[](const KnobInfo& info) {                     \
     return make_sysctl_knob(info, {.key = sysctl_key, .min = minimum}); \
   }},
#define NICTUNE_PLACEMENT(name, description, handled_by)
#include "core/knob_table.hpp"
#undef NICTUNE_KNOB
#undef NICTUNE_SERVICE
#undef NICTUNE_SYSCTL
#undef NICTUNE_PLACEMENT
  };
  return factories;
}

const std::vector<std::pair<std::string_view, std::string_view>>& knobs_handled_elsewhere() {
  static const std::vector<std::pair<std::string_view, std::string_view>> names = {
#define NICTUNE_KNOB(factory, name, type, scope, unit, description)
#define NICTUNE_SERVICE(factory, name, description)
#define NICTUNE_SYSCTL(key, unit, min, description)
#define NICTUNE_PLACEMENT(name, description, handled_by) {name, handled_by},
#include "core/knob_table.hpp"
#undef NICTUNE_KNOB
#undef NICTUNE_SERVICE
#undef NICTUNE_SYSCTL
#undef NICTUNE_PLACEMENT
  };
  return names;
}

KnobRegistry::KnobRegistry() {
  for (const auto& [name, factory] : knob_factories()) {
    const KnobInfo* info = find_knob(name);
    if (!info)
      throw Error(ErrorCode::kInternal, "knob \"" + std::string(name) + "\" is not in the catalog");
    knobs_.push_back(factory(*info));
  }
}

const Knob* KnobRegistry::find(std::string_view name) const {
  for (const auto& knob : knobs_) {
    if (knob->name() == name) return knob.get();
  }
  return nullptr;
}

std::size_t KnobRegistry::order(std::string_view name) const {
  for (std::size_t i = 0; i < knobs_.size(); ++i) {
    if (knobs_[i]->name() == name) return i;
  }
  return knobs_.size();
}

std::size_t KnobRegistry::restore_order(std::string_view name) const {
  const std::size_t apply = order(name);
  const Knob* knob = find(name);
  const bool last = knob && knob->info().restore == KnobRestore::kAfterEveryKnob;
  return last ? apply + knobs_.size() + 1 : apply;
}

std::vector<std::string> KnobRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& knob : knobs_) out.push_back(knob->name());
  return out;
}

}  // namespace nictune::agent

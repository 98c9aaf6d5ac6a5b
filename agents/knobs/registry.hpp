// The name -> factory map of every knob the agent can write, made from core/knob_table.hpp's
// rows (one per knob) in the table's order, which is the order an apply writes them (and a
// restore puts them back).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agents/knobs/knob.hpp"

namespace nictune::agent {

// make_<factory>_knob for every row of core/knob_table.hpp that names one; each is defined in
// its family file.
#define NICTUNE_KNOB(factory, name, type, scope, unit, description) \
  std::unique_ptr<Knob> make_##factory##_knob(const KnobInfo& info);
#define NICTUNE_SERVICE(factory, name, description) \
  std::unique_ptr<Knob> make_##factory##_knob(const KnobInfo& info);
#define NICTUNE_SYSCTL(key, unit, min, description)
#define NICTUNE_PLACEMENT(name, description, handled_by)
#include "core/knob_table.hpp"
#undef NICTUNE_KNOB
#undef NICTUNE_SERVICE
#undef NICTUNE_SYSCTL
#undef NICTUNE_PLACEMENT

// The pid of a running irqbalance (from <procfs>/N/comm), 0 when none.
int find_irqbalance(const KernelFiles& files);

// Catalog name -> factory, in apply order.
const std::vector<std::pair<std::string_view, KnobFactory>>& knob_factories();

// Catalog names that are not written by `apply` and why (app.cpus: placement of the load).
const std::vector<std::pair<std::string_view, std::string_view>>& knobs_handled_elsewhere();

// One instance of every knob, in apply order.
class KnobRegistry {
 public:
  KnobRegistry();
  const std::vector<std::unique_ptr<Knob>>& all() const { return knobs_; }
  const Knob* find(std::string_view name) const;
  // Position in apply order (for sorting), or all().size() when unknown.
  std::size_t order(std::string_view name) const;
  // Position in restore order: the apply order, except for rows restored after every knob
  // (KnobRestore::kAfterEveryKnob: services).
  std::size_t restore_order(std::string_view name) const;
  std::vector<std::string> names() const;

 private:
  std::vector<std::unique_ptr<Knob>> knobs_;
};

}  // namespace nictune::agent

// The names of everything a search space may vary. This is vocabulary shared by the spec
// validator and the agents; how a knob is written lives in agents/knobs/. The rows are
// core/knob_table.hpp's, one per knob, which the agent's registry reads as well.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace nictune {

// kChoice: one of a few named values, checked by the knob (xps_rxqs: "none", "same-index").
enum class KnobValueType { kInt, kBool, kCpuPolicy, kChoice };

enum class KnobScope {
  kInterface,    // per network interface (channels, rps, coalesce, ...)
  kGlobal,       // host-wide sysctl (exists only in the root network namespace)
  kApplication,  // placement of the load generator/server threads
};

// When a restore writes a knob back.
enum class KnobRestore {
  kApplyOrder,      // in apply order, like apply writes it
  kAfterEveryKnob,  // services: irqbalance started before irq_affinity is written back would
                    // balance the experiment's placement, not the original
};

struct KnobInfo {
  std::string name;  // "coalesce.rx_usecs"
  KnobValueType type;
  KnobScope scope;
  std::string unit;         // "us", "frames", "entries", "" ...
  std::string description;  // one line, for `nictune probe` and docs
  KnobRestore restore = KnobRestore::kApplyOrder;
};

// In apply order (core/knob_table.hpp).
const std::vector<KnobInfo>& knob_catalog();
const KnobInfo* find_knob(std::string_view name);
std::vector<std::string> knob_names();

// The catalog name of the application-placement knob (scope kApplication): what the runner
// passes to serve.start/load.run instead of writing it, and whether `name` is it.
const std::string& placement_knob_name();
bool is_placement_knob(std::string_view name);

std::string_view to_string(KnobValueType type);

// Space keys may name the host: "rps" (DUT, the default) or "lg:rps". "workload.<field>" is
// no knob: role "workload", knob the field name (core/workload_params.hpp).
struct KnobRef {
  std::string role;  // "dut", "lg" or "workload"
  std::string knob;  // catalog name (the workload field for role "workload")
};
KnobRef split_knob_key(const std::string& key);

}  // namespace nictune

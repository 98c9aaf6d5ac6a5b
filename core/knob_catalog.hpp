// The names of everything a search space may vary. This is vocabulary shared by the spec
// validator and the agents; how a knob is written lives in agents/knobs/.
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

struct KnobInfo {
  std::string name;  // "coalesce.rx_usecs"
  KnobValueType type;
  KnobScope scope;
  std::string unit;         // "us", "frames", "entries", "" ...
  std::string description;  // one line, for `nictune probe` and docs
};

const std::vector<KnobInfo>& knob_catalog();
const KnobInfo* find_knob(std::string_view name);
std::vector<std::string> knob_names();

std::string_view to_string(KnobValueType type);

// Space keys may name the host: "rps" (DUT, the default) or "lg:rps". "workload.<field>" is
// no knob: role "workload", knob the field name (core/workload_params.hpp).
struct KnobRef {
  std::string role;  // "dut", "lg" or "workload"
  std::string knob;  // catalog name (the workload field for role "workload")
};
KnobRef split_knob_key(const std::string& key);

}  // namespace nictune

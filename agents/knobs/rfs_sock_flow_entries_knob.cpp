// rfs.sock_flow_entries: the global RFS socket flow table (net.core.rps_sock_flow_entries). The
// kernel keeps roundup_pow_of_two(value) and refuses more than 1 << 29.
#include "agents/knobs/registry.hpp"
#include "agents/knobs/sysctl_knob.hpp"

namespace nictune::agent {

std::unique_ptr<Knob> make_rfs_sock_flow_entries_knob(const KnobInfo& info) {
  return make_sysctl_knob(
      info, {.key = "net.core.rps_sock_flow_entries", .max = 1 << 29, .rounds_to_pow2 = true});
}

}  // namespace nictune::agent

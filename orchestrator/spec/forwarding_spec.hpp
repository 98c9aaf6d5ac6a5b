// The "forwarding" member of a bench (hosts.forwarding / benches[i].forwarding): the DUT routes
// instead of serving. The LG sends out of its interface into the DUT's (the bench's dut and lg
// interfaces are the ingress link), the DUT forwards out of `dut_egress`, and the LG's sink on
// `lg_sink` counts what came through at `sink_address`. `nictune lab up --forwarding` builds
// such a bench and writes it into its template. Documented in docs/spec.md ("forwarding").
#pragma once

#include <optional>
#include <string>

#include "core/host_spec.hpp"
#include "core/issues.hpp"
#include "core/json_util.hpp"

namespace nictune {

struct ForwardingSpec {
  std::string dut_egress;    // the DUT's link toward the sink ("nt-dut1")
  std::string lg_sink;       // the LG's link the sink receives on ("nt-lg1")
  std::string sink_address;  // where the LG's sink listens, routed through the DUT
};

// Reads bench[path] = {"dut_egress", "lg_sink", "sink_address"}; every problem goes to `issues`
// under `path` (a bench without two links on either side, a sink that is not an IPv4 address, a
// DUT on loopback or shared with the LG). nullopt when anything is wrong.
std::optional<ForwardingSpec> parse_forwarding(const Json& doc, const std::string& path,
                                               const HostSpec& dut, const HostSpec& lg,
                                               Issues& issues);

// Metrics only a forwarding bench measures ("fwd_pps", "dut_egress_tx_pps", ...).
bool is_forwarding_metric(const std::string& metric);

}  // namespace nictune

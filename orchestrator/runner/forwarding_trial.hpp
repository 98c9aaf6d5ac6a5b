// What a forwarding measurement adds to a trial: the DUT's ingress rx and egress tx counts over
// the counter window, set against what the LG sent and what its sink received, and the flag
// when the DUT's egress and the sink disagree by more than 1 %.
#pragma once

#include <map>
#include <string>

#include "core/json_util.hpp"
#include "orchestrator/spec/forwarding_spec.hpp"

namespace nictune {

// Beyond this relative difference between the DUT's egress tx count and the sink's count, the
// trial's outcome.details.forwarding says "counters_agree": false.
inline constexpr double kForwardingCounterTolerance = 0.01;

// `dut_counters` is counters.stop's "details" (the window opened with the ingress as interface
// and the egress in "links"), `client` load.run's answer, `served` the sink's serve.stop.
// Adds fwd_pps, dut_ingress_rx_pps, dut_egress_tx_pps, fwd_counter_mismatch to `metrics` and
// returns outcome.details.forwarding.
Json forwarding_outcome(const ForwardingSpec& forwarding, const Json& dut_counters,
                        const Json& client, const Json& served,
                        std::map<std::string, double>& metrics);

// The busiest CPU's softirq share in a counter window's per_cpu rows (percent), or -1.
double max_cpu_softirq(const Json& counter_details);

}  // namespace nictune

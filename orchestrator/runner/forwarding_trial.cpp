#include "orchestrator/runner/forwarding_trial.hpp"

#include <algorithm>
#include <cmath>

namespace nictune {
namespace {

double number_at(const Json& object, std::initializer_list<const char*> path) {
  const Json* at = &object;
  for (const char* key : path) {
    if (!at->is_object() || !at->contains(key)) return 0;
    at = &(*at)[key];
  }
  return at->is_number() ? at->get<double>() : 0;
}

}  // namespace

Json forwarding_outcome(const ForwardingSpec& forwarding, const Json& dut_counters,
                        const Json& client, const Json& served,
                        std::map<std::string, double>& metrics) {
  // The counter window spans the whole load (warm-up included), so the ends are compared over
  // all of it: everything the sink's socket saw (measured, warm-up, foreign datagrams and what
  // the socket dropped: those crossed the DUT too) against the DUT's egress tx count.
  double sink = number_at(served, {"counts", "rx_packets"}) +
                number_at(served, {"details", "warmup_packets"}) +
                number_at(served, {"details", "foreign_packets"});
  if (served.is_object() && served.contains("details"))
    for (const auto& t : served["details"].value("threads", Json::array()))
      sink += number_at(t, {"socket_drops"});
  const double sent = number_at(client, {"counts", "tx_packets"}) +
                      number_at(client, {"details", "warmup", "tx_packets"});
  const double ingress_rx = number_at(dut_counters, {"link", "rx_packets"});
  const Json links = dut_counters.value("links", Json::object());
  const double egress_tx = number_at(links, {forwarding.dut_egress.c_str(), "tx_packets"});
  const bool egress_seen = links.contains(forwarding.dut_egress);
  const double seconds = number_at(dut_counters, {"seconds"});

  if (metrics.count("rx_pps")) metrics["fwd_pps"] = metrics["rx_pps"];
  if (seconds > 0) {
    metrics["dut_ingress_rx_pps"] = ingress_rx / seconds;
    if (egress_seen) metrics["dut_egress_tx_pps"] = egress_tx / seconds;
  }
  Json out = {{"dut_egress", forwarding.dut_egress},
              {"sink_address", forwarding.sink_address},
              {"lg_sent_packets", sent},
              {"dut_ingress_rx_packets", ingress_rx},
              {"dut_egress_tx_packets", egress_tx},
              {"sink_packets", sink},
              {"dut_dropped_packets", std::max(0.0, ingress_rx - egress_tx)}};
  if (!egress_seen) {
    out["counters_agree"] = false;
    out["why"] = "the DUT's counter window has no statistics of " + forwarding.dut_egress;
    return out;
  }
  const double mismatch =
      sink > 0 ? std::fabs(egress_tx - sink) / sink : (egress_tx > 0 ? 1.0 : 0.0);
  metrics["fwd_counter_mismatch"] = mismatch;
  out["counter_mismatch"] = mismatch;
  out["counters_agree"] = mismatch <= kForwardingCounterTolerance;
  return out;
}

double max_cpu_softirq(const Json& counter_details) {
  double most = -1;
  for (const auto& row : counter_details.value("per_cpu", Json::array())) {
    if (row.contains("softirq") && row["softirq"].is_number())
      most = std::max(most, row["softirq"].get<double>());
  }
  return most;
}

}  // namespace nictune

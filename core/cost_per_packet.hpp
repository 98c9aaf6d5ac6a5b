// What a packet costs the DUT: busy CPU time over a counter window divided by the packets the DUT
// received in it. The figure that says how many cores a setting needs at a given rate, the
// "cycles per packet" of NIC qualification reports, as nanoseconds so it does not depend on the
// clock frequency.
#pragma once

#include <optional>
#include <string>

#include "core/json_util.hpp"

namespace nictune {

struct CostPerPacket {
  double packets = 0;        // received by the DUT over the window
  double cpu_seconds = 0;    // busy CPU time of the DUT over the window, summed over CPUs
  double seconds = 0;        // the counter window
  std::string packets_from;  // "interface" (link rx_packets) or "sink" (the load's count)
  double rx_pps_per_cpu() const { return packets / cpu_seconds; }
  double cpu_ns_per_packet() const { return cpu_seconds * 1e9 / packets; }
  Json to_json() const;
};

// From the details of a DUT counter window (counters.stop: "seconds", "per_cpu"[].busy in
// percent, "link".rx_packets): packets are the interface's rx_packets over the window; when the
// interface counted none, `sink_rx_pps` (the load's received rate) times the window. Nothing when
// the window has no CPU time or no packets to divide by.
std::optional<CostPerPacket> cost_per_packet(const Json& counter_details, double sink_rx_pps);

}  // namespace nictune

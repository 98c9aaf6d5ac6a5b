// The forwarding shape of the veth lab (`lab up --forwarding`): a second data link so the LG
// sends into the DUT on one link and its sink receives what the DUT routes out of the other.
//
//   LG nt-lg0 198.18.(2K).2 ──> nt-dut0 198.18.(2K).1  DUT (ip_forward=1)
//                                nt-dut1 198.18.(2K+1).129 ──> nt-lg1 198.18.(2K+1).130  LG sink
//
// The DUT routes the destination prefix 198.18.(2K+1).192/26 to the LG's nt-lg1; the sink
// listens on 198.18.(2K+1).193 there. Since sender and sink share the LG's namespace, the LG's
// locally generated packets to that prefix are steered by a policy rule (checked before the
// local table) out of nt-lg0, and nt-lg1 accepts packets whose source is one of its own
// addresses (accept_local). The source prefix 198.18.(2K).128/25 is local on the LG (a `local`
// route on lo), so generators can give each flow its own source address from it.
// Everything lives inside the lab's namespaces: lab_down removes it with them.
#pragma once

#include <string>

#include "core/json_util.hpp"

namespace nictune::lab {

struct LabState;

struct ForwardingPlan {
  std::string dut_ingress;  // nt-dut0 (the lab's data link)
  std::string dut_egress = "nt-dut1";
  std::string lg_egress;            // nt-lg0: where the LG sends from
  std::string lg_sink = "nt-lg1";   // where the LG's sink receives
  std::string dut_ingress_address;  // 198.18.(2K).1: the LG's next hop
  std::string dut_egress_address;   // 198.18.(2K+1).129
  std::string lg_sink_address;      // 198.18.(2K+1).130: the DUT's next hop
  std::string destination_prefix;   // 198.18.(2K+1).192/26
  std::string sink_address;         // 198.18.(2K+1).193
  std::string source_prefix;        // 198.18.(2K).128/25, local on the LG
  int policy_table = 198;           // the LG's routing table for traffic into the DUT

  Json to_json() const;
};

ForwardingPlan plan_forwarding(const LabState& state);

// What differs between the veth and the VM lab's forwarding templates.
struct ForwardingTemplate {
  std::string name;
  std::string description;
  Json parameters;                   // space.parameters
  Json constraints = Json::array();  // space.constraints (layouts tied together)
  double rate_pps = 0;               // 0: the LG's full rate
};

// The template of a forwarding lab: `hosts` (the lab's DUT and LG) with the forwarding member
// naming the egress link, the sink's link and the sink address, the given layouts, address-spread
// 64-byte UDP toward the sink, forwarded packets/s and loss as objectives.
Json forwarding_experiment(const ForwardingPlan& plan, Json hosts, const ForwardingTemplate& what);
// The veth lab's: RPS layouts on the ingress (all on CPU 0, spread, spread without CPU 0).
Json forwarding_experiment(const LabState& state, const ForwardingPlan& plan, Json hosts);

// Creates the second link (with the lab's queue count), addresses, routes, rules and
// namespace sysctls. Throws Error(kIo) naming the step that failed; the caller removes the lab.
void add_forwarding(const LabState& state, const ForwardingPlan& plan, int queues);

// The LG's side of any forwarding lab, in its namespace `lg_netns`: the sink address on
// `plan.lg_sink`, the policy rule that sends the LG's own packets for the destination prefix
// into the DUT (via `plan.dut_ingress_address` out of `plan.lg_egress`), the source prefix local
// on lo, and a sink link that accepts packets from the LG's own addresses.
void add_lg_forwarding(const std::string& lg_netns, const ForwardingPlan& plan);

}  // namespace nictune::lab

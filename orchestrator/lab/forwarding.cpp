#include "orchestrator/lab/forwarding.hpp"

#include <fstream>

#include "core/errors.hpp"
#include "orchestrator/lab/lab.hpp"
#include "orchestrator/lab/lab_files.hpp"
#include "orchestrator/lab/netns.hpp"

namespace nictune::lab {
namespace {

const LabHost& host(const LabState& state, const std::string& role) {
  for (const auto& h : state.hosts)
    if (h.role == role) return h;
  throw Error(ErrorCode::kInternal, "lab state has no " + role + " host");
}

// A namespace's /proc/sys/net is only reachable from inside it: `ip netns exec NS sysctl -w`.
void sysctl(const std::string& netns, const std::string& key, const std::string& value) {
  ip({"netns", "exec", netns, "sysctl", "-q", "-w", key + "=" + value}, "set " + key);
}

}  // namespace

Json ForwardingPlan::to_json() const {
  return {{"dut_ingress", dut_ingress},
          {"dut_egress", dut_egress},
          {"lg_egress", lg_egress},
          {"lg_sink", lg_sink},
          {"dut_ingress_address", dut_ingress_address},
          {"dut_egress_address", dut_egress_address},
          {"lg_sink_address", lg_sink_address},
          {"destination_prefix", destination_prefix},
          {"sink_address", sink_address},
          {"source_prefix", source_prefix}};
}

ForwardingPlan plan_forwarding(const LabState& state) {
  ForwardingPlan p;
  const LabHost& dut = host(state, "dut");
  const LabHost& lg = host(state, "lg");
  const int data = 2 * state.index;
  const int upper = 2 * state.index + 1;  // management uses .0/30 and .4/30
  p.dut_ingress = dut.data_interface;
  p.lg_egress = lg.data_interface;
  p.dut_ingress_address = dut.data_address;
  p.dut_egress_address = block_address(upper, 129);
  p.lg_sink_address = block_address(upper, 130);
  p.destination_prefix = block_address(upper, 192) + "/26";
  p.sink_address = block_address(upper, 193);
  p.source_prefix = block_address(data, 128) + "/25";
  return p;
}

Json forwarding_experiment(const ForwardingPlan& plan, Json hosts, const ForwardingTemplate& what) {
  hosts["forwarding"] = {{"dut_egress", plan.dut_egress},
                         {"lg_sink", plan.lg_sink},
                         {"sink_address", plan.sink_address}};
  // One flow per source address, so a hash on addresses (RSS, RPS) has as many flows to spread.
  const int flows = 8;
  Json workload = {{"type", "udp_stream"},
                   {"payload", 64},
                   {"flows", flows},
                   {"source_prefix", plan.source_prefix},
                   {"source_addresses", flows},
                   {"duration_s", 3},
                   {"warmup_s", 1}};
  if (what.rate_pps > 0) workload["rate_pps"] = what.rate_pps;
  Json space = {{"parameters", what.parameters}};
  if (!what.constraints.empty()) space["constraints"] = what.constraints;
  return {{"version", 1},
          {"name", what.name},
          {"description",
           what.description + ", 64-byte UDP from " + std::to_string(flows) + " source addresses"},
          {"hosts", hosts},
          {"space", space},
          {"workload", workload},
          {"objectives",
           {{{"metric", "fwd_pps"}, {"goal", "max"}}, {{"metric", "loss_ratio"}, {"goal", "min"}}}},
          {"strategy", {{"type", "grid"}, {"budget", 20}, {"seed", 1}}},
          {"repetitions", {{"count", 1}}}};
}

Json forwarding_experiment(const LabState& state, const ForwardingPlan& plan, Json hosts) {
  ForwardingTemplate what;
  what.name = "lab-" + state.name + "-forwarding";
  what.description = "forwarding lab \"" + state.name +
                     "\" (nictune lab up --forwarding): the DUT routes LG -> sink; RPS layouts on "
                     "its ingress";
  what.parameters = {{"rps", {"single:0", "spread", "spread-skip:0"}}};
  return forwarding_experiment(plan, std::move(hosts), what);
}

void add_forwarding(const LabState& state, const ForwardingPlan& p, int queues) {
  const LabHost& dut = host(state, "dut");
  const LabHost& lg = host(state, "lg");
  const std::string q = std::to_string(queues);
  ip({"link",
      "add",
      p.dut_egress,
      "netns",
      dut.netns,
      "numtxqueues",
      q,
      "numrxqueues",
      q,
      "type",
      "veth",
      "peer",
      "name",
      p.lg_sink,
      "netns",
      lg.netns,
      "numtxqueues",
      q,
      "numrxqueues",
      q},
     "create the forwarding egress link");
  ip({"-n", dut.netns, "addr", "add", p.dut_egress_address + "/26", "dev", p.dut_egress},
     "address the DUT's egress link");
  ip({"-n", lg.netns, "addr", "add", p.lg_sink_address + "/26", "dev", p.lg_sink},
     "address the LG's sink link");
  ip({"-n", dut.netns, "link", "set", p.dut_egress, "up"}, "bring up the DUT's egress link");
  ip({"-n", lg.netns, "link", "set", p.lg_sink, "up"}, "bring up the LG's sink link");

  // The DUT routes the destination prefix out of its egress link.
  sysctl(dut.netns, "net.ipv4.ip_forward", "1");
  ip({"-n", dut.netns, "route", "add", p.destination_prefix, "via", p.lg_sink_address, "dev",
      p.dut_egress},
     "route the destination prefix on the DUT");

  add_lg_forwarding(lg.netns, p);
  sysctl(dut.netns, "net.ipv4.conf.all.rp_filter", "0");
}

void add_lg_forwarding(const std::string& lg_netns, const ForwardingPlan& p) {
  ip({"-n", lg_netns, "addr", "add", p.sink_address + "/32", "dev", p.lg_sink},
     "address the LG's sink");
  // The LG: its own packets to the prefix go into the DUT, not to its local sink.
  const std::string table = std::to_string(p.policy_table);
  ip({"-n", lg_netns, "route", "add", p.destination_prefix, "via", p.dut_ingress_address, "dev",
      p.lg_egress, "table", table},
     "route the destination prefix into the DUT");
  ip({"-n", lg_netns, "rule", "add", "pref", "10", "iif", "lo", "to", p.destination_prefix,
      "lookup", table},
     "steer the LG's own packets into the DUT");
  ip({"-n", lg_netns, "rule", "add", "pref", "100", "lookup", "local"},
     "move the local table after the steering rule");
  ip({"-n", lg_netns, "rule", "del", "pref", "0", "lookup", "local"},
     "move the local table after the steering rule");
  // Flows may come from any address of the source prefix: make it local on the LG.
  ip({"-n", lg_netns, "route", "add", "local", p.source_prefix, "dev", "lo"},
     "make the source prefix local on the LG");
  // What arrives at the sink has one of the LG's own addresses as its source.
  for (const std::string& dev : {std::string("all"), p.lg_sink}) {
    sysctl(lg_netns, "net.ipv4.conf." + dev + ".rp_filter", "0");
    sysctl(lg_netns, "net.ipv4.conf." + dev + ".accept_local", "1");
  }
}

}  // namespace nictune::lab

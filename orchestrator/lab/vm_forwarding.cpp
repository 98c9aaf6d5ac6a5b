#include "orchestrator/lab/vm_forwarding.hpp"

#include "core/errors.hpp"
#include "orchestrator/lab/lab_files.hpp"
#include "orchestrator/lab/netns.hpp"
#include "orchestrator/transport/subprocess.hpp"

namespace nictune::lab {
namespace {

using namespace std::chrono_literals;

// The seed's three layouts, as CPU policies the agent resolves against the guest's CPUs.
Json layouts() {
  return Json::array({"single:0", "spread", "spread-skip:0"});
}

}  // namespace

void check_vm_forwarding_nics(const std::vector<std::string>& nics) {
  if (nics.size() >= 2) return;
  throw invalid("--forwarding needs two data NICs, an ingress and an egress, but --nics gives " +
                std::to_string(nics.size()) + (nics.empty() ? "" : " (" + nics.front() + ")") +
                "; expected for example --nics virtio,e1000e (the first is the ingress, the "
                "second the egress)");
}

ForwardingPlan plan_vm_forwarding(const VmLabState& state) {
  check_vm_forwarding_nics([&] {
    std::vector<std::string> kinds;
    for (const auto& n : state.nics) kinds.push_back(n.kind);
    return kinds;
  }());
  const VmNic& in = state.nics[0];
  const VmNic& out = state.nics[1];
  const int data = 2 * state.index;
  const int upper = 2 * state.index + 1;  // management uses .0/30 and .4/30
  ForwardingPlan p;
  p.dut_ingress = in.guest_interface;
  p.dut_egress = out.guest_interface;
  p.lg_egress = in.lg_interface;
  p.lg_sink = out.lg_interface;
  p.dut_ingress_address = in.guest_address;
  p.dut_egress_address = out.guest_address;
  p.lg_sink_address = out.lg_address;
  p.destination_prefix = block_address(upper, 192) + "/26";
  p.sink_address = block_address(upper, 193);
  p.source_prefix = block_address(data, 128) + "/25";
  return p;
}

void add_vm_forwarding_lg(const VmLabState& state, const ForwardingPlan& plan) {
  add_lg_forwarding(state.lg.netns, plan);
}

void add_vm_forwarding_guest(const VmLabState& state, const ForwardingPlan& plan) {
  auto sink_link = link_info(plan.lg_sink, state.lg.netns);
  if (!sink_link || !sink_link->contains("address"))
    throw Error(ErrorCode::kIo, "forwarding: no MAC address for the LG's " + plan.lg_sink);
  const std::string mac = sink_link->at("address").get<std::string>();
  // busybox's shell runs the guest's commands and prefers its own `ip` applet: iproute2's is
  // /usr/sbin/ip. Every interface's rp_filter: the "all" value and the interface's are ORed.
  const std::string command =
      "echo 1 > /proc/sys/net/ipv4/ip_forward && "
      "for f in /proc/sys/net/ipv4/conf/*/rp_filter; do echo 0 > $f; done && "
      "/usr/sbin/ip neigh replace " +
      plan.lg_sink_address + " lladdr " + mac + " dev " + plan.dut_egress +
      " nud permanent && /usr/sbin/ip route replace " + plan.destination_prefix + " via " +
      plan.lg_sink_address + " dev " + plan.dut_egress;
  subprocess::run_checked(
      {"ssh", "-i", state.identity_file, "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes",
       "-o", "UserKnownHostsFile=" + state.known_hosts, "-o", "ConnectTimeout=20",
       "root@" + state.guest_mgmt_address, command},
      "turn on forwarding in the guest", 90s);
}

Json vm_forwarding_experiment(const VmLabState& state, const ForwardingPlan& plan) {
  ForwardingTemplate what;
  what.name = "vm-lab-" + state.name + "-forwarding";
  what.description = "forwarding VM lab \"" + state.name +
                     "\" (nictune lab up --vm --forwarding): " + state.kernel_release +
                     " guest routes " + plan.dut_ingress + " -> " + plan.dut_egress +
                     "; IRQ/RPS/XPS layouts on the ingress";
  what.parameters = {{"irq_affinity", layouts()}, {"rps", layouts()}, {"xps", layouts()}};
  what.constraints = Json::array({"rps == irq_affinity", "xps == irq_affinity"});
  // Under TCG the guest forwards a few thousand packets/s: the LG's full rate would measure
  // QEMU's drops at the host tap, not the guest.
  what.rate_pps = 3000;
  Json hosts = {{"dut", template_host_json(state.dut_spec())},
                {"lg", template_host_json(state.lg_spec())}};
  return forwarding_experiment(plan, std::move(hosts), what);
}

}  // namespace nictune::lab

// The forwarding shape of the VM lab (`lab up --vm --forwarding`): the guest routes between its
// first two data NICs, as the veth lab's DUT does between nt-dut0 and nt-dut1.
//
//   LG lg-virtio .2/28 ──> dut-virtio .1/28   guest (ip_forward=1)
//                           dut-e1000e .17/28 ──> lg-e1000e .18/28   LG sink 198.18.(2K+1).193
//
// The guest routes the destination prefix 198.18.(2K+1).192/26 out of its egress NIC to the
// LG's peer of it (a permanent neighbour entry: TCG may keep the guest too busy for ARP); the
// LG side (sink address, policy rule, source prefix 198.18.(2K).128/25) is the veth lab's
// (add_lg_forwarding). The LG's part lives in its namespace and goes with it at `lab down`; the
// guest's with the guest.
#pragma once

#include <vector>

#include "orchestrator/lab/forwarding.hpp"
#include "orchestrator/lab/vm_lab.hpp"

namespace nictune::lab {

// Throws Error(kInvalid) naming --nics when the data NICs cannot forward (fewer than two).
void check_vm_forwarding_nics(const std::vector<std::string>& nics);

// The plan from the lab's NICs: the first is the ingress, the second the egress.
ForwardingPlan plan_vm_forwarding(const VmLabState& state);

// The LG's side, before the guest boots.
void add_vm_forwarding_lg(const VmLabState& state, const ForwardingPlan& plan);

// The guest's side over its sshd (known_hosts written): forwarding on, reverse-path filtering
// off (the sources are the LG's spread prefix, routed nowhere in the guest), the route and the
// neighbour. Throws Error(kIo) with the guest's stderr.
void add_vm_forwarding_guest(const VmLabState& state, const ForwardingPlan& plan);

// The template of a forwarding VM lab: IRQ affinity, RPS and XPS layouts on the ingress, tied
// together (all on CPU 0, spread, spread without CPU 0) as seed 002 has them, at a rate TCG
// carries.
Json vm_forwarding_experiment(const VmLabState& state, const ForwardingPlan& plan);

}  // namespace nictune::lab

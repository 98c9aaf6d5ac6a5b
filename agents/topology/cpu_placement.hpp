// Resolves a CpuPolicy ("spread", "single:2", "same-as-irq", ...) into one CPU set per queue
// against the probed topology and the NIC's NUMA node and IRQs. Any CPU count.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "agents/topology/topology.hpp"
#include "core/cpu_policy.hpp"

namespace nictune::agent {

struct PlacementContext {
  const Topology* topology = nullptr;
  int nic_node = -1;  // -1: unknown or no device
  // For queue i, the CPUs its IRQ is placed on (effective affinity where the kernel has it);
  // nullopt when queue i has no IRQ of its own.
  std::vector<std::optional<CpuSet>> irq_cpus;
  std::string no_irq_reason;  // said when an IRQ-relative policy meets a queue without IRQ
};

// Throws Error(kInvalid) for CPUs that are not online and Error(kUnsupported) for a policy the
// host cannot honour (same-as-irq without IRQs, other-node on one node, ...).
std::vector<CpuSet> resolve_per_queue(const CpuPolicy& policy, const PlacementContext& context,
                                      unsigned queues);
// The CPUs a policy names when there are no queues (application pinning): per-queue policies
// give the union over `queues` queues.
CpuSet resolve_union(const CpuPolicy& policy, const PlacementContext& context, unsigned queues);
// True for policies whose result differs per queue.
bool is_per_queue(const CpuPolicy& policy);
// The CPUs spread/spread-skip hand out in order.
CpuSet spread_candidates(const CpuPolicy& policy, const PlacementContext& context);

}  // namespace nictune::agent

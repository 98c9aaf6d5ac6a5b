#include "agents/topology/cpu_placement.hpp"

#include "core/errors.hpp"

namespace nictune::agent {
namespace {

void require_online(const CpuPolicy& policy, const Topology& topology) {
  CpuSet missing = policy.cpus - topology.online;
  if (!missing.empty()) {
    throw invalid("policy \"" + policy.text + "\": CPU " + missing.to_list() +
                  (missing.count() > 1 ? " are" : " is") +
                  " not online (online: " + topology.online.to_list() + ")");
  }
}

const CpuSet& irq_cpus_of(const CpuPolicy& policy, const PlacementContext& context,
                          unsigned queue) {
  if (queue >= context.irq_cpus.size() || !context.irq_cpus[queue]) {
    std::string reason = context.no_irq_reason.empty()
                             ? "queue " + std::to_string(queue) + " has no IRQ of its own"
                             : context.no_irq_reason;
    throw Error(ErrorCode::kUnsupported, "policy \"" + policy.text + "\": " + reason);
  }
  return *context.irq_cpus[queue];
}

}  // namespace

bool is_per_queue(const CpuPolicy& policy) {
  switch (policy.kind) {
    case CpuPolicyKind::kSpread:
    case CpuPolicyKind::kSpreadSkip:
    case CpuPolicyKind::kSameAsIrq:
    case CpuPolicyKind::kIrqSiblings:
      return true;
    default:
      return false;
  }
}

CpuSet spread_candidates(const CpuPolicy& policy, const PlacementContext& context) {
  const Topology& t = *context.topology;
  CpuSet node = t.node_cpus(context.nic_node);
  // Isolated CPUs were set aside on purpose; spreading queues onto them would defeat that.
  CpuSet candidates = node - t.isolated;
  if (candidates.empty()) candidates = node;
  if (policy.kind == CpuPolicyKind::kSpreadSkip) {
    require_online(policy, t);
    candidates = candidates - policy.cpus;
    if (candidates.empty()) {
      throw invalid("policy \"" + policy.text + "\" leaves no CPU of the NIC's node (" +
                    node.to_list() + ")");
    }
  }
  return candidates;
}

std::vector<CpuSet> resolve_per_queue(const CpuPolicy& policy, const PlacementContext& context,
                                      unsigned queues) {
  if (!context.topology) throw Error(ErrorCode::kInternal, "placement without a topology");
  const Topology& t = *context.topology;
  std::vector<CpuSet> out;
  auto same_for_all = [&](const CpuSet& cpus) { out.assign(queues, cpus); };
  switch (policy.kind) {
    case CpuPolicyKind::kAll:
      same_for_all(t.online);
      break;
    case CpuPolicyKind::kNone:
      same_for_all(CpuSet());
      break;
    case CpuPolicyKind::kSingle:
    case CpuPolicyKind::kList:
    case CpuPolicyKind::kMask:
      require_online(policy, t);
      same_for_all(policy.cpus);
      break;
    case CpuPolicyKind::kSpread:
    case CpuPolicyKind::kSpreadSkip: {
      auto cpus = spread_candidates(policy, context).cpus();
      for (unsigned q = 0; q < queues; ++q) {
        CpuSet one;
        one.add(cpus[q % cpus.size()]);
        out.push_back(one);
      }
      break;
    }
    case CpuPolicyKind::kSameAsIrq:
      for (unsigned q = 0; q < queues; ++q) out.push_back(irq_cpus_of(policy, context, q));
      break;
    case CpuPolicyKind::kIrqSiblings:
      for (unsigned q = 0; q < queues; ++q) {
        const CpuSet& irq = irq_cpus_of(policy, context, q);
        CpuSet siblings;
        for (unsigned cpu : irq.cpus()) {
          auto it = t.siblings.find(cpu);
          if (it != t.siblings.end()) siblings = siblings | it->second;
        }
        siblings = siblings - irq;
        if (siblings.empty()) {
          throw Error(ErrorCode::kUnsupported,
                      "policy \"" + policy.text + "\": CPU " + irq.to_list() + " (queue " +
                          std::to_string(q) + "'s IRQ) has no SMT sibling (SMT off or absent)");
        }
        out.push_back(siblings);
      }
      break;
    case CpuPolicyKind::kOtherNode: {
      std::vector<unsigned> with_cpus;
      for (const auto& [node, cpus] : t.nodes) {
        if (!cpus.empty()) with_cpus.push_back(node);
      }
      if (with_cpus.size() < 2) {
        throw Error(ErrorCode::kUnsupported,
                    "policy \"" + policy.text + "\": the host has one NUMA node with CPUs");
      }
      if (context.nic_node < 0) {
        throw Error(ErrorCode::kUnsupported,
                    "policy \"" + policy.text +
                        "\": the NIC's NUMA node is unknown (numa_node is -1 or absent)");
      }
      CpuSet other;
      for (unsigned node : with_cpus) {
        if (static_cast<int>(node) != context.nic_node) {
          other = t.nodes.at(node);
          break;
        }
      }
      same_for_all(other);
      break;
    }
    case CpuPolicyKind::kLocalNode:
      same_for_all(t.node_cpus(context.nic_node));
      break;
  }
  return out;
}

CpuSet resolve_union(const CpuPolicy& policy, const PlacementContext& context, unsigned queues) {
  CpuSet all;
  if (!is_per_queue(policy)) {
    auto one = resolve_per_queue(policy, context, 1);
    return one.empty() ? all : one[0];
  }
  if (policy.kind == CpuPolicyKind::kSpread || policy.kind == CpuPolicyKind::kSpreadSkip) {
    if (queues == 0) return spread_candidates(policy, context);
  }
  for (const auto& cpus : resolve_per_queue(policy, context, queues)) all = all | cpus;
  return all;
}

}  // namespace nictune::agent

#include "core/knob_catalog.hpp"

namespace nictune {

const std::vector<KnobInfo>& knob_catalog() {
  using T = KnobValueType;
  using S = KnobScope;
  static const std::vector<KnobInfo> catalog = {
      {"channels.combined", T::kInt, S::kInterface, "queues",
       "combined channel count (ethtool -L combined)"},
      {"channels.rx", T::kInt, S::kInterface, "queues", "rx-only channel count (ethtool -L rx)"},
      {"channels.tx", T::kInt, S::kInterface, "queues", "tx-only channel count (ethtool -L tx)"},
      {"service.irqbalance", T::kBool, S::kGlobal, "",
       "irqbalance running (false: stopped with systemctl for the experiment, started again on "
       "restore)"},
      {"irq_affinity", T::kCpuPolicy, S::kInterface, "",
       "queue IRQ placement (/proc/irq/N/smp_affinity_list)"},
      {"rps", T::kCpuPolicy, S::kInterface, "",
       "receive packet steering mask per rx queue (queues/rx-N/rps_cpus)"},
      {"rfs.flow_cnt", T::kInt, S::kInterface, "entries",
       "RFS flow table size per rx queue (queues/rx-N/rps_flow_cnt)"},
      {"rfs.sock_flow_entries", T::kInt, S::kGlobal, "entries",
       "global RFS socket flow table (net.core.rps_sock_flow_entries)"},
      {"xps", T::kCpuPolicy, S::kInterface, "",
       "transmit packet steering mask per tx queue (queues/tx-N/xps_cpus)"},
      {"xps_rxqs", T::kChoice, S::kInterface, "",
       "transmit queue chosen by receive queue: none, same-index, all, list:Q "
       "(queues/tx-N/xps_rxqs)"},
      {"coalesce.rx_usecs", T::kInt, S::kInterface, "us",
       "rx interrupt coalescing delay (ethtool -C rx-usecs)"},
      {"coalesce.tx_usecs", T::kInt, S::kInterface, "us",
       "tx interrupt coalescing delay (ethtool -C tx-usecs)"},
      {"coalesce.rx_frames", T::kInt, S::kInterface, "frames",
       "rx frames per interrupt (ethtool -C rx-frames)"},
      {"coalesce.tx_frames", T::kInt, S::kInterface, "frames",
       "tx frames per interrupt (ethtool -C tx-frames)"},
      {"coalesce.adaptive_rx", T::kBool, S::kInterface, "",
       "adaptive rx coalescing (ethtool -C adaptive-rx)"},
      {"coalesce.adaptive_tx", T::kBool, S::kInterface, "",
       "adaptive tx coalescing (ethtool -C adaptive-tx)"},
      {"pause.autoneg", T::kBool, S::kInterface, "",
       "pause frame autonegotiation (ethtool -A autoneg)"},
      {"pause.rx", T::kBool, S::kInterface, "", "honour received pause frames (ethtool -A rx)"},
      {"pause.tx", T::kBool, S::kInterface, "", "send pause frames (ethtool -A tx)"},
      {"rings.rx", T::kInt, S::kInterface, "descriptors", "rx ring size (ethtool -G rx)"},
      {"rings.tx", T::kInt, S::kInterface, "descriptors", "tx ring size (ethtool -G tx)"},
      {"offload.gro", T::kBool, S::kInterface, "", "generic receive offload (ethtool -K gro)"},
      {"offload.lro", T::kBool, S::kInterface, "", "large receive offload (ethtool -K lro)"},
      {"offload.tso", T::kBool, S::kInterface, "", "TCP segmentation offload (ethtool -K tso)"},
      {"offload.gso", T::kBool, S::kInterface, "", "generic segmentation offload (ethtool -K gso)"},
      {"offload.rx_gro_hw", T::kBool, S::kInterface, "", "hardware GRO (ethtool -K rx-gro-hw)"},
      {"offload.ntuple", T::kBool, S::kInterface, "", "ntuple filters (ethtool -K ntuple)"},
      {"rss.queues", T::kInt, S::kInterface, "queues",
       "RSS indirection spread over the first N queues (ethtool -X equal N)"},
      {"rx_flow_hash.tcp4", T::kChoice, S::kInterface, "",
       "header fields RSS hashes for TCP/IPv4 flows: sd, sdfn, ... (ethtool -N rx-flow-hash tcp4)"},
      {"rx_flow_hash.udp4", T::kChoice, S::kInterface, "",
       "header fields RSS hashes for UDP/IPv4 flows: sd, sdfn, ... (ethtool -N rx-flow-hash udp4)"},
      {"rx_flow_hash.tcp6", T::kChoice, S::kInterface, "",
       "header fields RSS hashes for TCP/IPv6 flows: sd, sdfn, ... (ethtool -N rx-flow-hash tcp6)"},
      {"rx_flow_hash.udp6", T::kChoice, S::kInterface, "",
       "header fields RSS hashes for UDP/IPv6 flows: sd, sdfn, ... (ethtool -N rx-flow-hash udp6)"},
      {"sysctl.net.core.busy_poll", T::kInt, S::kGlobal, "us",
       "busy-poll time for poll/select (net.core.busy_poll)"},
      {"sysctl.net.core.busy_read", T::kInt, S::kGlobal, "us",
       "busy-poll time for socket reads (net.core.busy_read)"},
      {"sysctl.net.core.netdev_budget", T::kInt, S::kGlobal, "packets",
       "NAPI budget per softirq run (net.core.netdev_budget)"},
      {"sysctl.net.core.netdev_budget_usecs", T::kInt, S::kGlobal, "us",
       "NAPI time budget per softirq run (net.core.netdev_budget_usecs)"},
      {"sysctl.net.core.netdev_max_backlog", T::kInt, S::kGlobal, "packets",
       "per-CPU input backlog (net.core.netdev_max_backlog)"},
      {"sysctl.net.core.dev_weight", T::kInt, S::kGlobal, "packets",
       "NAPI weight of the backlog device (net.core.dev_weight)"},
      {"sysctl.net.core.rmem_max", T::kInt, S::kGlobal, "bytes",
       "max socket receive buffer (net.core.rmem_max)"},
      {"sysctl.net.core.wmem_max", T::kInt, S::kGlobal, "bytes",
       "max socket send buffer (net.core.wmem_max)"},
      {"sysctl.net.core.rmem_default", T::kInt, S::kGlobal, "bytes",
       "default socket receive buffer (net.core.rmem_default)"},
      {"sysctl.net.core.wmem_default", T::kInt, S::kGlobal, "bytes",
       "default socket send buffer (net.core.wmem_default)"},
      {"app.cpus", T::kCpuPolicy, S::kApplication, "",
       "CPUs the server (DUT) or sender (LG) threads are pinned to"},
  };
  return catalog;
}

const KnobInfo* find_knob(std::string_view name) {
  for (const auto& knob : knob_catalog()) {
    if (knob.name == name) return &knob;
  }
  return nullptr;
}

std::vector<std::string> knob_names() {
  std::vector<std::string> names;
  for (const auto& knob : knob_catalog()) names.push_back(knob.name);
  return names;
}

std::string_view to_string(KnobValueType type) {
  switch (type) {
    case KnobValueType::kInt:
      return "integer";
    case KnobValueType::kBool:
      return "boolean";
    case KnobValueType::kCpuPolicy:
      return "CPU policy";
    case KnobValueType::kChoice:
      return "choice";
  }
  return "?";
}

KnobRef split_knob_key(const std::string& key) {
  // "workload.payload" varies the trial's workload, not a host: no host role matches it.
  if (key.rfind("workload.", 0) == 0) return {"workload", key.substr(9)};
  auto colon = key.find(':');
  if (colon == std::string::npos) return {"dut", key};
  return {key.substr(0, colon), key.substr(colon + 1)};
}

}  // namespace nictune

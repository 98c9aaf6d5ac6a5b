#include "agents/knobs/registry.hpp"

#include "core/errors.hpp"

namespace nictune::agent {

const std::vector<std::pair<std::string_view, KnobFactory>>& knob_factories() {
  static const std::vector<std::pair<std::string_view, KnobFactory>> factories = {
      {"channels.combined", make_channels_combined_knob},
      {"channels.rx", make_channels_rx_knob},
      {"channels.tx", make_channels_tx_knob},
      {"rings.rx", make_rings_rx_knob},
      {"rings.tx", make_rings_tx_knob},
      {"rss.queues", make_rss_queues_knob},
      {"rx_flow_hash.tcp4", make_rx_flow_hash_tcp4_knob},
      {"rx_flow_hash.udp4", make_rx_flow_hash_udp4_knob},
      {"rx_flow_hash.tcp6", make_rx_flow_hash_tcp6_knob},
      {"rx_flow_hash.udp6", make_rx_flow_hash_udp6_knob},
      // Stopped before IRQ placement is written, or it moves the IRQs again.
      {"service.irqbalance", make_irqbalance_service_knob},
      {"irq_affinity", make_irq_affinity_knob},
      {"rps", make_rps_knob},
      {"rfs.sock_flow_entries", make_rfs_sock_flow_entries_knob},
      {"rfs.flow_cnt", make_rfs_flow_cnt_knob},
      {"xps", make_xps_knob},
      {"xps_rxqs", make_xps_rxqs_knob},
      {"offload.gro", make_offload_gro_knob},
      {"offload.lro", make_offload_lro_knob},
      {"offload.tso", make_offload_tso_knob},
      {"offload.gso", make_offload_gso_knob},
      {"offload.rx_gro_hw", make_offload_rx_gro_hw_knob},
      {"offload.ntuple", make_offload_ntuple_knob},
      {"coalesce.rx_usecs", make_coalesce_rx_usecs_knob},
      {"coalesce.tx_usecs", make_coalesce_tx_usecs_knob},
      {"coalesce.rx_frames", make_coalesce_rx_frames_knob},
      {"coalesce.tx_frames", make_coalesce_tx_frames_knob},
      {"coalesce.adaptive_rx", make_coalesce_adaptive_rx_knob},
      {"coalesce.adaptive_tx", make_coalesce_adaptive_tx_knob},
      {"pause.autoneg", make_pause_autoneg_knob},
      {"pause.rx", make_pause_rx_knob},
      {"pause.tx", make_pause_tx_knob},
      {"sysctl.net.core.busy_poll", make_sysctl_busy_poll_knob},
      {"sysctl.net.core.busy_read", make_sysctl_busy_read_knob},
      {"sysctl.net.core.netdev_budget", make_sysctl_netdev_budget_knob},
      {"sysctl.net.core.netdev_budget_usecs", make_sysctl_netdev_budget_usecs_knob},
      {"sysctl.net.core.netdev_max_backlog", make_sysctl_netdev_max_backlog_knob},
      {"sysctl.net.core.dev_weight", make_sysctl_dev_weight_knob},
      {"sysctl.net.core.rmem_max", make_sysctl_rmem_max_knob},
      {"sysctl.net.core.wmem_max", make_sysctl_wmem_max_knob},
      {"sysctl.net.core.rmem_default", make_sysctl_rmem_default_knob},
      {"sysctl.net.core.wmem_default", make_sysctl_wmem_default_knob},
  };
  return factories;
}

const std::vector<std::pair<std::string_view, std::string_view>>& knobs_handled_elsewhere() {
  static const std::vector<std::pair<std::string_view, std::string_view>> names = {
      {"app.cpus",
       "placement of the server/generator threads: resolve it with `resolve` and pass it to "
       "serve.start/load.run"},
  };
  return names;
}

KnobRegistry::KnobRegistry() {
  for (const auto& [name, factory] : knob_factories()) {
    const KnobInfo* info = find_knob(name);
    if (!info)
      throw Error(ErrorCode::kInternal, "knob \"" + std::string(name) + "\" is not in the catalog");
    knobs_.push_back(factory(*info));
  }
}

const Knob* KnobRegistry::find(std::string_view name) const {
  for (const auto& knob : knobs_) {
    if (knob->name() == name) return knob.get();
  }
  return nullptr;
}

std::size_t KnobRegistry::order(std::string_view name) const {
  for (std::size_t i = 0; i < knobs_.size(); ++i) {
    if (knobs_[i]->name() == name) return i;
  }
  return knobs_.size();
}

std::size_t KnobRegistry::restore_order(std::string_view name) const {
  const std::size_t apply = order(name);
  return name.starts_with("service.") ? apply + knobs_.size() + 1 : apply;
}

std::vector<std::string> KnobRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& knob : knobs_) out.push_back(knob->name());
  return out;
}

}  // namespace nictune::agent

// The visible name -> factory map of every knob the agent can write, in the order an apply
// writes them (and a restore puts them back): channels first, because they create and remove
// the queues the per-queue knobs live on.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agents/knobs/knob.hpp"

namespace nictune::agent {

std::unique_ptr<Knob> make_channels_combined_knob(const KnobInfo& info);
std::unique_ptr<Knob> make_channels_rx_knob(const KnobInfo& info);
std::unique_ptr<Knob> make_channels_tx_knob(const KnobInfo& info);
std::unique_ptr<Knob> make_rings_rx_knob(const KnobInfo& info);
std::unique_ptr<Knob> make_rings_tx_knob(const KnobInfo& info);
std::unique_ptr<Knob> make_rss_queues_knob(const KnobInfo& info);
std::unique_ptr<Knob> make_rx_flow_hash_tcp4_knob(const KnobInfo& info);
std::unique_ptr<Knob> make_rx_flow_hash_udp4_knob(const KnobInfo& info);
std::unique_ptr<Knob> make_rx_flow_hash_tcp6_knob(const KnobInfo& info);
std::unique_ptr<Knob> make_rx_flow_hash_udp6_knob(const KnobInfo& info);
std::unique_ptr<Knob> make_irqbalance_service_knob(const KnobInfo& info);
std::unique_ptr<Knob> make_irq_affinity_knob(const KnobInfo& info);
std::unique_ptr<Knob> make_rps_knob(const KnobInfo& info);
std::unique_ptr<Knob> make_rfs_sock_flow_entries_knob(const KnobInfo& info);
std::unique_ptr<Knob> make_rfs_flow_cnt_knob(const KnobInfo& info);
std::unique_ptr<Knob> make_xps_knob(const KnobInfo& info);
std::unique_ptr<Knob> make_xps_rxqs_knob(const KnobInfo& info);
std::unique_ptr<Knob> make_offload_gro_knob(const KnobInfo& info);
std::unique_ptr<Knob> make_offload_lro_knob(const KnobInfo& info);
std::unique_ptr<Knob> make_offload_tso_knob(const KnobInfo& info);
std::unique_ptr<Knob> make_offload_gso_knob(const KnobInfo& info);
std::unique_ptr<Knob> make_offload_rx_gro_hw_knob(const KnobInfo& info);
std::unique_ptr<Knob> make_offload_ntuple_knob(const KnobInfo& info);
std::unique_ptr<Knob> make_coalesce_rx_usecs_knob(const KnobInfo& info);
std::unique_ptr<Knob> make_coalesce_tx_usecs_knob(const KnobInfo& info);
std::unique_ptr<Knob> make_coalesce_rx_frames_knob(const KnobInfo& info);
std::unique_ptr<Knob> make_coalesce_tx_frames_knob(const KnobInfo& info);
std::unique_ptr<Knob> make_coalesce_adaptive_rx_knob(const KnobInfo& info);
std::unique_ptr<Knob> make_coalesce_adaptive_tx_knob(const KnobInfo& info);
std::unique_ptr<Knob> make_pause_autoneg_knob(const KnobInfo& info);
std::unique_ptr<Knob> make_pause_rx_knob(const KnobInfo& info);
std::unique_ptr<Knob> make_pause_tx_knob(const KnobInfo& info);
std::unique_ptr<Knob> make_sysctl_busy_poll_knob(const KnobInfo& info);
std::unique_ptr<Knob> make_sysctl_busy_read_knob(const KnobInfo& info);
std::unique_ptr<Knob> make_sysctl_netdev_budget_knob(const KnobInfo& info);
std::unique_ptr<Knob> make_sysctl_netdev_budget_usecs_knob(const KnobInfo& info);
std::unique_ptr<Knob> make_sysctl_netdev_max_backlog_knob(const KnobInfo& info);
std::unique_ptr<Knob> make_sysctl_dev_weight_knob(const KnobInfo& info);
std::unique_ptr<Knob> make_sysctl_rmem_max_knob(const KnobInfo& info);
std::unique_ptr<Knob> make_sysctl_wmem_max_knob(const KnobInfo& info);
std::unique_ptr<Knob> make_sysctl_rmem_default_knob(const KnobInfo& info);
std::unique_ptr<Knob> make_sysctl_wmem_default_knob(const KnobInfo& info);

// The pid of a running irqbalance (from <procfs>/N/comm), 0 when none.
int find_irqbalance(const KernelFiles& files);

// Catalog name -> factory, in apply order.
const std::vector<std::pair<std::string_view, KnobFactory>>& knob_factories();

// Catalog names that are not written by `apply` and why (app.cpus: placement of the load).
const std::vector<std::pair<std::string_view, std::string_view>>& knobs_handled_elsewhere();

// One instance of every knob, in apply order.
class KnobRegistry {
 public:
  KnobRegistry();
  const std::vector<std::unique_ptr<Knob>>& all() const { return knobs_; }
  const Knob* find(std::string_view name) const;
  // Position in apply order (for sorting), or all().size() when unknown.
  std::size_t order(std::string_view name) const;
  // Position in restore order: the apply order, except that services (service.*) come after
  // every knob - irqbalance started before irq_affinity is written back would balance the
  // experiment's placement, not the original.
  std::size_t restore_order(std::string_view name) const;
  std::vector<std::string> names() const;

 private:
  std::vector<std::unique_ptr<Knob>> knobs_;
};

}  // namespace nictune::agent

#include "reports/profile_breakdown.hpp"

#include <algorithm>

namespace nictune {
namespace {

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// Kernel function names (the kernel's own, stable for years) that mark each part of the path.
// Prefixes end in '_' where a family shares one.
constexpr std::string_view kDriverPrefixes[] = {
    "virtnet_", "virtqueue_", "vring_", "veth_",  "loopback_xmit", "igb_",   "igc_",
    "ixgbe_",   "i40e_",      "ice_",   "e1000_", "e1000e_",       "mlx5e_", "mlx4_en_",
    "bnxt_",    "tg3_",       "ena_",   "gve_",   "vmxnet3_",      "tun_",   "r8169_",
    "rtl8169_", "sfc_",       "efx_",   "nfp_",   "qede_",         "hns3_",  "xennet_"};
constexpr std::string_view kUdpReceive[] = {"udp_rcv",
                                            "__udp4_lib_rcv",
                                            "udp_queue_rcv_skb",
                                            "udp_queue_rcv_one_skb",
                                            "udp_unicast_rcv_skb",
                                            "__udp_enqueue_schedule_skb",
                                            "udp_recvmsg",
                                            "__skb_recv_udp",
                                            "skb_consume_udp",
                                            "udpv6_rcv",
                                            "__udp6_lib_rcv",
                                            "udpv6_recvmsg",
                                            "udp_gro_receive",
                                            "udp4_gro_receive",
                                            "__udp_queue_rcv_skb"};
constexpr std::string_view kNetRx[] = {"net_rx_action",
                                       "__napi_poll",
                                       "napi_poll",
                                       "process_backlog",
                                       "__netif_receive_skb",
                                       "netif_receive_skb",
                                       "napi_gro_receive",
                                       "gro_normal_list",
                                       "ip_rcv",
                                       "ip_rcv_finish",
                                       "ip_list_rcv",
                                       "ip_local_deliver",
                                       "ip_forward",
                                       "ip_forward_finish",
                                       "ip_route_input",
                                       "ip_sublist_rcv",
                                       "enqueue_to_backlog",
                                       "netif_rx",
                                       "ipv6_rcv",
                                       "ip6_forward",
                                       "napi_complete_done",
                                       "dev_gro_receive",
                                       "__netif_receive_skb_core"};
constexpr std::string_view kNetTx[] = {
    "udp_sendmsg",       "udp_send_skb",     "ip_output",      "ip_finish_output",
    "ip_finish_output2", "__dev_queue_xmit", "dev_queue_xmit", "dev_hard_start_xmit",
    "net_tx_action",     "sch_direct_xmit",  "__qdisc_run",    "ip_send_skb",
    "ip_make_skb",       "__ip_append_data", "ip6_output",     "udpv6_sendmsg",
    "validate_xmit_skb", "__ip_queue_xmit",  "ip_queue_xmit",  "tcp_sendmsg"};
constexpr std::string_view kIdle[] = {"do_idle",
                                      "cpu_idle_poll",
                                      "cpuidle_enter",
                                      "cpuidle_enter_state",
                                      "default_idle",
                                      "default_idle_call",
                                      "arch_cpu_idle",
                                      "native_safe_halt",
                                      "pv_native_safe_halt",
                                      "acpi_idle_enter",
                                      "intel_idle",
                                      "poll_idle",
                                      "cpu_startup_entry",
                                      "mwait_idle"};
constexpr std::string_view kOtherIrq[] = {
    "handle_softirqs",  "__do_softirq",     "do_softirq",        "irq_exit_rcu", "__irq_exit_rcu",
    "common_interrupt", "handle_irq_event", "run_timer_softirq", "rcu_core",     "tasklet_action"};

template <std::size_t N>
bool in(std::string_view name, const std::string_view (&names)[N]) {
  return std::find(std::begin(names), std::end(names), name) != std::end(names);
}

bool is_driver(std::string_view name) {
  return std::any_of(std::begin(kDriverPrefixes), std::end(kDriverPrefixes),
                     [&](std::string_view p) { return starts_with(name, p); });
}

// The specific categories a frame can decide; nullopt-like kOtherKernel means "look further".
bool specific(std::string_view name, ProfileCategory& out) {
  // Compiler clones (".isra.0", ".constprop.0", ".part.0") are the same function.
  const auto dot = name.find('.');
  if (dot != std::string_view::npos) name = name.substr(0, dot);
  if (is_driver(name))
    out = ProfileCategory::kDriver;
  else if (in(name, kUdpReceive))
    out = ProfileCategory::kUdpReceive;
  else if (in(name, kNetRx))
    out = ProfileCategory::kNetRx;
  else if (in(name, kNetTx))
    out = ProfileCategory::kNetTx;
  else if (in(name, kIdle))
    out = ProfileCategory::kIdle;
  else if (in(name, kOtherIrq))
    out = ProfileCategory::kOtherIrq;
  else
    return false;
  return true;
}

}  // namespace

std::string_view to_string(ProfileCategory category) {
  switch (category) {
    case ProfileCategory::kNetRx:
      return "softirq/NET_RX";
    case ProfileCategory::kDriver:
      return "driver";
    case ProfileCategory::kUdpReceive:
      return "UDP receive";
    case ProfileCategory::kNetTx:
      return "transmit";
    case ProfileCategory::kOtherIrq:
      return "other irq/softirq";
    case ProfileCategory::kApplication:
      return "application (user space)";
    case ProfileCategory::kIdle:
      return "idle";
    case ProfileCategory::kOtherKernel:
      return "other kernel";
  }
  return "?";
}

std::string_view category_key(ProfileCategory category) {
  switch (category) {
    case ProfileCategory::kNetRx:
      return "net_rx";
    case ProfileCategory::kDriver:
      return "driver";
    case ProfileCategory::kUdpReceive:
      return "udp_receive";
    case ProfileCategory::kNetTx:
      return "transmit";
    case ProfileCategory::kOtherIrq:
      return "other_irq";
    case ProfileCategory::kApplication:
      return "application";
    case ProfileCategory::kIdle:
      return "idle";
    case ProfileCategory::kOtherKernel:
      return "other_kernel";
  }
  return "?";
}

ProfileCategory classify_stack(std::string_view folded) {
  // Frames root first after the command name; walk from the leaf towards the root.
  bool user_leaf = false;
  bool any_frame = false;
  std::size_t end = folded.size();
  const std::size_t first_sep = folded.find(';');
  const std::string_view comm = folded.substr(0, first_sep);
  while (first_sep != std::string_view::npos && end > first_sep) {
    const std::size_t sep = folded.rfind(';', end - 1);
    std::string_view frame = folded.substr(sep + 1, end - sep - 1);
    end = sep;
    const bool kernel = frame.size() > kKernelSuffix.size() &&
                        frame.substr(frame.size() - kKernelSuffix.size()) == kKernelSuffix;
    if (!any_frame) user_leaf = !kernel;
    any_frame = true;
    if (!kernel) continue;
    frame.remove_suffix(kKernelSuffix.size());
    ProfileCategory c{};
    if (specific(frame, c)) return c;
  }
  if (starts_with(comm, "swapper")) return ProfileCategory::kIdle;
  if (user_leaf) return ProfileCategory::kApplication;
  return ProfileCategory::kOtherKernel;
}

double CpuBreakdown::share(ProfileCategory c) const {
  return samples ? double(counts[std::size_t(c)]) / double(samples) : 0.0;
}

std::vector<CpuBreakdown> breakdown(const FoldedProfile& profile) {
  std::vector<CpuBreakdown> rows;
  for (const auto& cpu : profile.cpus) {
    CpuBreakdown row;
    row.cpu = cpu.cpu;
    for (const auto& [stack, count] : cpu.stacks) {
      row.counts[std::size_t(classify_stack(stack))] += count;
      row.samples += count;
    }
    rows.push_back(row);
  }
  return rows;
}

}  // namespace nictune

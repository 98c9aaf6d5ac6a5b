// Where each CPU's time went, from a folded profile: every sample goes to one category, decided
// by the innermost frame that belongs to a known part of the network stack (a driver's poll
// inside net_rx_action is driver time, udp_rcv inside it UDP receive), else idle, else user
// space (the application and whatever else ran) or other kernel work.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/folded_profile.hpp"

namespace nictune {

enum class ProfileCategory {
  kNetRx,        // softirq NET_RX and the IP receive/forward path (net_rx_action, ip_rcv, ...)
  kDriver,       // NIC/virtual-device driver code (virtnet_*, igb_*, veth_*, loopback_xmit, ...)
  kUdpReceive,   // UDP delivery and socket receive (udp_rcv, udp_recvmsg, ...)
  kNetTx,        // transmit path (udp_sendmsg, ip_output, dev_queue_xmit, net_tx_action, ...)
  kOtherIrq,     // other interrupt and softirq work
  kApplication,  // user space
  kIdle,         // the idle loop
  kOtherKernel,  // any other kernel work (system calls, scheduler, memory management)
};
inline constexpr std::size_t kProfileCategoryCount = 8;

std::string_view to_string(ProfileCategory category);     // "softirq/NET_RX", "driver", ...
std::string_view category_key(ProfileCategory category);  // "net_rx", "driver", ... (JSON keys)

// The category of one folded stack ("comm;outer;...;leaf", kernel frames suffixed "_[k]").
ProfileCategory classify_stack(std::string_view folded);

struct CpuBreakdown {
  unsigned cpu = 0;
  std::uint64_t samples = 0;
  std::array<std::uint64_t, kProfileCategoryCount> counts{};  // by category
  double share(ProfileCategory c) const;                      // 0..1 of the CPU's samples
};

// One row per CPU that has samples, ascending.
std::vector<CpuBreakdown> breakdown(const FoldedProfile& profile);

}  // namespace nictune

// The ethtool ioctl (SIOCETHTOOL) behind an interface, so knobs and counters run unchanged
// against FakeEthtool in tests. Every call returns 0 or an errno and fills `out` on success; the
// errno is what a probe reports ("EOPNOTSUPP from the driver").
#pragma once

#include <linux/ethtool.h>
#include <linux/ethtool_netlink.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace nictune::agent {

// One named bit of the ETH_SS_FEATURES string set.
struct EthtoolFeature {
  std::string name;            // "rx-gro", "tx-tcp-segmentation"
  bool changeable = false;     // in `available` (hw_features): userspace may toggle it
  bool requested = false;      // what was asked for (ethtool -K)
  bool active = false;         // what the device does now (ethtool -k)
  bool never_changed = false;  // fixed for every device
};

// One field of struct ethtool_coalesce with its netlink attribute. The kernel's
// supported_coalesce_params has bit (attribute - ETHTOOL_A_COALESCE_RX_USECS) per field, so a
// mask of these bits says which fields a driver accepts.
struct CoalesceField {
  unsigned attribute;  // ETHTOOL_A_COALESCE_RX_USECS, ...
  __u32 ethtool_coalesce::*member;
  bool boolean;      // a u8 attribute (adaptive-rx/tx)
  const char* name;  // ethtool's name: "rx-usecs"
};
const std::vector<CoalesceField>& coalesce_fields();
std::uint32_t coalesce_bit(unsigned attribute);

struct EthtoolStat {
  std::string name;
  std::uint64_t value = 0;
};

class Ethtool {
 public:
  virtual ~Ethtool() = default;

  virtual int get_drvinfo(const std::string& ifname, ethtool_drvinfo& out) = 0;
  virtual int get_channels(const std::string& ifname, ethtool_channels& out) = 0;
  virtual int set_channels(const std::string& ifname, const ethtool_channels& value) = 0;
  virtual int get_coalesce(const std::string& ifname, ethtool_coalesce& out) = 0;
  virtual int set_coalesce(const std::string& ifname, const ethtool_coalesce& value) = 0;
  // Which coalescing fields the driver accepts (its supported_coalesce_params, coalesce_bit()
  // per field). EOPNOTSUPP when the driver has no coalescing or the kernel cannot tell (no
  // ethtool netlink family: before 5.6 or without CONFIG_ETHTOOL_NETLINK).
  virtual int get_coalesce_supported(const std::string& ifname, std::uint32_t& out) = 0;
  virtual int get_pause(const std::string& ifname, ethtool_pauseparam& out) = 0;
  virtual int set_pause(const std::string& ifname, const ethtool_pauseparam& value) = 0;
  virtual int get_rings(const std::string& ifname, ethtool_ringparam& out) = 0;
  virtual int set_rings(const std::string& ifname, const ethtool_ringparam& value) = 0;
  // ETHTOOL_GRXRINGS: how many rx queues RSS may use.
  virtual int get_rx_rings(const std::string& ifname, std::uint32_t& out) = 0;
  // ETHTOOL_GRXFHINDIR / SRXFHINDIR. Setting an empty table restores the driver's default.
  virtual int get_rss_indir(const std::string& ifname, std::vector<std::uint32_t>& out) = 0;
  virtual int set_rss_indir(const std::string& ifname, const std::vector<std::uint32_t>& table) = 0;
  // ETHTOOL_GRXFH / SRXFH: the header fields (RXH_* bits) RSS hashes for one flow type
  // (TCP_V4_FLOW, UDP_V6_FLOW, ...), `ethtool -n/-N rx-flow-hash`.
  virtual int get_rx_flow_hash(const std::string& ifname, std::uint32_t flow_type,
                               std::uint64_t& out) = 0;
  virtual int set_rx_flow_hash(const std::string& ifname, std::uint32_t flow_type,
                               std::uint64_t fields) = 0;
  // ETHTOOL_GFEATURES joined with the ETH_SS_FEATURES names.
  virtual int get_features(const std::string& ifname, std::vector<EthtoolFeature>& out) = 0;
  // ETHTOOL_SFEATURES for the named features (all must exist). The kernel may keep a requested
  // feature inactive (a dependency); callers read back.
  virtual int set_features(const std::string& ifname,
                           const std::vector<std::pair<std::string, bool>>& changes) = 0;
  // ETHTOOL_GSTATS joined with the ETH_SS_STATS names.
  virtual int get_stats(const std::string& ifname, std::vector<EthtoolStat>& out) = 0;
};

// The real one: SIOCETHTOOL on an AF_INET datagram socket of the agent's network namespace.
std::unique_ptr<Ethtool> make_ioctl_ethtool();

// Bounded copy of a fixed-size, maybe unterminated kernel char array.
std::string ethtool_string(const char* data, std::size_t size);

}  // namespace nictune::agent

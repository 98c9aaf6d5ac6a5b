// FakeEthtool: an in-memory stand-in for the ethtool ioctl, for tests and for running the agent
// against a fake sysfs/procfs root (`nictune-agent --fake-ethtool FILE`). It validates like the
// kernel's ethtool core (counts within the device maxima, at least one rx and one tx channel, an
// RSS table that only names existing rings), so knob code sees the same errors. A device field
// left empty answers EOPNOTSUPP, like a driver without that operation.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "agents/knobs/ethtool.hpp"
#include "core/json_util.hpp"

namespace nictune::agent {

struct FakeEthtoolDevice {
  std::string driver = "fake";
  std::string version = "1.0";
  std::string firmware;
  std::string bus_info;
  std::optional<ethtool_channels> channels;
  std::optional<ethtool_coalesce> coalesce;
  // The driver's supported_coalesce_params (coalesce_bit() per field); empty: a kernel that
  // cannot tell (before 5.7), where set_coalesce takes every field like the old ioctl did.
  std::optional<std::uint32_t> coalesce_supported;
  std::optional<ethtool_pauseparam> pause;
  std::optional<ethtool_ringparam> rings;
  std::optional<std::uint32_t> rx_rings;
  std::vector<std::uint32_t> rss_indir;  // empty: no RSS table (EOPNOTSUPP)
  bool rss_user_configured = false;
  // ETHTOOL_GRXFH per flow type (TCP_V4_FLOW, ...): RXH_* bits. Empty: no RSS hash control
  // (EOPNOTSUPP); a flow type not listed answers EINVAL, as drivers do.
  std::map<std::uint32_t, std::uint64_t> rx_flow_hash;
  // The RXH_* bits the driver lets userspace choose; a set with others is EINVAL.
  std::uint64_t rx_flow_hash_settable = RXH_IP_SRC | RXH_IP_DST | RXH_L4_B_0_1 | RXH_L4_B_2_3;
  std::vector<EthtoolFeature> features;  // empty: EOPNOTSUPP
  std::vector<EthtoolStat> stats;        // empty: EOPNOTSUPP
  // Operation name ("set_coalesce", "get_rings", ...) -> errno it answers, to test failures.
  std::map<std::string, int> fail;
};

class FakeEthtool final : public Ethtool {
 public:
  FakeEthtool() = default;
  // Loads the devices from `state_file` if it exists and writes them back after every change,
  // so a second process (`nictune-agent --restore`) sees what the first one left.
  explicit FakeEthtool(std::string state_file);

  FakeEthtoolDevice& device(const std::string& ifname) { return devices_[ifname]; }
  bool has_device(const std::string& ifname) const { return devices_.count(ifname) != 0; }
  // How many times an operation ran (any device), for tests that check "nothing was written".
  int calls(const std::string& operation) const;
  int set_calls() const;

  Json to_json() const;
  static FakeEthtool from_json(const Json& json);

  int get_drvinfo(const std::string& ifname, ethtool_drvinfo& out) override;
  int get_channels(const std::string& ifname, ethtool_channels& out) override;
  int set_channels(const std::string& ifname, const ethtool_channels& value) override;
  int get_coalesce(const std::string& ifname, ethtool_coalesce& out) override;
  int set_coalesce(const std::string& ifname, const ethtool_coalesce& value) override;
  int get_coalesce_supported(const std::string& ifname, std::uint32_t& out) override;
  int get_pause(const std::string& ifname, ethtool_pauseparam& out) override;
  int set_pause(const std::string& ifname, const ethtool_pauseparam& value) override;
  int get_rings(const std::string& ifname, ethtool_ringparam& out) override;
  int set_rings(const std::string& ifname, const ethtool_ringparam& value) override;
  int get_rx_rings(const std::string& ifname, std::uint32_t& out) override;
  int get_rx_flow_hash(const std::string& ifname, std::uint32_t flow_type,
                       std::uint64_t& out) override;
  int set_rx_flow_hash(const std::string& ifname, std::uint32_t flow_type,
                       std::uint64_t fields) override;
  int get_rss_indir(const std::string& ifname, std::vector<std::uint32_t>& out) override;
  int set_rss_indir(const std::string& ifname, const std::vector<std::uint32_t>& table) override;
  int get_features(const std::string& ifname, std::vector<EthtoolFeature>& out) override;
  int set_features(const std::string& ifname,
                   const std::vector<std::pair<std::string, bool>>& changes) override;
  int get_stats(const std::string& ifname, std::vector<EthtoolStat>& out) override;

 private:
  // The device, or nullptr with `error` set (ENODEV, or the injected failure for `operation`).
  FakeEthtoolDevice* enter(const std::string& ifname, const char* operation, int& error);
  void save() const;

  std::map<std::string, FakeEthtoolDevice> devices_;
  std::map<std::string, int> calls_;
  std::string state_file_;
};

}  // namespace nictune::agent

#include "agents/knobs/ethtool.hpp"

#include <linux/sockios.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "agents/knobs/ethtool_netlink.hpp"

namespace nictune::agent {
namespace {

// Hard caps on what a driver may claim, so a broken or hostile driver cannot make us allocate
// without bound.
constexpr std::uint32_t kMaxStrings = 1u << 16;
constexpr std::uint32_t kMaxIndirSize = 1u << 16;

class IoctlEthtool final : public Ethtool {
 public:
  IoctlEthtool() : fd_(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) {
    if (fd_ < 0) fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  }
  ~IoctlEthtool() override {
    if (fd_ >= 0) ::close(fd_);
  }
  IoctlEthtool(const IoctlEthtool&) = delete;
  IoctlEthtool& operator=(const IoctlEthtool&) = delete;

  int get_drvinfo(const std::string& ifname, ethtool_drvinfo& out) override {
    out = {};
    out.cmd = ETHTOOL_GDRVINFO;
    return call(ifname, &out);
  }
  int get_channels(const std::string& ifname, ethtool_channels& out) override {
    out = {};
    out.cmd = ETHTOOL_GCHANNELS;
    return call(ifname, &out);
  }
  int set_channels(const std::string& ifname, const ethtool_channels& value) override {
    ethtool_channels v = value;
    v.cmd = ETHTOOL_SCHANNELS;
    return call(ifname, &v);
  }
  int get_coalesce(const std::string& ifname, ethtool_coalesce& out) override {
    out = {};
    out.cmd = ETHTOOL_GCOALESCE;
    return call(ifname, &out);
  }
  int set_coalesce(const std::string& ifname, const ethtool_coalesce& value) override {
    ethtool_coalesce v = value;
    v.cmd = ETHTOOL_SCOALESCE;
    return call(ifname, &v);
  }
  int get_coalesce_supported(const std::string& ifname, std::uint32_t& out) override {
    ethtool_coalesce current;
    if (int error = get_coalesce(ifname, current)) return error;
    return netlink_coalesce_supported(ifname, current, out);
  }
  int get_pause(const std::string& ifname, ethtool_pauseparam& out) override {
    out = {};
    out.cmd = ETHTOOL_GPAUSEPARAM;
    return call(ifname, &out);
  }
  int set_pause(const std::string& ifname, const ethtool_pauseparam& value) override {
    ethtool_pauseparam v = value;
    v.cmd = ETHTOOL_SPAUSEPARAM;
    return call(ifname, &v);
  }
  int get_rings(const std::string& ifname, ethtool_ringparam& out) override {
    out = {};
    out.cmd = ETHTOOL_GRINGPARAM;
    return call(ifname, &out);
  }
  int set_rings(const std::string& ifname, const ethtool_ringparam& value) override {
    ethtool_ringparam v = value;
    v.cmd = ETHTOOL_SRINGPARAM;
    return call(ifname, &v);
  }
  int get_rx_rings(const std::string& ifname, std::uint32_t& out) override {
    ethtool_rxnfc nfc{};
    nfc.cmd = ETHTOOL_GRXRINGS;
    int error = call(ifname, &nfc);
    if (error == 0) out = static_cast<std::uint32_t>(nfc.data);
    return error;
  }
  int get_rx_flow_hash(const std::string& ifname, std::uint32_t flow_type,
                       std::uint64_t& out) override {
    ethtool_rxnfc nfc{};
    nfc.cmd = ETHTOOL_GRXFH;
    nfc.flow_type = flow_type;
    int error = call(ifname, &nfc);
    if (error == 0) out = nfc.data;
    return error;
  }
  int set_rx_flow_hash(const std::string& ifname, std::uint32_t flow_type,
                       std::uint64_t fields) override {
    ethtool_rxnfc nfc{};
    nfc.cmd = ETHTOOL_SRXFH;
    nfc.flow_type = flow_type;
    nfc.data = fields;
    return call(ifname, &nfc);
  }
  int get_rss_indir(const std::string& ifname, std::vector<std::uint32_t>& out) override {
    ethtool_rxfh_indir head{};
    head.cmd = ETHTOOL_GRXFHINDIR;
    head.size = 0;
    if (int error = call(ifname, &head)) return error;
    if (head.size == 0) return EOPNOTSUPP;
    if (head.size > kMaxIndirSize) return E2BIG;
    std::vector<std::uint32_t> buffer(2 + head.size);
    buffer[0] = ETHTOOL_GRXFHINDIR;
    buffer[1] = head.size;
    if (int error = call(ifname, buffer.data())) return error;
    out.assign(buffer.begin() + 2, buffer.end());
    return 0;
  }
  int set_rss_indir(const std::string& ifname, const std::vector<std::uint32_t>& table) override {
    if (table.size() > kMaxIndirSize) return E2BIG;
    std::vector<std::uint32_t> buffer = {ETHTOOL_SRXFHINDIR,
                                         static_cast<std::uint32_t>(table.size())};
    buffer.insert(buffer.end(), table.begin(), table.end());
    return call(ifname, buffer.data());
  }
  int get_features(const std::string& ifname, std::vector<EthtoolFeature>& out) override {
    std::vector<std::string> names;
    if (int error = get_strings(ifname, ETH_SS_FEATURES, names)) return error;
    std::uint32_t blocks = static_cast<std::uint32_t>((names.size() + 31) / 32);
    std::vector<std::uint32_t> buffer(2 + 4 * static_cast<std::size_t>(blocks));
    buffer[0] = ETHTOOL_GFEATURES;
    buffer[1] = blocks;
    if (int error = call(ifname, buffer.data())) return error;
    out.clear();
    for (std::size_t i = 0; i < names.size(); ++i) {
      const std::uint32_t* block = &buffer[2 + 4 * (i / 32)];
      std::uint32_t bit = 1u << (i % 32);
      out.push_back({names[i], (block[0] & bit) != 0, (block[1] & bit) != 0, (block[2] & bit) != 0,
                     (block[3] & bit) != 0});
    }
    return 0;
  }
  int set_features(const std::string& ifname,
                   const std::vector<std::pair<std::string, bool>>& changes) override {
    std::vector<std::string> names;
    if (int error = get_strings(ifname, ETH_SS_FEATURES, names)) return error;
    std::uint32_t blocks = static_cast<std::uint32_t>((names.size() + 31) / 32);
    std::vector<std::uint32_t> buffer(2 + 2 * static_cast<std::size_t>(blocks), 0);
    buffer[0] = ETHTOOL_SFEATURES;
    buffer[1] = blocks;
    for (const auto& [name, on] : changes) {
      auto it = std::find(names.begin(), names.end(), name);
      if (it == names.end()) return ENOENT;
      std::size_t i = static_cast<std::size_t>(it - names.begin());
      std::uint32_t bit = 1u << (i % 32);
      buffer[2 + 2 * (i / 32)] |= bit;
      if (on) buffer[3 + 2 * (i / 32)] |= bit;
    }
    // A positive return carries ETHTOOL_F_* flags (wish not granted, ...): not an error; the
    // caller reads back what the device does.
    return call(ifname, buffer.data());
  }
  int get_stats(const std::string& ifname, std::vector<EthtoolStat>& out) override {
    std::vector<std::string> names;
    if (int error = get_strings(ifname, ETH_SS_STATS, names)) return error;
    // ethtool_stats: u32 cmd, u32 n_stats, then the u64 values.
    const std::uint32_t head[2] = {ETHTOOL_GSTATS, static_cast<std::uint32_t>(names.size())};
    std::uint64_t first = 0;
    std::memcpy(&first, head, sizeof head);
    std::vector<std::uint64_t> buffer = {first};
    buffer.resize(1 + names.size(), 0);
    if (int error = call(ifname, buffer.data())) return error;
    out.clear();
    for (std::size_t i = 0; i < names.size(); ++i) out.push_back({names[i], buffer[1 + i]});
    return 0;
  }

 private:
  int call(const std::string& ifname, void* data) {
    if (fd_ < 0) return EBADF;
    if (ifname.empty() || ifname.size() >= IFNAMSIZ) return EINVAL;
    ifreq request{};
    std::memcpy(request.ifr_name, ifname.data(), ifname.size());
    request.ifr_data = static_cast<char*>(data);
    return ::ioctl(fd_, SIOCETHTOOL, &request) < 0 ? errno : 0;
  }

  int get_strings(const std::string& ifname, std::uint32_t set, std::vector<std::string>& out) {
    // ethtool_sset_info with one u32 of data after the mask.
    alignas(8) std::uint32_t info[6] = {};
    auto* head = reinterpret_cast<ethtool_sset_info*>(info);
    head->cmd = ETHTOOL_GSSET_INFO;
    head->sset_mask = std::uint64_t{1} << set;
    if (int error = call(ifname, info)) return error;
    if (!(head->sset_mask & (std::uint64_t{1} << set))) return EOPNOTSUPP;
    std::uint32_t count = info[4];
    if (count > kMaxStrings) return E2BIG;
    std::vector<char> buffer(sizeof(ethtool_gstrings) + std::size_t{count} * ETH_GSTRING_LEN);
    auto* strings = reinterpret_cast<ethtool_gstrings*>(buffer.data());
    strings->cmd = ETHTOOL_GSTRINGS;
    strings->string_set = set;
    strings->len = count;
    if (int error = call(ifname, buffer.data())) return error;
    out.clear();
    const char* data = buffer.data() + sizeof(ethtool_gstrings);
    for (std::uint32_t i = 0; i < std::min(count, strings->len); ++i) {
      out.push_back(ethtool_string(data + std::size_t{i} * ETH_GSTRING_LEN, ETH_GSTRING_LEN));
    }
    return 0;
  }

  int fd_;
};

}  // namespace

std::unique_ptr<Ethtool> make_ioctl_ethtool() {
  return std::make_unique<IoctlEthtool>();
}

std::string ethtool_string(const char* data, std::size_t size) {
  return std::string(data, strnlen(data, size));
}

}  // namespace nictune::agent

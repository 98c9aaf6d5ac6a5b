#include "agents/knobs/fake_ethtool.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>

#include "agents/knobs/kernel_files.hpp"
#include "core/errors.hpp"

namespace nictune::agent {
namespace {

// Field tables: the JSON form of the kernel structs is {"field": value} for exactly these.
#define NICTUNE_U32_FIELD(type, field) \
  { #field, &type::field }

template <typename T>
using U32Fields = std::vector<std::pair<const char*, __u32 T::*>>;

const U32Fields<ethtool_channels>& channel_fields() {
  static const U32Fields<ethtool_channels> f = {
      NICTUNE_U32_FIELD(ethtool_channels, max_rx),
      NICTUNE_U32_FIELD(ethtool_channels, max_tx),
      NICTUNE_U32_FIELD(ethtool_channels, max_other),
      NICTUNE_U32_FIELD(ethtool_channels, max_combined),
      NICTUNE_U32_FIELD(ethtool_channels, rx_count),
      NICTUNE_U32_FIELD(ethtool_channels, tx_count),
      NICTUNE_U32_FIELD(ethtool_channels, other_count),
      NICTUNE_U32_FIELD(ethtool_channels, combined_count)};
  return f;
}

const U32Fields<ethtool_coalesce>& coalesce_json_fields() {
  static const U32Fields<ethtool_coalesce> f = {
      NICTUNE_U32_FIELD(ethtool_coalesce, rx_coalesce_usecs),
      NICTUNE_U32_FIELD(ethtool_coalesce, rx_max_coalesced_frames),
      NICTUNE_U32_FIELD(ethtool_coalesce, tx_coalesce_usecs),
      NICTUNE_U32_FIELD(ethtool_coalesce, tx_max_coalesced_frames),
      NICTUNE_U32_FIELD(ethtool_coalesce, use_adaptive_rx_coalesce),
      NICTUNE_U32_FIELD(ethtool_coalesce, use_adaptive_tx_coalesce)};
  return f;
}

const U32Fields<ethtool_pauseparam>& pause_fields() {
  static const U32Fields<ethtool_pauseparam> f = {NICTUNE_U32_FIELD(ethtool_pauseparam, autoneg),
                                                  NICTUNE_U32_FIELD(ethtool_pauseparam, rx_pause),
                                                  NICTUNE_U32_FIELD(ethtool_pauseparam, tx_pause)};
  return f;
}

const U32Fields<ethtool_ringparam>& ring_fields() {
  static const U32Fields<ethtool_ringparam> f = {
      NICTUNE_U32_FIELD(ethtool_ringparam, rx_max_pending),
      NICTUNE_U32_FIELD(ethtool_ringparam, tx_max_pending),
      NICTUNE_U32_FIELD(ethtool_ringparam, rx_pending),
      NICTUNE_U32_FIELD(ethtool_ringparam, tx_pending)};
  return f;
}

#undef NICTUNE_U32_FIELD

template <typename T>
Json struct_to_json(const T& value, const U32Fields<T>& fields) {
  Json out = Json::object();
  for (const auto& [name, member] : fields) out[name] = value.*member;
  return out;
}

template <typename T>
std::optional<T> struct_from_json(const Json& json, const char* key, const U32Fields<T>& fields) {
  if (!json.contains(key) || json[key].is_null()) return std::nullopt;
  T value{};
  for (const auto& [name, member] : fields) value.*member = json[key].value(name, 0u);
  return value;
}

void copy_string(char* dest, std::size_t size, const std::string& text) {
  std::memset(dest, 0, size);
  std::memcpy(dest, text.data(), std::min(size - 1, text.size()));
}

}  // namespace

FakeEthtool::FakeEthtool(std::string state_file) : state_file_(std::move(state_file)) {
  std::string text;
  if (read_text(state_file_, text) == 0 && !text.empty()) {
    devices_ = from_json(Json::parse(text)).devices_;
  }
}

int FakeEthtool::calls(const std::string& operation) const {
  auto it = calls_.find(operation);
  return it == calls_.end() ? 0 : it->second;
}

int FakeEthtool::set_calls() const {
  int total = 0;
  for (const auto& [name, count] : calls_) {
    if (name.starts_with("set_")) total += count;
  }
  return total;
}

FakeEthtoolDevice* FakeEthtool::enter(const std::string& ifname, const char* operation,
                                      int& error) {
  ++calls_[operation];
  auto it = devices_.find(ifname);
  if (it == devices_.end()) {
    error = ENODEV;
    return nullptr;
  }
  auto fail = it->second.fail.find(operation);
  if (fail != it->second.fail.end()) {
    error = fail->second;
    return nullptr;
  }
  error = 0;
  return &it->second;
}

void FakeEthtool::save() const {
  if (state_file_.empty()) return;
  std::string tmp = state_file_ + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << to_json().dump(1) << "\n";
  }
  std::rename(tmp.c_str(), state_file_.c_str());
}

int FakeEthtool::get_drvinfo(const std::string& ifname, ethtool_drvinfo& out) {
  int error;
  auto* d = enter(ifname, "get_drvinfo", error);
  if (!d) return error;
  out = {};
  copy_string(out.driver, sizeof out.driver, d->driver);
  copy_string(out.version, sizeof out.version, d->version);
  copy_string(out.fw_version, sizeof out.fw_version, d->firmware);
  copy_string(out.bus_info, sizeof out.bus_info, d->bus_info);
  out.n_stats = static_cast<__u32>(d->stats.size());
  return 0;
}

int FakeEthtool::get_channels(const std::string& ifname, ethtool_channels& out) {
  int error;
  auto* d = enter(ifname, "get_channels", error);
  if (!d) return error;
  if (!d->channels) return EOPNOTSUPP;
  out = *d->channels;
  return 0;
}

int FakeEthtool::set_channels(const std::string& ifname, const ethtool_channels& v) {
  int error;
  auto* d = enter(ifname, "set_channels", error);
  if (!d) return error;
  if (!d->channels) return EOPNOTSUPP;
  const auto& c = *d->channels;
  if (v.rx_count > c.max_rx || v.tx_count > c.max_tx || v.other_count > c.max_other ||
      v.combined_count > c.max_combined) {
    return EINVAL;
  }
  if (!v.combined_count && (!v.rx_count || !v.tx_count)) return EINVAL;
  std::uint32_t new_rx = v.combined_count + v.rx_count;
  if (d->rss_user_configured) {
    for (auto entry : d->rss_indir) {
      if (entry >= new_rx) return EINVAL;
    }
  }
  auto& stored = *d->channels;
  stored.rx_count = v.rx_count;
  stored.tx_count = v.tx_count;
  stored.other_count = v.other_count;
  stored.combined_count = v.combined_count;
  if (d->rx_rings) d->rx_rings = new_rx;
  if (!d->rss_indir.empty() && !d->rss_user_configured) {
    for (std::size_t i = 0; i < d->rss_indir.size(); ++i)
      d->rss_indir[i] = static_cast<std::uint32_t>(i % new_rx);
  }
  save();
  return 0;
}

int FakeEthtool::get_coalesce(const std::string& ifname, ethtool_coalesce& out) {
  int error;
  auto* d = enter(ifname, "get_coalesce", error);
  if (!d) return error;
  if (!d->coalesce) return EOPNOTSUPP;
  out = *d->coalesce;
  return 0;
}

int FakeEthtool::set_coalesce(const std::string& ifname, const ethtool_coalesce& value) {
  int error;
  auto* d = enter(ifname, "set_coalesce", error);
  if (!d) return error;
  if (!d->coalesce) return EOPNOTSUPP;
  // Like ethtool_set_coalesce() since 5.7: a non-zero field the driver does not declare.
  if (d->coalesce_supported) {
    for (const auto& field : coalesce_fields()) {
      if (value.*field.member && !(*d->coalesce_supported & coalesce_bit(field.attribute)))
        return EOPNOTSUPP;
    }
  }
  d->coalesce = value;
  save();
  return 0;
}

int FakeEthtool::get_coalesce_supported(const std::string& ifname, std::uint32_t& out) {
  int error;
  auto* d = enter(ifname, "get_coalesce_supported", error);
  if (!d) return error;
  if (!d->coalesce || !d->coalesce_supported) return EOPNOTSUPP;
  out = *d->coalesce_supported;
  return 0;
}

int FakeEthtool::get_pause(const std::string& ifname, ethtool_pauseparam& out) {
  int error;
  auto* d = enter(ifname, "get_pause", error);
  if (!d) return error;
  if (!d->pause) return EOPNOTSUPP;
  out = *d->pause;
  return 0;
}

int FakeEthtool::set_pause(const std::string& ifname, const ethtool_pauseparam& value) {
  int error;
  auto* d = enter(ifname, "set_pause", error);
  if (!d) return error;
  if (!d->pause) return EOPNOTSUPP;
  if (value.autoneg > 1 || value.rx_pause > 1 || value.tx_pause > 1) return EINVAL;
  d->pause = value;
  save();
  return 0;
}

int FakeEthtool::get_rings(const std::string& ifname, ethtool_ringparam& out) {
  int error;
  auto* d = enter(ifname, "get_rings", error);
  if (!d) return error;
  if (!d->rings) return EOPNOTSUPP;
  out = *d->rings;
  return 0;
}

int FakeEthtool::set_rings(const std::string& ifname, const ethtool_ringparam& v) {
  int error;
  auto* d = enter(ifname, "set_rings", error);
  if (!d) return error;
  if (!d->rings) return EOPNOTSUPP;
  if (v.rx_pending > d->rings->rx_max_pending || v.tx_pending > d->rings->tx_max_pending ||
      v.rx_pending == 0 || v.tx_pending == 0) {
    return EINVAL;
  }
  d->rings->rx_pending = v.rx_pending;
  d->rings->tx_pending = v.tx_pending;
  save();
  return 0;
}

int FakeEthtool::get_rx_rings(const std::string& ifname, std::uint32_t& out) {
  int error;
  auto* d = enter(ifname, "get_rx_rings", error);
  if (!d) return error;
  if (!d->rx_rings) return EOPNOTSUPP;
  out = *d->rx_rings;
  return 0;
}

int FakeEthtool::get_rx_flow_hash(const std::string& ifname, std::uint32_t flow_type,
                                  std::uint64_t& out) {
  int error;
  auto* d = enter(ifname, "get_rx_flow_hash", error);
  if (!d) return error;
  if (d->rx_flow_hash.empty()) return EOPNOTSUPP;
  auto it = d->rx_flow_hash.find(flow_type);
  if (it == d->rx_flow_hash.end()) return EINVAL;
  out = it->second;
  return 0;
}

int FakeEthtool::set_rx_flow_hash(const std::string& ifname, std::uint32_t flow_type,
                                  std::uint64_t fields) {
  int error;
  auto* d = enter(ifname, "set_rx_flow_hash", error);
  if (!d) return error;
  if (d->rx_flow_hash.empty()) return EOPNOTSUPP;
  auto it = d->rx_flow_hash.find(flow_type);
  if (it == d->rx_flow_hash.end() || (fields & ~d->rx_flow_hash_settable)) return EINVAL;
  it->second = fields;
  save();
  return 0;
}

int FakeEthtool::get_rss_indir(const std::string& ifname, std::vector<std::uint32_t>& out) {
  int error;
  auto* d = enter(ifname, "get_rss_indir", error);
  if (!d) return error;
  if (d->rss_indir.empty()) return EOPNOTSUPP;
  out = d->rss_indir;
  return 0;
}

int FakeEthtool::set_rss_indir(const std::string& ifname, const std::vector<std::uint32_t>& table) {
  int error;
  auto* d = enter(ifname, "set_rss_indir", error);
  if (!d) return error;
  if (d->rss_indir.empty() || !d->rx_rings) return EOPNOTSUPP;
  if (table.empty()) {
    for (std::size_t i = 0; i < d->rss_indir.size(); ++i) {
      d->rss_indir[i] = static_cast<std::uint32_t>(i % *d->rx_rings);
    }
    d->rss_user_configured = false;
    save();
    return 0;
  }
  if (table.size() != d->rss_indir.size()) return EINVAL;
  for (auto entry : table) {
    if (entry >= *d->rx_rings) return EINVAL;
  }
  d->rss_indir = table;
  d->rss_user_configured = true;
  save();
  return 0;
}

int FakeEthtool::get_features(const std::string& ifname, std::vector<EthtoolFeature>& out) {
  int error;
  auto* d = enter(ifname, "get_features", error);
  if (!d) return error;
  if (d->features.empty()) return EOPNOTSUPP;
  out = d->features;
  return 0;
}

int FakeEthtool::set_features(const std::string& ifname,
                              const std::vector<std::pair<std::string, bool>>& changes) {
  int error;
  auto* d = enter(ifname, "set_features", error);
  if (!d) return error;
  if (d->features.empty()) return EOPNOTSUPP;
  for (const auto& [name, on] : changes) {
    auto it = std::find_if(d->features.begin(), d->features.end(),
                           [&](const EthtoolFeature& f) { return f.name == name; });
    if (it == d->features.end()) return ENOENT;
  }
  for (const auto& [name, on] : changes) {
    auto it = std::find_if(d->features.begin(), d->features.end(),
                           [&](const EthtoolFeature& f) { return f.name == name; });
    // Like the kernel: bits outside hw_features are silently not changed.
    if (!it->changeable) continue;
    it->requested = on;
    it->active = on;
  }
  save();
  return 0;
}

int FakeEthtool::get_stats(const std::string& ifname, std::vector<EthtoolStat>& out) {
  int error;
  auto* d = enter(ifname, "get_stats", error);
  if (!d) return error;
  if (d->stats.empty()) return EOPNOTSUPP;
  out = d->stats;
  return 0;
}

Json FakeEthtool::to_json() const {
  Json devices = Json::object();
  for (const auto& [name, d] : devices_) {
    Json features = Json::array();
    for (const auto& f : d.features) {
      features.push_back({{"name", f.name},
                          {"changeable", f.changeable},
                          {"requested", f.requested},
                          {"active", f.active},
                          {"never_changed", f.never_changed}});
    }
    Json stats = Json::object();
    for (const auto& s : d.stats) stats[s.name] = s.value;
    Json flow_hash = Json::object();
    for (const auto& [flow, fields] : d.rx_flow_hash) flow_hash[std::to_string(flow)] = fields;
    devices[name] = {
        {"driver", d.driver},
        {"version", d.version},
        {"firmware", d.firmware},
        {"bus_info", d.bus_info},
        {"channels", d.channels ? struct_to_json(*d.channels, channel_fields()) : Json()},
        {"coalesce", d.coalesce ? struct_to_json(*d.coalesce, coalesce_json_fields()) : Json()},
        {"pause", d.pause ? struct_to_json(*d.pause, pause_fields()) : Json()},
        {"rings", d.rings ? struct_to_json(*d.rings, ring_fields()) : Json()},
        {"rx_rings", d.rx_rings ? Json(*d.rx_rings) : Json()},
        {"rss_indir", d.rss_indir},
        {"rss_user_configured", d.rss_user_configured},
        {"coalesce_supported", d.coalesce_supported ? Json(*d.coalesce_supported) : Json()},
        {"rx_flow_hash", flow_hash},
        {"rx_flow_hash_settable", d.rx_flow_hash_settable},
        {"features", features},
        {"stats", stats},
        {"fail", d.fail},
    };
  }
  return {{"devices", devices}};
}

FakeEthtool FakeEthtool::from_json(const Json& json) {
  FakeEthtool fake;
  const Json empty_array = Json::array();
  const Json empty_object = Json::object();
  if (!json.is_object() || !json.contains("devices") || !json["devices"].is_object()) {
    throw invalid("fake ethtool state: expected {\"devices\": {IFNAME: {...}}}");
  }
  for (const auto& [name, j] : json["devices"].items()) {
    FakeEthtoolDevice d;
    d.driver = j.value("driver", "fake");
    d.version = j.value("version", "1.0");
    d.firmware = j.value("firmware", "");
    d.bus_info = j.value("bus_info", "");
    d.channels = struct_from_json(j, "channels", channel_fields());
    d.coalesce = struct_from_json(j, "coalesce", coalesce_json_fields());
    d.pause = struct_from_json(j, "pause", pause_fields());
    d.rings = struct_from_json(j, "rings", ring_fields());
    if (j.contains("rx_rings") && !j["rx_rings"].is_null())
      d.rx_rings = j["rx_rings"].get<std::uint32_t>();
    if (j.contains("rss_indir")) d.rss_indir = j["rss_indir"].get<std::vector<std::uint32_t>>();
    d.rss_user_configured = j.value("rss_user_configured", false);
    if (j.contains("coalesce_supported") && !j["coalesce_supported"].is_null())
      d.coalesce_supported = j["coalesce_supported"].get<std::uint32_t>();
    const Json& flow_hash = j.contains("rx_flow_hash") ? j["rx_flow_hash"] : empty_object;
    for (const auto& [flow, fields] : flow_hash.items())
      d.rx_flow_hash[static_cast<std::uint32_t>(std::stoul(flow))] = fields.get<std::uint64_t>();
    d.rx_flow_hash_settable = j.value("rx_flow_hash_settable", d.rx_flow_hash_settable);
    const Json& features = j.contains("features") ? j["features"] : empty_array;
    for (const auto& f : features) {
      d.features.push_back({f.at("name").get<std::string>(), f.value("changeable", false),
                            f.value("requested", false), f.value("active", false),
                            f.value("never_changed", false)});
    }
    const Json& stats = j.contains("stats") ? j["stats"] : empty_object;
    for (const auto& [stat, value] : stats.items()) {
      d.stats.push_back({stat, value.get<std::uint64_t>()});
    }
    if (j.contains("fail")) d.fail = j["fail"].get<std::map<std::string, int>>();
    fake.devices_[name] = std::move(d);
  }
  return fake;
}

}  // namespace nictune::agent

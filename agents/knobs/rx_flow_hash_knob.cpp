// rx_flow_hash.<flow>: which header fields RSS hashes for a flow type (ETHTOOL_GRXFH/SRXFH,
// `ethtool -N $IFACE rx-flow-hash udp4 sdfn`). Whether UDP flows spread by port ("sdfn") or
// only by address ("sd", many drivers' default for UDP) often decides whether RSS spreads at
// all. The state is ethtool's letter string; bits without a letter are kept as "0x<hex>" so a
// restore writes back exactly what was read; "none" is no field at all.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "agents/knobs/registry.hpp"
#include "core/errors.hpp"

namespace nictune::agent {
namespace {

struct HashLetter {
  char letter;
  std::uint64_t bit;
};

// RXH_DISCARD is the int (1 << 31); ethtool ORs it into the u64 `data`, sign-extended, and
// drivers test it the same way, so "r" means exactly that value.
constexpr std::uint64_t kDiscard = static_cast<std::uint64_t>(std::int64_t{RXH_DISCARD});

// ethtool's letters, in the order it prints them.
constexpr HashLetter kLetters[] = {
    {'m', RXH_L2DA},   {'v', RXH_VLAN},     {'t', RXH_L3_PROTO}, {'s', RXH_IP_SRC},
    {'d', RXH_IP_DST}, {'f', RXH_L4_B_0_1}, {'n', RXH_L4_B_2_3}, {'r', kDiscard},
};

std::string hash_text(std::uint64_t fields) {
  // Hashing on nothing: what e1000e's GRXFH answers on 6.1 (`ethtool -n` prints "None").
  if (fields == 0) return "none";
  std::string out;
  std::uint64_t known = 0;
  for (const auto& l : kLetters) {
    known |= l.bit;
    if (fields & l.bit) out += l.letter;
  }
  if (fields & ~known) {
    char hex[32];
    std::snprintf(hex, sizeof hex, "0x%llx", static_cast<unsigned long long>(fields));
    return hex;
  }
  return out;
}

class RxFlowHashKnob final : public Knob {
 public:
  RxFlowHashKnob(const KnobInfo& info, std::uint32_t flow_type, const char* flow_name)
      : Knob(info), flow_type_(flow_type), flow_name_(flow_name) {}

  Json read(const KnobEnv& env) const override { return hash_text(get(env)); }

  Json range(const KnobEnv& env) const override {
    get(env);
    return {{"values", {"sd", "sdfn"}},
            {"letters",
             "m v t s d f n (L2 dst, VLAN, L3 proto, IP src, IP dst, L4 bytes 0-1, "
             "L4 bytes 2-3) or r (discard)"}};
  }

  Json target(const KnobEnv& env, const Json& requested) const override {
    std::uint64_t fields = parse(requested);
    get(env);  // supported at all?
    return hash_text(fields);
  }

  void write(const KnobEnv& env, const Json& state) const override {
    std::uint64_t fields = parse(state);
    if (int error = env.ethtool->set_rx_flow_hash(env.interface, flow_type_, fields)) {
      std::string what = name() + ": ETHTOOL_SRXFH " + flow_name_ + " " + hash_text(fields);
      if (error == EOPNOTSUPP)
        throw Error(ErrorCode::kUnsupported, what + ": EOPNOTSUPP from the driver");
      if (error == EINVAL)
        throw Error(ErrorCode::kInvalid,
                    what + ": EINVAL (the driver does not hash this combination of fields)");
      throw errno_error(error, what);
    }
    if (hash_fields_travel_with_rss_table(env)) resend_rss_table(env);
  }

  std::vector<std::string> commands(const KnobEnv& env, const Json& state) const override {
    std::vector<std::string> out = {"ethtool -N $IFACE rx-flow-hash " + std::string(flow_name_) +
                                    " " + hash_text(parse(state))};
    if (hash_fields_travel_with_rss_table(env))
      out.push_back("# " + std::string(flow_name_) +
                    ": virtio_net sends the hash fields with the RSS table: write the table in "
                    "use again (ethtool -X $IFACE ...)");
    return out;
  }

 private:
  std::uint64_t get(const KnobEnv& env) const {
    std::uint64_t fields = 0;
    if (int error = env.ethtool->get_rx_flow_hash(env.interface, flow_type_, fields)) {
      std::string what = std::string("ETHTOOL_GRXFH ") + flow_name_;
      if (error == EOPNOTSUPP)
        throw Error(ErrorCode::kUnsupported,
                    what + ": EOPNOTSUPP from the driver (no RSS hash field control)");
      if (error == EINVAL)
        throw Error(ErrorCode::kUnsupported,
                    what + ": EINVAL (the driver does not hash " + flow_name_ + " flows)");
      throw errno_error(error, what);
    }
    return fields;
  }

  std::uint64_t parse(const Json& value) const {
    auto expected = [&] {
      return invalid(name() + ": expected RSS hash fields as ethtool letters (\"sd\", \"sdfn\"; " +
                     "m v t s d f n, r alone to discard, or none), got " + json_brief(value));
    };
    if (!value.is_string()) throw expected();
    const std::string text = value.get<std::string>();
    if (text.starts_with("0x")) {
      char* end = nullptr;
      errno = 0;
      unsigned long long bits = std::strtoull(text.c_str() + 2, &end, 16);
      if (text.size() == 2 || *end != '\0' || errno != 0) throw expected();
      return bits;
    }
    if (text == "none") return 0;
    if (text.empty()) throw expected();
    std::uint64_t fields = 0;
    for (char c : text) {
      const HashLetter* found = nullptr;
      for (const auto& l : kLetters) {
        if (l.letter == c) found = &l;
      }
      if (!found || (fields & found->bit)) throw expected();
      fields |= found->bit;
    }
    if ((fields & kDiscard) && fields != kDiscard) throw expected();
    return fields;
  }

  // Drivers whose SRXFH only records the hash fields, which reach the device with the next RSS
  // configuration command. virtio_net keeps them in the RSS command it sends with the table and
  // key, and sends that command from SRXFH only while the rx-hashing feature is on (it exists
  // only with the device's hash-report feature, which QEMU's rss=on does not give): the fields
  // are accepted and read back but the device hashes as before (seen in the VM lab: UDP flows
  // that differ only in ports stayed on one queue until the table was written again).
  static bool hash_fields_travel_with_rss_table(const KnobEnv& env) {
    ethtool_drvinfo info{};
    if (env.ethtool->get_drvinfo(env.interface, info) != 0) return false;
    return std::string(info.driver) == "virtio_net";
  }

  // Writes the indirection table in use again, so the driver sends its RSS command with the new
  // hash fields. A table equal to the driver's default goes back as "default" (an empty
  // SRXFHINDIR), as rss.queues does: a full table would set the user-configured flag, which
  // blocks later channel reductions and was not there before.
  void resend_rss_table(const KnobEnv& env) const {
    std::vector<std::uint32_t> table;
    std::uint32_t rings = 0;
    const std::string what = name() + ": writing the RSS table again to send the hash fields";
    if (int error = env.ethtool->get_rss_indir(env.interface, table))
      throw errno_error(error, what + ": ETHTOOL_GRXFHINDIR");
    if (int error = env.ethtool->get_rx_rings(env.interface, rings))
      throw errno_error(error, what + ": ETHTOOL_GRXRINGS");
    bool is_default = rings > 0;
    for (std::size_t i = 0; i < table.size() && is_default; ++i) is_default = table[i] == i % rings;
    if (is_default) table.clear();
    if (int error = env.ethtool->set_rss_indir(env.interface, table))
      throw errno_error(error, what + ": ETHTOOL_SRXFHINDIR");
  }

  std::uint32_t flow_type_;
  const char* flow_name_;
};

}  // namespace

std::unique_ptr<Knob> make_rx_flow_hash_tcp4_knob(const KnobInfo& info) {
  return std::make_unique<RxFlowHashKnob>(info, TCP_V4_FLOW, "tcp4");
}
std::unique_ptr<Knob> make_rx_flow_hash_udp4_knob(const KnobInfo& info) {
  return std::make_unique<RxFlowHashKnob>(info, UDP_V4_FLOW, "udp4");
}
std::unique_ptr<Knob> make_rx_flow_hash_tcp6_knob(const KnobInfo& info) {
  return std::make_unique<RxFlowHashKnob>(info, TCP_V6_FLOW, "tcp6");
}
std::unique_ptr<Knob> make_rx_flow_hash_udp6_knob(const KnobInfo& info) {
  return std::make_unique<RxFlowHashKnob>(info, UDP_V6_FLOW, "udp6");
}

}  // namespace nictune::agent

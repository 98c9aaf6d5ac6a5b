// A configuration that survives reboots on a systemd host: a .link file (read by udev's
// net_setup_link when the device appears) for what systemd.link can set (channels, ring sizes,
// some offloads, coalescing, flow control; the keys of systemd 252, Debian 12), and for the rest
// (queue IRQ affinity, RPS/XPS/flow counts, sysctls, RSS table, flow hashes, tso, which systemd
// maps to a subset of the kernel's TSO features) a udev rule that starts a oneshot template unit
// running a shell script once the device is there (after udev applied the .link, so channels
// are already final when IRQs are found by queue).
#include <map>

#include "core/errors.hpp"

#include "reports/export_commands.hpp"
#include "reports/export_shell.hpp"

namespace nictune::report {
namespace {

constexpr const char* kScriptDir = "/usr/local/lib/nictune";

// ethtool option + word -> systemd.link [Link] key, and the kind of value it takes.
struct LinkKey {
  const char* key;
  // kCount: channels and ring sizes, which udev 252 takes only from 1 up ("Invalid RxChannels=
  // value, ignoring: 0"), so a 0 stays in the script.
  enum class Value { kNumber, kCount, kBoolean, kMicroseconds } value;
};

const LinkKey* link_key(char option, const std::string& word) {
  using V = LinkKey::Value;
  static const std::map<std::pair<char, std::string>, LinkKey> table = {
      {{'L', "rx"}, {"RxChannels", V::kCount}},
      {{'L', "tx"}, {"TxChannels", V::kCount}},
      {{'L', "other"}, {"OtherChannels", V::kCount}},
      {{'L', "combined"}, {"CombinedChannels", V::kCount}},
      {{'G', "rx"}, {"RxBufferSize", V::kCount}},
      {{'G', "tx"}, {"TxBufferSize", V::kCount}},
      {{'G', "rx-mini"}, {"RxMiniBufferSize", V::kCount}},
      {{'G', "rx-jumbo"}, {"RxJumboBufferSize", V::kCount}},
      // Only features systemd maps to exactly the kernel features ethtool's word means.
      {{'K', "gro"}, {"GenericReceiveOffload", V::kBoolean}},
      {{'K', "gso"}, {"GenericSegmentationOffload", V::kBoolean}},
      {{'K', "lro"}, {"LargeReceiveOffload", V::kBoolean}},
      {{'K', "rx-gro-hw"}, {"GenericReceiveOffloadHardware", V::kBoolean}},
      {{'K', "ntuple"}, {"NTupleFilter", V::kBoolean}},
      {{'C', "rx-usecs"}, {"RxCoalesceSec", V::kMicroseconds}},
      {{'C', "tx-usecs"}, {"TxCoalesceSec", V::kMicroseconds}},
      {{'C', "rx-frames"}, {"RxMaxCoalescedFrames", V::kNumber}},
      {{'C', "tx-frames"}, {"TxMaxCoalescedFrames", V::kNumber}},
      {{'C', "adaptive-rx"}, {"UseAdaptiveRxCoalesce", V::kBoolean}},
      {{'C', "adaptive-tx"}, {"UseAdaptiveTxCoalesce", V::kBoolean}},
      {{'A', "rx"}, {"RxFlowControl", V::kBoolean}},
      {{'A', "tx"}, {"TxFlowControl", V::kBoolean}},
      {{'A', "autoneg"}, {"AutoNegotiationFlowControl", V::kBoolean}},
  };
  auto it = table.find({option, word});
  return it == table.end() ? nullptr : &it->second;
}

// The [Link] lines for an ethtool command, or nothing when any of its settings has no key.
std::vector<std::string> link_lines(const ExportCommand& c) {
  std::vector<std::string> out;
  if (c.kind != CommandKind::kEthtool) return {};
  for (const auto& [word, value] : c.settings) {
    const LinkKey* key = link_key(c.ethtool_option, word);
    if (!key) return {};
    std::string text = value;
    const bool digits =
        !value.empty() && value.find_first_not_of("0123456789") == std::string::npos;
    switch (key->value) {
      case LinkKey::Value::kBoolean:
        if (value != "on" && value != "off") return {};
        text = value == "on" ? "yes" : "no";
        break;
      case LinkKey::Value::kNumber:
        if (!digits) return {};
        break;
      case LinkKey::Value::kCount:
        if (!digits || value.find_first_not_of('0') == std::string::npos) return {};
        break;
      case LinkKey::Value::kMicroseconds:
        if (!digits) return {};
        text = value + "us";
        break;
    }
    out.push_back(std::string(key->key) + "=" + text);
  }
  return out;
}

// udev applies a .link's settings in a fixed order (features, channels, rings, flow control,
// coalescing) without waiting between them. A ring change resets the link on drivers such as
// e1000e, which resolve flow control again when the link comes back: pause written by the same
// .link then reads differently (the VM lab's udev 252 wrote "rx off" and e1000e reported "RX:
// on"). So a point that changes rings sets pause in the script, once the link is up again (at
// most 30 s, then 2 s for the driver to settle, as the lab's tests do).
bool sets_rings(const std::vector<ExportCommand>& commands) {
  for (const auto& c : commands)
    if (c.kind == CommandKind::kEthtool && c.ethtool_option == 'G' && !link_lines(c).empty())
      return true;
  return false;
}

ExportCommand wait_for_link() {
  ExportCommand c;
  c.kind = CommandKind::kOther;
  c.recorded =
      "_w=0; while [ \"$(cat /sys/class/net/$IFACE/operstate)\" != up ] && [ $_w -lt 30 ]; do "
      "sleep 1; _w=$((_w + 1)); done; sleep 2";
  return c;
}

}  // namespace

std::vector<ExportFile> export_link(const ExportInput& in) {
  const std::string base = "nictune-point-" + std::to_string(in.point_id);
  const std::string script = base + "-rest.sh";
  const auto commands = parse_export_commands(in.commands, in.nic);
  std::vector<std::string> link;
  std::vector<ExportCommand> rest;
  const bool rings = sets_rings(commands);
  bool waited = false;
  for (const auto& c : commands) {
    if (rings && c.kind == CommandKind::kEthtool && c.ethtool_option == 'A') {
      if (!waited) rest.push_back(wait_for_link());
      waited = true;
      rest.push_back(c);
      continue;
    }
    auto lines = link_lines(c);
    if (lines.empty()) {
      rest.push_back(c);
    } else {
      link.insert(link.end(), lines.begin(), lines.end());
    }
  }

  std::string match_line, udev_match;
  switch (in.match) {
    case MatchBy::kName:
      match_line = "OriginalName=" + in.nic.name;
      // The kernel's name, like the .link's OriginalName=: both pick the same device.
      udev_match = "KERNEL==\"" + in.nic.name + "\"";
      break;
    case MatchBy::kMac:
      match_line = "MACAddress=" + in.nic.mac;
      udev_match = "ATTR{address}==\"" + in.nic.mac + "\"";
      break;
    case MatchBy::kPci:
      match_line = "Path=pci-" + in.nic.bus_info;
      udev_match = "ENV{ID_PATH}==\"pci-" + in.nic.bus_info + "\"";
      break;
  }
  if (in.match == MatchBy::kName && in.nic.name.empty()) {
    throw invalid(
        "--format link: the experiment does not name the DUT interface; use --match "
        "mac or pci");
  }

  std::string l = export_header(in);
  l += "#\n# Install as /etc/systemd/network/10-" + base +
       ".link (udev applies it when the device appears;\n"
       "# `udevadm trigger --action=add /sys/class/net/IFACE` or a reboot). The first .link that "
       "matches\n# a device is the only one used, so this one also keeps Debian's naming "
       "policies of 99-default.link.\n";
  if (in.match == MatchBy::kName) {
    l += "# OriginalName= is the name the device has when udev handles its appearance: at boot "
         "the\n# kernel's name, before udev renames it. For a name udev gives (enp3s0f0, ...) "
         "export with\n# --match mac or --match pci.\n";
  }
  l += "# The rest of the configuration: 90-" + base + ".rules, " + base + "@.service and " +
       script + ".\n";
  if (waited) {
    l += "# Flow control is set by " + script +
         " once the link is back: this point changes ring\n# sizes, which resets the link "
         "on some drivers, and udev would write it before that.\n";
  }
  l += "\n[Match]\n" + match_line + "\n\n[Link]\n";
  l += "NamePolicy=keep kernel database onboard slot path\n"
       "AlternativeNamesPolicy=database onboard slot path\n"
       "MACAddressPolicy=persistent\n";
  for (const auto& line : link) l += line + "\n";

  std::string rules = export_header(in);
  rules += "#\n# Install as /etc/udev/rules.d/90-" + base +
           ".rules: when the device appears (after 80-net-setup-link\n# applied the .link and "
           "named it), systemd starts " +
           base + "@NAME.service for what a .link cannot set.\n";
  rules += "ACTION==\"add\", SUBSYSTEM==\"net\", " + udev_match +
           ", TAG+=\"systemd\", ENV{SYSTEMD_WANTS}+=\"" + base + "@$name.service\"\n";

  std::string unit = export_header(in);
  unit += "#\n# Install as /etc/systemd/system/" + base + "@.service, the script as " + kScriptDir +
          "/" + script + ";\n# started by 90-" + base + ".rules for the interface (%I).\n";
  unit += "[Unit]\nDescription=nictune point " + std::to_string(in.point_id) +
          ": settings a .link cannot hold, on %I\n"
          "BindsTo=sys-subsystem-net-devices-%i.device\n"
          "After=sys-subsystem-net-devices-%i.device\n\n"
          "[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/sh " +
          std::string(kScriptDir) + "/" + script + " %I\n";

  const std::string sh = apply_script(
      in, rest, script,
      "# The part of the configuration that " + base + ".link cannot hold; run by " + base +
          "@.service\n# when the device appears. Sysctls are host-wide: they apply to every "
          "interface.\n");
  return {{"10-" + base + ".link", l, false},
          {"90-" + base + ".rules", rules, false},
          {base + "@.service", unit, false},
          {script, sh, true}};
}

}  // namespace nictune::report

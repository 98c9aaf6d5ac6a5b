// A POSIX shell script that tells whether a host is in one configuration now: it reads back every
// value the configuration sets (sysfs/procfs files, /proc/sys, the queue IRQs found by queue,
// ethtool's settings) and exits 0 when all match, 1 printing each difference (expected vs found),
// 2 when it cannot tell (no such interface, a value it cannot read or a command it cannot read
// back). ethtool is read through its text output ("Field: value" lines; the RSS table and flow
// hash in export_check_rss.cpp), the only form a busybox guest without a JSON reader can take
// apart.
#include <map>

#include "reports/export_check_rss.hpp"
#include "reports/export_commands.hpp"
#include "reports/export_shell.hpp"

namespace nictune::report {
namespace {

const char* kCheckFunctions = R"SH(nictune_differs=0
nictune_unknown=0
nictune_checked=0

# The value after "$2:" in `ethtool $1 $IFACE`; for -l and -g only the current settings.
nictune_ethtool_value() {
  _section=1
  case "$1" in -l | -g) _section=0 ;; esac
  _label=$2
  _after=
  if [ "$_label" = "Adaptive TX" ]; then
    _label="Adaptive RX"
    _after=TX:
  fi
  _out=$(ethtool "$1" "$IFACE" 2>/dev/null) || return 1
  _found=1
  while IFS= read -r _line; do
    case "$_line" in "Current hardware settings:"*) _section=1 ;; esac
    [ "$_section" = 1 ] || continue
    _key=${_line%%:*}
    _key=$(nictune_words "$_key")
    [ "$_key" = "$_label" ] || continue
    _value=${_line#*:}
    [ -z "$_after" ] || _value=${_value#*"$_after"}
    _value=$(nictune_words "$_value")
    printf '%s\n' "${_value%% *}"
    _found=0
    break
  done <<NICTUNE_EOF
$_out
NICTUNE_EOF
  return $_found
}

# Whitespace collapsed (sysctls print tabs), without expanding anything as a file name.
nictune_words() {
  set -f
  set -- $1
  set +f
  printf '%s' "$*"
}

nictune_mask() {
  _m=$(printf '%s' "$1" | tr -d ',' | tr 'A-F' 'a-f')
  while :; do
    case "$_m" in
      0?*) _m=${_m#0} ;;
      *) break ;;
    esac
  done
  printf '%s' "${_m:-0}"
}

# nictune_compare WHAT EXPECTED FOUND
nictune_compare() {
  nictune_checked=$((nictune_checked + 1))
  if [ "$2" != "$3" ]; then
    echo "differs: $1: expected $2, found $3"
    nictune_differs=$((nictune_differs + 1))
  fi
}

nictune_cannot() {
  echo "cannot check: $1: $2"
  nictune_unknown=$((nictune_unknown + 1))
}

# nictune_check_file WHAT PATH EXPECTED words|mask
nictune_check_file() {
  if ! _found=$(cat "$2" 2>/dev/null); then
    nictune_cannot "$1" "cannot read $2"
    return 0
  fi
  if [ "$4" = mask ]; then
    nictune_compare "$1" "$(nictune_mask "$3")" "$(nictune_mask "$_found")"
  else
    nictune_compare "$1" "$(nictune_words "$3")" "$(nictune_words "$_found")"
  fi
}

# nictune_check_ethtool WHAT OPTION LABEL EXPECTED
nictune_check_ethtool() {
  if ! _found=$(nictune_ethtool_value "$2" "$3"); then
    nictune_cannot "$1" "ethtool $2 $IFACE does not show \"$3\""
    return 0
  fi
  nictune_compare "$1" "$4" "$_found"
}

# nictune_check_irqs QUEUE DIRECTION CPUS
nictune_check_irqs() {
  _irqs=$(nictune_queue_irqs "$1" "$2")
  if [ -z "$_irqs" ]; then
    nictune_cannot "irq_affinity queue $1 ($2)" "no IRQ of $IFACE serves it here"
    return 0
  fi
  for _irq in $_irqs; do
    nictune_check_file "irq_affinity queue $1 ($2), IRQ $_irq" \
      "$NICTUNE_PROCFS/irq/$_irq/smp_affinity_list" "$3" words
  done
}

nictune_check_service() {
  if ! command -v systemctl >/dev/null 2>&1; then
    nictune_cannot "service $1" "no systemctl"
    return 0
  fi
  _found=inactive
  systemctl is-active --quiet "$1" && _found=active
  nictune_compare "service $1" "$2" "$_found"
}
)SH";

// ethtool's own words -> the labels of its query output.
std::string ethtool_label(char option, const std::string& word) {
  static const std::map<std::string, std::string> channels = {
      {"rx", "RX"}, {"tx", "TX"}, {"other", "Other"}, {"combined", "Combined"}};
  static const std::map<std::string, std::string> rings = {
      {"rx", "RX"}, {"tx", "TX"}, {"rx-mini", "RX Mini"}, {"rx-jumbo", "RX Jumbo"}};
  static const std::map<std::string, std::string> pause = {
      {"autoneg", "Autonegotiate"}, {"rx", "RX"}, {"tx", "TX"}};
  static const std::map<std::string, std::string> coalesce = {{"adaptive-rx", "Adaptive RX"},
                                                              {"adaptive-tx", "Adaptive TX"}};
  // `ethtool -K` takes short names that `ethtool -k` shows long.
  static const std::map<std::string, std::string> features = {
      {"gro", "generic-receive-offload"},
      {"gso", "generic-segmentation-offload"},
      {"tso", "tcp-segmentation-offload"},
      {"lro", "large-receive-offload"},
      {"ntuple", "ntuple-filters"},
      {"rxhash", "receive-hashing"},
      {"sg", "scatter-gather"},
      {"rx", "rx-checksumming"},
      {"tx", "tx-checksumming"},
      {"rxvlan", "rx-vlan-offload"},
      {"txvlan", "tx-vlan-offload"}};
  auto look = [&](const std::map<std::string, std::string>& table,
                  const std::string& otherwise) -> std::string {
    auto it = table.find(word);
    return it == table.end() ? otherwise : it->second;
  };
  switch (option) {
    case 'L':
      return look(channels, "");
    case 'G':
      return look(rings, "");
    case 'A':
      return look(pause, "");
    case 'C':
      return look(coalesce, word);
    case 'K':
      return look(features, word);
    default:
      return "";  // -X (RSS table), -N (flow hash): their own read-back (export_check_rss)
  }
}

bool is_mask_file(const std::string& path) {
  return path.ends_with("_cpus") || path.ends_with("/xps_rxqs") || path.ends_with("/smp_affinity");
}

std::string check_line(const ExportCommand& c) {
  switch (c.kind) {
    case CommandKind::kFile:
      return "nictune_check_file \"" + c.path + "\" \"" + c.path + "\" " + shell_quote(c.value) +
             (is_mask_file(c.path) ? " mask" : " words") + "\n";
    case CommandKind::kSysctl: {
      std::string path = c.path;
      for (auto& ch : path)
        if (ch == '.') ch = '/';
      return "nictune_check_file " + shell_quote("sysctl " + c.path) + " " +
             shell_quote("/proc/sys/" + path) + " " + shell_quote(c.value) + " words\n";
    }
    case CommandKind::kIrqQueue:
      return "nictune_check_irqs " + std::to_string(c.queue.queue) + " " +
             to_string(c.queue.direction) + " " + shell_quote(c.value) + "\n";
    case CommandKind::kIrqNumber:
      return "nictune_check_file " +
             shell_quote("IRQ " + std::to_string(c.irq) + " (number as measured)") + " " +
             shell_quote(c.path) + " " + shell_quote(c.value) + " words\n";
    case CommandKind::kService:
      return "nictune_check_service " + shell_quote(c.path) + " " +
             (c.value == "start" ? "active" : "inactive") + "\n";
    case CommandKind::kEthtool: {
      if (c.ethtool_option == 'X' || c.ethtool_option == 'N') {
        std::string line = rss_check_line(c);
        return line.empty() ? "nictune_cannot " + shell_quote(c.recorded) +
                                  " 'not read back by this script'\n"
                            : line;
      }
      std::string out;
      const std::string option(
          {'-', static_cast<char>(c.ethtool_option - 'A' + 'a')});  // -L sets, -l shows
      for (const auto& [word, value] : c.settings) {
        const std::string label = ethtool_label(c.ethtool_option, word);
        const std::string what = "ethtool -" + std::string(1, c.ethtool_option) + " " + word;
        if (label.empty()) {
          out += "nictune_cannot " + shell_quote(what + " " + value) +
                 " 'not read back by this script'\n";
        } else {
          out += "nictune_check_ethtool " + shell_quote(what) + " " + option + " " +
                 shell_quote(label) + " " + shell_quote(value) + "\n";
        }
      }
      return out;
    }
    case CommandKind::kOther:
      break;
  }
  return "nictune_cannot " + shell_quote(c.recorded) + " 'not read back by this script'\n";
}

}  // namespace

std::vector<ExportFile> export_check(const ExportInput& in) {
  const std::string name = "nictune-check-" + std::to_string(in.point_id) + ".sh";
  const auto commands = parse_export_commands(in.commands, in.nic);
  std::string s = "#!/bin/sh\n";
  s += export_header(in);
  s += "#\n" + shell_usage_comment(in, name) +
       "# Reads the host's current settings and compares them with this configuration; changes\n"
       "# nothing. Exit status: 0 the host matches; 1 it differs (each difference printed:\n"
       "# expected vs found); 2 cannot tell (no such interface, or a setting it cannot read).\n";
  s += irq_number_warning(commands);
  s += "set -u\n\n" + shell_functions() + "\n" + kCheckFunctions + rss_check_functions() + "\n" +
       shell_select_interface(in) + "\n";
  for (const auto& c : commands) s += check_line(c);
  const std::string point = std::to_string(in.point_id);
  s += "\nif [ \"$nictune_differs\" -gt 0 ]; then\n"
       "  echo \"nictune: $IFACE differs from point " +
       point +
       " in $nictune_differs of $nictune_checked settings\"\n"
       "  exit 1\n"
       "fi\n"
       "if [ \"$nictune_unknown\" -gt 0 ]; then\n"
       "  echo \"nictune: $IFACE matches point " +
       point +
       " in the $nictune_checked settings checked; $nictune_unknown could not be checked\"\n"
       "  exit 2\n"
       "fi\n"
       "echo \"nictune: $IFACE matches point " +
       point + " ($nictune_checked settings checked)\"\nexit 0\n";
  return {{name, s, true}};
}

}  // namespace nictune::report

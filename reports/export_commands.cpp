#include "reports/export_commands.hpp"

#include <sstream>

#include "core/text_util.hpp"
#include "reports/export.hpp"

namespace nictune::report {
namespace {

std::vector<std::string> words_of(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

// "/proc/irq/45/smp_affinity_list" -> 45
bool irq_of_path(const std::string& path, unsigned& irq) {
  const std::string prefix = "/proc/irq/", suffix = "/smp_affinity_list";
  if (!path.starts_with(prefix) || !path.ends_with(suffix)) return false;
  const std::string number =
      path.substr(prefix.size(), path.size() - prefix.size() - suffix.size());
  if (number.empty() || number.size() > 9 ||
      number.find_first_not_of("0123456789") != std::string::npos)
    return false;
  irq = static_cast<unsigned>(std::stoul(number));
  return true;
}

ExportCommand parse_one(const std::string& line, const ExportNic& nic) {
  ExportCommand c;
  c.recorded = line;
  const auto w = words_of(line);
  if (w.size() >= 4 && w[0] == "ethtool" && w[1].size() == 2 && w[1][0] == '-' &&
      w[2] == "$IFACE") {
    c.ethtool_option = w[1][1];
    if (c.ethtool_option == 'X' || c.ethtool_option == 'N') {
      // -X equal 4 / -X weight 1 2 / -N rx-flow-hash tcp4 sdfn: one setting, its words joined.
      std::string rest;
      for (std::size_t i = 4; i < w.size(); ++i) rest += (rest.empty() ? "" : " ") + w[i];
      c.settings.push_back({w[3], rest});
      c.kind = CommandKind::kEthtool;
      return c;
    }
    if ((w.size() - 3) % 2 != 0) return c;
    for (std::size_t i = 3; i + 1 < w.size(); i += 2) c.settings.push_back({w[i], w[i + 1]});
    c.kind = CommandKind::kEthtool;
    return c;
  }
  if (w.size() == 4 && w[0] == "echo" && w[2] == ">") {
    c.value = w[1];
    if (irq_of_path(w[3], c.irq)) {
      auto it = nic.irqs.find(c.irq);
      if (it != nic.irqs.end() && it->second.queue >= 0) {
        c.kind = CommandKind::kIrqQueue;
        c.queue = it->second;
      } else {
        c.kind = CommandKind::kIrqNumber;
      }
      c.path = w[3];
      return c;
    }
    if (w[3].starts_with("/sys/") || w[3].starts_with("/proc/")) {
      c.kind = CommandKind::kFile;
      c.path = w[3];
    }
    return c;
  }
  if (auto kv = parse_sysctl_command(line)) {
    c.kind = CommandKind::kSysctl;
    c.path = kv->first;
    c.value = kv->second;
    return c;
  }
  if (w.size() == 3 && w[0] == "systemctl" && (w[1] == "start" || w[1] == "stop")) {
    c.kind = CommandKind::kService;
    c.value = w[1];
    c.path = w[2];
  }
  return c;
}

}  // namespace

std::string to_string(IrqDirection direction) {
  switch (direction) {
    case IrqDirection::kRx:
      return "rx";
    case IrqDirection::kTx:
      return "tx";
    case IrqDirection::kBoth:
      break;
  }
  return "rxtx";
}

std::vector<ExportCommand> parse_export_commands(const std::vector<std::string>& lines,
                                                 const ExportNic& nic) {
  std::vector<ExportCommand> out;
  for (const auto& line : lines) {
    ExportCommand c = parse_one(line, nic);
    if (c.kind == CommandKind::kIrqQueue) {
      // Several IRQs of one queue and direction (as measured) are one line on the target, which
      // sets every IRQ it finds for that queue.
      bool seen = false;
      for (const auto& o : out) {
        seen = seen || (o.kind == CommandKind::kIrqQueue && shell_line(o) == shell_line(c));
      }
      if (seen) continue;
    }
    out.push_back(std::move(c));
  }
  return out;
}

std::string shell_line(const ExportCommand& c) {
  if (c.kind != CommandKind::kIrqQueue) return c.recorded;
  return "nictune_irq_affinity " + std::to_string(c.queue.queue) + " " +
         to_string(c.queue.direction) + " " + c.value;
}

std::string shell_quote(const std::string& text) {
  std::string out = "'";
  for (char ch : text) out += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
  return out + "'";
}

}  // namespace nictune::report

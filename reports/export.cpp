#include "reports/export.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "core/errors.hpp"
#include "core/text_util.hpp"
#include "reports/format.hpp"

namespace nictune::report {
namespace {

// Text from the database goes into comments: no line breaks or control characters may end the
// comment early.
std::string one_line(const std::string& text) {
  std::string out;
  for (char c : text) out += static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? ' ' : c;
  return out;
}

void comment(std::string& out, const std::string& text, const std::string& indent = "") {
  constexpr std::size_t kWidth = 100;
  std::istringstream words(one_line(text));
  std::string word, line = "#" + indent;
  bool empty = true;
  while (words >> word) {
    if (!empty && line.size() + 1 + word.size() > kWidth) {
      out += line + "\n";
      line = "#  " + indent;
      empty = true;
    }
    line += " " + word;
    empty = false;
  }
  out += line + "\n";
}

std::vector<std::string> string_list(const Json& apply, const char* key) {
  std::vector<std::string> out;
  if (!apply.is_object() || !apply.contains(key) || !apply.at(key).is_array()) return out;
  for (const auto& item : apply.at(key)) {
    if (item.is_string() && !item.get<std::string>().empty())
      out.push_back(item.get<std::string>());
  }
  return out;
}

const Json* apply_of(const TrialRecord& t) {
  const Json& d = t.outcome.details;
  if (!d.is_object() || !d.contains("apply")) return nullptr;
  return &d.at("apply");
}

// The newest trial of the configuration that recorded commands, complete ones first.
const TrialRecord* trial_with_commands(const Report& report, std::int64_t point_id, bool baseline) {
  const TrialRecord* best = nullptr;
  for (const auto& t : report.trials) {
    if (t.baseline != baseline || (!baseline && t.point_id != point_id)) continue;
    const Json* apply = apply_of(t);
    if (!apply || string_list(*apply, "commands").empty()) continue;
    const bool complete = t.outcome.state == TrialState::kComplete;
    if (!best || (complete && best->outcome.state != TrialState::kComplete) ||
        (complete == (best->outcome.state == TrialState::kComplete) && t.id > best->id)) {
      best = &t;
    }
  }
  return best;
}

std::string measured_interface(const Json& spec) {
  if (!spec.is_object()) return "";
  auto dut_interface = [](const Json& hosts) -> std::string {
    if (!hosts.is_object() || !hosts.contains("dut") || !hosts.at("dut").is_object()) return "";
    const Json& dut = hosts.at("dut");
    return dut.contains("interface") && dut.at("interface").is_string()
               ? dut.at("interface").get<std::string>()
               : "";
  };
  if (spec.contains("hosts")) {
    if (auto name = dut_interface(spec.at("hosts")); !name.empty()) return name;
  }
  if (spec.contains("benches") && spec.at("benches").is_array()) {
    for (const auto& bench : spec.at("benches")) {
      if (auto name = dut_interface(bench); !name.empty()) return name;
    }
  }
  return "";
}

std::string string_at(const Json& object, const char* key) {
  return object.is_object() && object.contains(key) && object.at(key).is_string()
             ? object.at(key).get<std::string>()
             : std::string();
}

// The DUT's identity and which IRQ served which queue, as its agent probed them.
ExportNic measured_nic(const std::vector<HostRecord>& hosts, const std::string& interface) {
  ExportNic nic;
  nic.name = interface;
  for (const auto& host : hosts) {
    if (host.role != "dut" || !host.facts.is_object()) continue;
    const Json& f = host.facts;
    const Json nic_facts = f.value("nic", Json::object());
    if (nic.name.empty()) nic.name = string_at(f, "interface");
    // Older probes nested these under "interface" (host_context.cpp reads both too).
    const Json old_facts = f.value("interface", Json::object());
    auto fact = [&](const char* key) {
      std::string value = string_at(nic_facts, key);
      return value.empty() ? string_at(old_facts, key) : value;
    };
    nic.mac = fact("address");
    nic.bus_info = fact("bus_info");
    nic.driver = fact("driver");
    const Json topology = f.value("topology", Json::object());
    const Json irqs = topology.is_object() ? topology.value("irqs", Json::array()) : Json::array();
    if (!irqs.is_array()) break;
    for (const auto& irq : irqs) {
      if (!irq.is_object() || !irq.contains("irq") || !irq.at("irq").is_number_unsigned()) continue;
      QueueIrq q;
      q.queue = irq.value("queue", -1);
      q.name = string_at(irq, "name");
      const bool rx = irq.value("rx", false), tx = irq.value("tx", false);
      q.direction = rx == tx ? IrqDirection::kBoth : rx ? IrqDirection::kRx : IrqDirection::kTx;
      nic.irqs[irq.at("irq").get<unsigned>()] = q;
    }
    break;  // the first bench's DUT: the one whose commands are exported
  }
  return nic;
}

}  // namespace

std::string to_string(MatchBy match) {
  switch (match) {
    case MatchBy::kName:
      return "name";
    case MatchBy::kMac:
      return "mac";
    case MatchBy::kPci:
      return "pci";
  }
  return "name";
}

MatchBy parse_match_by(const std::string& text) {
  for (MatchBy m : {MatchBy::kName, MatchBy::kMac, MatchBy::kPci}) {
    if (to_string(m) == text) return m;
  }
  throw invalid("--match: \"" + text + "\" is not one of name, mac, pci");
}

ExportInput export_input(const Report& report, std::int64_t point_id) {
  const PointResult* point = report.find_point(point_id, false);
  if (!point) point = report.find_point(point_id, true);
  if (!point) {
    throw invalid("experiment \"" + report.experiment.name + "\" has no point " +
                  std::to_string(point_id) + "; `nictune report` lists the point ids");
  }
  ExportInput in;
  in.experiment = report.experiment;
  in.contexts = report.contexts;
  in.point_id = point->point_id;
  in.baseline = point->baseline;
  in.status = to_string(point->status);
  in.config = point->config;
  in.label = point->label();
  in.interface = measured_interface(report.experiment.spec);
  in.nic = measured_nic(report.hosts, in.interface);

  const TrialRecord* source = trial_with_commands(report, point->point_id, point->baseline);
  if (!source) {
    throw Error(
        ErrorCode::kUnsupported,
        "point " + std::to_string(point_id) + " (" + point->label() +
            ") has no recorded commands: none of its " + std::to_string(point->trial_ids.size()) +
            " trial(s) stored details.apply.commands (measured by an older nictune, or told "
            "through `nictune tell`), so there is nothing exact to export");
  }
  in.commands = string_list(*apply_of(*source), "commands");
  in.lg_commands = string_list(*apply_of(*source), "lg_commands");
  in.measured_at = source->ended_at;
  if (!point->baseline) {
    if (const TrialRecord* base = trial_with_commands(report, 0, true)) {
      in.baseline_commands = string_list(*apply_of(*base), "commands");
    }
  }
  for (std::size_t j = 0; j < report.objectives.size(); ++j) {
    const auto& o = point->objectives[j];
    std::string line = report.objectives[j].metric + " " + format_summary(o.summary) +
                       " (n=" + std::to_string(o.summary.n);
    if (!point->baseline && !std::isnan(o.gain)) {
      line += ", " + format_percent(o.gain) + " vs baseline" +
              (o.gain_significant ? ", significant" : "");
    }
    in.results.push_back(line + ")");
  }
  return in;
}

const std::map<std::string, ExporterInfo>& exporters() {
  static const std::map<std::string, ExporterInfo> table = {
      {"sh", {"a POSIX shell script that applies the configuration (interface as $1)", export_sh}},
      {"tuned",
       {"a tuned profile: tuned.conf with [sysctl] and [script], plus its script", export_tuned}},
      {"json", {"the configuration, its commands, results and host context as JSON", export_json}},
      {"link",
       {"a systemd .link file plus a udev rule and unit running a script for the rest",
        export_link}},
      {"check",
       {"a POSIX shell script that exits 0 when a host matches the configuration, 1 naming "
        "each difference, 2 when it cannot tell",
        export_check}},
  };
  return table;
}

std::vector<std::string> exporter_names() {
  std::vector<std::string> names;
  for (const auto& [name, info] : exporters()) names.push_back(name);
  return names;
}

std::vector<ExportFile> export_point(const std::string& format, const ExportInput& input) {
  auto it = exporters().find(format);
  if (it == exporters().end()) {
    throw invalid("unknown export format \"" + format + "\"" +
                  did_you_mean(format, exporter_names()) + "; expected one of " +
                  join(exporter_names(), ", "));
  }
  if (input.match == MatchBy::kMac && input.nic.mac.empty()) {
    throw invalid(
        "--match mac: the DUT's probe recorded no MAC address (measured by an older "
        "nictune); use --match name or pci");
  }
  if (input.match == MatchBy::kPci && input.nic.bus_info.empty()) {
    throw invalid(
        "--match pci: the DUT's probe recorded no PCI address (a virtual device, or "
        "measured by an older nictune); use --match name or mac");
  }
  return it->second.make(input);
}

std::string export_header(const ExportInput& in) {
  std::string out;
  const auto& e = in.experiment;
  comment(out, "nictune export of " +
                   (in.baseline ? std::string("the baseline (the host's own settings), point ")
                                : std::string("point ")) +
                   std::to_string(in.point_id) + " of experiment \"" + e.name + "\" (#" +
                   std::to_string(e.id) + ")");
  if (!in.baseline) comment(out, "Configuration (what differs from the baseline): " + in.label);
  comment(out, "All values applied: " +
                   (in.config.empty() ? std::string("none") : config_text(in.config)));
  comment(out, "Status in the report: " + in.status);
  for (const auto& c : in.contexts) {
    if (c.role != "dut") continue;
    comment(out, "Measured on " + c.get("hostname") +
                     (c.bench.empty() ? "" : " (bench " + c.bench + ")") + ": kernel " +
                     c.get("kernel") + ", driver " + c.get("driver") + ", firmware " +
                     c.get("firmware") + ", NIC " + c.get("nic") + ", CPU " + c.get("cpu") +
                     ", NUMA " + c.get("numa"));
  }
  std::string when = format_utc(in.measured_at > 0 ? in.measured_at : e.created_at);
  comment(
      out,
      "Measured " + (when.empty() ? std::string("at an unrecorded time") : when) + " by nictune " +
          (e.tool_version.empty() ? std::string("(version not recorded)") : e.tool_version) +
          ", spec " + e.spec_hash + (in.interface.empty() ? "" : ", interface " + in.interface));
  if (!in.results.empty()) {
    comment(out, "Results (mean ± 95 % CI):");
    for (const auto& r : in.results) comment(out, r, "  ");
  }
  return out;
}

std::optional<std::pair<std::string, std::string>> parse_sysctl_command(
    const std::string& command) {
  std::istringstream words(command);
  std::string word;
  if (!(words >> word) || word != "sysctl") return std::nullopt;
  std::string rest;
  while (words >> word) {
    if (rest.empty() && word.size() > 1 && word[0] == '-') {
      if (word != "-w" && word != "-q" && word != "-qw" && word != "-wq" && word != "--write" &&
          word != "--quiet") {
        return std::nullopt;  // -p FILE, -a ...: not a single setting
      }
      continue;
    }
    rest += (rest.empty() ? "" : " ") + word;
  }
  const auto eq = rest.find('=');
  if (eq == std::string::npos || eq == 0) return std::nullopt;
  std::string key = rest.substr(0, eq), value = rest.substr(eq + 1);
  if (key.find_first_of(" '\"") != std::string::npos) return std::nullopt;
  if (value.size() >= 2 && (value.front() == '\'' || value.front() == '"') &&
      value.back() == value.front()) {
    value = value.substr(1, value.size() - 2);
  }
  if (value.find_first_of("'\"$`\\") != std::string::npos) return std::nullopt;
  return std::make_pair(key, value);
}

}  // namespace nictune::report

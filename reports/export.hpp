// Exporting one measured configuration so it can be applied outside nictune: a shell script, a
// tuned profile or JSON. The commands are the agent's own equivalent shell lines for what it
// applied (stored by the runner in outcome.details.apply.commands, "$IFACE" for the
// interface), so an export applies exactly what was measured. One file per format
// (export_<name>.cpp), one line each in the name -> exporter map of export.cpp.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "reports/export_commands.hpp"
#include "reports/report.hpp"

namespace nictune::report {

// What identifies the interface on the target when a script is given no interface, and what a
// .link file's [Match] section names.
enum class MatchBy { kName, kMac, kPci };
// "name", "mac", "pci"; parse throws Error(kInvalid) naming the choices.
std::string to_string(MatchBy match);
MatchBy parse_match_by(const std::string& text);

struct ExportInput {
  ExperimentRecord experiment;
  std::vector<HostContext> contexts;
  std::int64_t point_id = 0;
  bool baseline = false;
  std::string status;  // in the report: "front", "tied within noise", ...
  Json config = Json::object();
  std::string label;                           // what differs from the baseline
  std::vector<std::string> commands;           // DUT, "$IFACE" for the interface
  std::vector<std::string> lg_commands;        // the load generator's part, if any
  std::vector<std::string> baseline_commands;  // restore the host's settings (tuned "stop")
  std::string interface;                       // the DUT interface it was measured on ("" unknown)
  ExportNic nic;  // its identity and queue IRQs, from the DUT's probe (empty when not recorded)
  MatchBy match = MatchBy::kName;
  double measured_at = 0;            // end of the last trial that recorded the commands
  std::vector<std::string> results;  // "rx_pps 1.250M ± 0.050M (n=3, +25.0% vs baseline)"
};

// The point in this report. Throws Error(kInvalid) when the report has no such point and
// Error(kUnsupported) when none of its trials recorded the commands that applied it.
ExportInput export_input(const Report& report, std::int64_t point_id);

struct ExportFile {
  std::string name;  // suggested file name: "nictune-point-3.sh", "tuned.conf"
  std::string content;
  bool executable = false;
};

using Exporter = std::function<std::vector<ExportFile>(const ExportInput&)>;
struct ExporterInfo {
  std::string description;
  Exporter make;
};

// "check", "json", "link", "sh", "tuned".
const std::map<std::string, ExporterInfo>& exporters();
std::vector<std::string> exporter_names();
// Throws Error(kInvalid) naming the formats when `format` is unknown.
std::vector<ExportFile> export_point(const std::string& format, const ExportInput& input);

std::vector<ExportFile> export_sh(const ExportInput& input);
std::vector<ExportFile> export_tuned(const ExportInput& input);
std::vector<ExportFile> export_json(const ExportInput& input);
std::vector<ExportFile> export_check(const ExportInput& input);
std::vector<ExportFile> export_link(const ExportInput& input);

// "# ..." lines saying what this is and where it was measured; shared by sh and tuned.
std::string export_header(const ExportInput& input);
// "sysctl -w net.core.busy_poll=50" -> {"net.core.busy_poll", "50"}; nullopt for other lines.
std::optional<std::pair<std::string, std::string>> parse_sysctl_command(const std::string& command);

}  // namespace nictune::report

// A tuned profile for hosts managed by tuned: tuned.conf with the sysctl settings in [sysctl]
// (tuned restores them itself when the profile is left) and everything else in a [script]
// that tuned runs with "start" and "stop". Install: copy both files to
// /etc/tuned/<profile-name>/ and run `tuned-adm profile <profile-name>`.
#include "reports/export.hpp"
#include "reports/export_shell.hpp"

namespace nictune::report {

std::vector<ExportFile> export_tuned(const ExportInput& in) {
  std::vector<std::pair<std::string, std::string>> sysctls;
  std::vector<std::string> script_commands, undo;
  // Queue IRQs by queue, found on the target (shell_functions), not by the numbers measured.
  bool queue_irqs = false;  // the script needs the lookup functions
  for (const auto& c : parse_export_commands(in.commands, in.nic)) {
    queue_irqs = queue_irqs || c.kind == CommandKind::kIrqQueue;
    if (c.kind == CommandKind::kSysctl) {
      sysctls.push_back({c.path, c.value});
    } else {
      script_commands.push_back(shell_line(c));
    }
  }
  for (const auto& c : parse_export_commands(in.baseline_commands, in.nic)) {
    queue_irqs = queue_irqs || c.kind == CommandKind::kIrqQueue;
    if (c.kind != CommandKind::kSysctl) undo.push_back(shell_line(c));
  }
  const std::string script_name = "nictune-apply.sh";

  std::string conf = export_header(in);
  conf += "#\n# Install: copy this file and " + script_name +
          " to /etc/tuned/<profile-name>/, set the interface in\n# " + script_name +
          " (NICTUNE_IFACE), then `tuned-adm profile <profile-name>`.\n\n";
  conf += "[main]\nsummary=nictune point " + std::to_string(in.point_id) + " of " +
          in.experiment.name + "\n";
  if (!sysctls.empty()) {
    conf += "\n[sysctl]\n";
    for (const auto& [key, value] : sysctls) conf += key + "=" + value + "\n";
  }
  conf += "\n[script]\nscript=${i:PROFILE_DIR}/" + script_name + "\n";

  std::string sh = "#!/bin/sh\n" + export_header(in);
  sh +=
      "#\n# tuned runs this with \"start\" when the profile is applied and \"stop\" when it is "
      "left.\n"
      "# The sysctl settings are in tuned.conf's [sysctl] section; tuned restores those itself.\n";
  sh += "IFACE=${NICTUNE_IFACE:-" + (in.interface.empty() ? std::string("eth0") : in.interface) +
        "}  # the interface to tune on this host\n";
  sh +=
      "case \"$IFACE\" in\n"
      "  -* | *[!A-Za-z0-9_.:@-]*) echo \"$0: not an interface name: $IFACE\" >&2; exit 1 ;;\n"
      "esac\n"
      "[ -e \"/sys/class/net/$IFACE\" ] || { echo \"$0: no network interface $IFACE\" >&2; exit 1; "
      "}\n\n";
  if (queue_irqs) sh += shell_functions() + "\n";
  sh += "status=0\ncase \"$1\" in\n  start)\n";
  for (const auto& c : script_commands) sh += "    " + c + " || exit 1\n";
  if (script_commands.empty()) sh += "    :\n";
  sh += "    ;;\n  stop)\n";
  // Restore as much as possible even when one step fails.
  if (undo.empty()) {
    sh +=
        "    # No baseline commands were recorded: the host's previous settings are unknown.\n    "
        ":\n";
  } else {
    sh += "    # Back to the host's settings as measured at the baseline.\n";
    for (const auto& c : undo) sh += "    " + c + " || status=1\n";
  }
  sh += "    ;;\nesac\nexit $status\n";
  return {{"tuned.conf", conf, false}, {script_name, sh, true}};
}

}  // namespace nictune::report

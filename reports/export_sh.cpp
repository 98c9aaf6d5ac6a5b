// A POSIX shell script that applies one configuration with the standard tools (ethtool, sysfs
// and procfs writes, sysctl -w). The interface is its first argument (a name, mac=... or
// pci=...); queue IRQs are found on the target by queue, not by the IRQ numbers measured.
#include "reports/export_commands.hpp"
#include "reports/export_shell.hpp"

namespace nictune::report {

std::string apply_script(const ExportInput& in, const std::vector<ExportCommand>& commands,
                         const std::string& name, const std::string& intro) {
  std::string s = "#!/bin/sh\n";
  s += export_header(in);
  s += "#\n" + shell_usage_comment(in, name) + intro +
       "# Each command is printed before it runs; the first one that fails stops the script.\n";
  s += irq_number_warning(commands);
  if (!in.lg_commands.empty()) {
    s += "#\n# The load generator's part of this configuration (not run here):\n";
    for (const auto& c : in.lg_commands) s += "#   " + c + "\n";
  }
  s += "set -eu\n\n" + shell_functions() + "\n" + shell_select_interface(in) + "\n";
  for (const auto& c : commands) {
    const std::string line = shell_line(c);
    s += "echo " + shell_quote("+ " + line) + "\n" + line + "\n";
  }
  s += "echo \"nictune: applied point " + std::to_string(in.point_id) + " to $IFACE\"\n";
  return s;
}

std::vector<ExportFile> export_sh(const ExportInput& in) {
  const std::string name = "nictune-point-" + std::to_string(in.point_id) + ".sh";
  return {{name,
           apply_script(in, parse_export_commands(in.commands, in.nic), name,
                        "# Run as root on the host to tune. Host-wide settings (sysctl) affect "
                        "every interface, and\n# nothing here survives a reboot (`--format link` "
                        "does).\n"),
           true}};
}

}  // namespace nictune::report

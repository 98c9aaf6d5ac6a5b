// A POSIX shell script that applies one configuration with the standard tools (ethtool, sysfs
// and procfs writes, sysctl -w), the interface as its first argument.
#include "reports/export.hpp"

namespace nictune::report {

std::vector<ExportFile> export_sh(const ExportInput& in) {
  std::string s = "#!/bin/sh\n";
  s += export_header(in);
  s +=
      "#\n# Usage: sh " + std::string("nictune-point-") + std::to_string(in.point_id) +
      ".sh IFACE   (or: IFACE=eth1 sh ...)\n"
      "# Run as root on the host to tune. Host-wide settings (sysctl) affect every interface, and\n"
      "# nothing here survives a reboot. Each command is printed before it runs; the first one "
      "that\n"
      "# fails stops the script.\n";
  if (!in.lg_commands.empty()) {
    s += "#\n# The load generator's part of this configuration (not run here):\n";
    for (const auto& c : in.lg_commands) s += "#   " + c + "\n";
  }
  s += "set -eu\n\n";
  s += "IFACE=${1:-${IFACE:-}}\n"
       "if [ -z \"$IFACE\" ]; then\n"
       "  echo \"usage: $0 IFACE" +
       (in.interface.empty() ? std::string() : "  (measured on " + in.interface + ")") +
       "\" >&2\n"
       "  exit 2\n"
       "fi\n"
       "case \"$IFACE\" in\n"
       "  -* | *[!A-Za-z0-9_.:@-]*) echo \"$0: not an interface name: $IFACE\" >&2; exit 2 ;;\n"
       "esac\n"
       "if [ ! -e \"/sys/class/net/$IFACE\" ]; then\n"
       "  echo \"$0: no network interface $IFACE here\" >&2\n"
       "  exit 2\n"
       "fi\n\n"
       "set -x\n";
  for (const auto& c : in.commands) s += c + "\n";
  s += "set +x\n";
  s += "echo \"nictune: applied point " + std::to_string(in.point_id) + " to $IFACE\"\n";
  return {{"nictune-point-" + std::to_string(in.point_id) + ".sh", s, true}};
}

}  // namespace nictune::report

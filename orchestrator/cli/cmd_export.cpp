#include <iostream>

#include "core/errors.hpp"
#include "core/text_util.hpp"
#include "orchestrator/cli/args.hpp"
#include "orchestrator/cli/commands.hpp"
#include "orchestrator/loaders/report_loaders.hpp"
#include "reports/cli_support.hpp"
#include "reports/export.hpp"

namespace nictune::cli {

Command export_command() {
  return {
      "export",
      "a measured configuration as a shell script, a check script, a .link, a tuned profile or "
      "JSON",
      R"(usage: nictune export [--db DB] --point ID [--experiment E] --format F [--match M] [-o PATH]

Writes what the agent applied for point ID (the ids `nictune report` shows) so it can be applied
without nictune, with a header stating where and when it was measured (host, kernel, driver,
firmware, NIC, experiment, date) and what it achieved.
  sh     a POSIX shell script using ethtool, sysfs/procfs writes and sysctl -w; the interface is
         its first argument (a name, mac=MAC or pci=ADDRESS):  sh nictune-point-12.sh eth1
         Queue IRQs are found on the target by queue and direction (as the agent named them
         when it measured), not by the IRQ numbers, which change across boots and hosts.
  check  a POSIX shell script that changes nothing: exit 0 when the interface (argument as for
         sh) has every value of the point now, 1 printing each difference (expected vs found),
         2 when it cannot tell
  link   for systemd hosts, surviving reboots: a .link file (channels, rings, coalescing, flow
         control, offloads systemd.link can set), a udev rule and a oneshot unit that run a
         script with the rest (IRQ affinity, RPS/XPS, sysctls, RSS); -o DIR writes the 4 files
  tuned  a tuned profile: tuned.conf ([sysctl] section, [script] section) and nictune-apply.sh
         (start: apply; stop: back to the baseline's settings). With -o DIR both files go into
         DIR; on standard output they are separated by "==> NAME <==" lines.
  json   values, commands, results and host context

options:
  --db DB          the database `nictune run` wrote (default: nictune.db here)
  --point ID       the configuration to export (required)
  --experiment E   look for the point only in this experiment (default: the newest that has it)
  --format F       check, json, link, sh or tuned (required)
  --match M        how the scripts and the .link find the interface by default: name (the
                   measured name; scripts then need it as their argument), mac or pci (the
                   measured MAC or PCI address, which stay with the device across renames)
  -o PATH          write to PATH (a directory for tuned and link) instead of standard output

Exit status: 0 written; 1 the point's trials recorded no commands (nothing exact to export) or
the database could not be read; 2 usage error or no such point.
)",
      [](const std::vector<std::string>& argv) {
        Args args("export", argv, {},
                  {"--db", "--point", "--experiment", "--format", "--match", "-o"});
        args.expect_positionals(0, "no positional arguments");
        const auto format = args.option("--format");
        if (!format) {
          throw UsageError("export: --format is required: one of " +
                           join(report::exporter_names(), ", "));
        }
        if (!report::exporters().count(*format)) {
          throw UsageError("export: unknown format \"" + *format + "\"" +
                           did_you_mean(*format, report::exporter_names()) + "; expected one of " +
                           join(report::exporter_names(), ", "));
        }
        const auto point_text = args.option("--point");
        if (!point_text)
          throw UsageError("export: --point ID is required; `nictune report` shows the ids");
        const std::int64_t point = report::parse_id(*point_text, "export: --point");
        const std::string match_text = args.option_or("--match", "name");
        if (match_text != "name" && match_text != "mac" && match_text != "pci") {
          throw UsageError("export: --match \"" + match_text + "\" is not one of name, mac, pci");
        }
        auto store = report::open_existing_store(args.option_or("--db", report::kDefaultDatabase));
        auto input = report::load_export_input(*store, point, args.option_or("--experiment", ""));
        input.match = report::parse_match_by(match_text);
        const auto files = report::export_point(*format, input);
        const std::string out_path = args.option_or("-o", "");
        for (const auto& written : report::write_files(files, out_path, std::cout)) {
          std::cerr << "nictune export: wrote " << written << "\n";
        }
        return kExitOk;
      }};
}

}  // namespace nictune::cli

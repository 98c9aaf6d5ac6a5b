#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "core/errors.hpp"
#include "core/text_util.hpp"
#include "orchestrator/cli/args.hpp"
#include "orchestrator/cli/commands.hpp"
#include "orchestrator/loaders/report_loaders.hpp"
#include "reports/cli_support.hpp"
#include "reports/render.hpp"

namespace nictune::cli {
namespace {

// One help line per format, from the renderer registry: "    html  one self-contained ... (.html)".
std::string format_lines() {
  std::string out;
  for (const auto& [name, info] : report::renderers()) {
    std::string line = "                     " + name;
    line.resize(std::max<std::size_t>(line.size() + 1, 27), ' ');
    line += info.description;
    if (!info.extensions.empty()) line += " (" + join(info.extensions, ", ") + ")";
    out += line + "\n";
  }
  return out;
}

}  // namespace

Command report_command() {
  return {
      "report", "the Pareto-best configurations of an experiment, with plots and statistics",
      "usage: nictune report [--db DB] [--experiment E] [--format " +
          join(report::renderer_names(report::Output::kReport), "|") + "] [-o FILE]" +
          R"(

Reads an experiment from the database and answers: which settings are best, what do they buy
over the host's own settings (the baseline), and how sure is that.
  - the Pareto front over the spec's objectives (outcome constraints respected: a configuration
    that breaks one is never best), each configuration as what differs from the baseline, every
    objective as mean ± 95 % CI with n and the gain over the baseline; configurations whose CIs
    overlap the front are "tied within noise"
  - how the front's hypervolume grew with evaluations (did the search converge?)
  - per-knob main effects (which knobs matter on this NIC)
  - the per-CPU interrupt/softirq work of the best point against the baseline, when recorded
  - where it was measured: kernel, driver, firmware, NIC, CPU, NUMA, tool version, spec

options:
  --db DB          the database `nictune run` wrote (default: nictune.db here)
  --experiment E   experiment id or name (default: the newest)
  --format F       one of these (default )" +
          report::default_format(report::Output::kReport) +
          R"(; without --format, -o FILE's extension decides):
)" + format_lines() +
          R"(  -o FILE          write to FILE instead of standard output

Exit status: 0 written, 1 the database could not be read, 2 usage error or no such experiment.
)",
      [](const std::vector<std::string>& argv) {
        Args args("report", argv, {}, {"--db", "--experiment", "--format", "-o"});
        args.expect_positionals(0, "no positional arguments");
        const std::string out_path = args.option_or("-o", "");
        std::string format = args.option_or(
            "--format", report::format_from_extension(
                            out_path, report::default_format(report::Output::kReport)));
        if (!report::renderers().count(format)) {
          throw UsageError("report: unknown format \"" + format + "\"" +
                           did_you_mean(format, report::renderer_names()) + "; expected one of " +
                           join(report::renderer_names(), ", "));
        }
        auto store = report::open_existing_store(args.option_or("--db", report::kDefaultDatabase));
        const report::Report r = report::load_report(*store, args.option_or("--experiment", ""));
        report::write_output(out_path, [&](std::ostream& out) { report::render(format, r, out); });
        if (!out_path.empty())
          std::cerr << "nictune report: wrote " << out_path << " (" << format << ")\n";
        return kExitOk;
      }};
}

}  // namespace nictune::cli

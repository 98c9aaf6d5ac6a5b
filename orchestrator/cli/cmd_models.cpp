#include <algorithm>
#include <iostream>
#include <memory>

#include "core/text_util.hpp"
#include "orchestrator/cli/args.hpp"
#include "orchestrator/cli/commands.hpp"
#include "orchestrator/loaders/report_loaders.hpp"
#include "reports/cli_support.hpp"
#include "reports/models.hpp"
#include "reports/render.hpp"

namespace nictune::cli {

Command models_command() {
  return {
      "models", "what the lab knows per NIC model: the best configurations measured on it",
      "usage: nictune models [--db DB]... [--format " +
          join(report::renderer_names(report::Output::kModels), "|") + "] [-o FILE]" +
          R"(

Groups every experiment by its DUT NIC's model (driver and PCI vendor:device, as the agent
probed them; experiments recorded before the probe named the PCI id group by driver alone) and
lists, per model, the experiments (host, kernel, firmware, link speed, date) and the
configurations on each experiment's Pareto front with their figures, marking those that no other
configuration on the model beats, whichever experiment and kernel measured them.
Experiments with different objectives are listed in separate groups.

options:
  --db DB     a database (default: nictune.db here); repeat to read several
  --format F  )" +
          report::format_choices(report::Output::kModels) + " (default " +
          report::default_format(report::Output::kModels) + ")" + R"(
  -o FILE     write to FILE instead of standard output

Exit status: 0 listed, 1 a database could not be read, 2 usage error.
)",
      [](const std::vector<std::string>& argv) {
        Args args("models", argv, {}, {"--db", "--format", "-o"});
        args.expect_positionals(0, "no arguments");
        const std::string format =
            args.option_or("--format", report::default_format(report::Output::kModels));
        const auto formats = report::renderer_names(report::Output::kModels);
        if (std::find(formats.begin(), formats.end(), format) == formats.end()) {
          throw UsageError("models: unknown format \"" + format + "\"; expected " +
                           report::format_choices(report::Output::kModels));
        }
        std::vector<std::string> paths = args.options_all("--db");
        if (paths.empty()) paths.push_back(report::kDefaultDatabase);
        std::vector<report::ModelSource> sources;
        for (const auto& path : paths)
          sources.push_back(report::load_model_source(*report::open_existing_store(path), path));
        const auto models = report::build_model_summaries(sources);
        report::write_output(args.option_or("-o", ""),
                             [&](std::ostream& out) { report::render(format, models, out); });
        return kExitOk;
      }};
}

}  // namespace nictune::cli

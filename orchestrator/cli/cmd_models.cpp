#include <iostream>
#include <memory>

#include "orchestrator/cli/args.hpp"
#include "orchestrator/cli/commands.hpp"
#include "reports/cli_support.hpp"
#include "reports/models.hpp"

namespace nictune::cli {

Command models_command() {
  return {
      "models", "what the lab knows per NIC model: the best configurations measured on it",
      R"(usage: nictune models [--db DB]... [--format text|md|json] [-o FILE]

Groups every experiment by its DUT NIC's model (driver and PCI vendor:device, as the agent
probed them; experiments recorded before the probe named the PCI id group by driver alone) and
lists, per model, the experiments (host, kernel, firmware, link speed, date) and the
configurations on each experiment's Pareto front with their figures, marking those that no other
configuration on the model beats, whichever experiment and kernel measured them.
Experiments with different objectives are listed in separate groups.

options:
  --db DB     a database (default: nictune.db here); repeat to read several
  --format F  text (default), md or json
  -o FILE     write to FILE instead of standard output

Exit status: 0 listed, 1 a database could not be read, 2 usage error.
)",
      [](const std::vector<std::string>& argv) {
        Args args("models", argv, {}, {"--db", "--format", "-o"});
        args.expect_positionals(0, "no arguments");
        const std::string format = args.option_or("--format", "text");
        if (format != "text" && format != "md" && format != "json") {
          throw UsageError("models: unknown format \"" + format + "\"; expected text, md or json");
        }
        std::vector<std::string> paths = args.options_all("--db");
        if (paths.empty()) paths.push_back(report::kDefaultDatabase);
        std::vector<std::unique_ptr<Store>> stores;
        std::vector<report::ModelSource> sources;
        for (const auto& path : paths) {
          stores.push_back(report::open_existing_store(path));
          sources.push_back({path, stores.back().get()});
        }
        const auto models = report::build_model_summaries(sources);
        report::write_output(args.option_or("-o", ""), [&](std::ostream& out) {
          if (format == "json")
            report::render_models_json(models, out);
          else if (format == "md")
            report::render_models_md(models, out);
          else
            report::render_models_text(models, out);
        });
        return kExitOk;
      }};
}

}  // namespace nictune::cli

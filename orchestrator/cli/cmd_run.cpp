#include <iostream>

#include "orchestrator/cli/args.hpp"
#include "orchestrator/cli/commands.hpp"
#include "orchestrator/runner/plan.hpp"
#include "orchestrator/spec/experiment_spec.hpp"

namespace nictune::cli {

Command run_command() {
  return {"run", "run an experiment: apply each point, load, measure, store",
          R"(usage: nictune run [options] SPEC

options:
  --dry-run      validate, then print the resolved space, the number of points a grid would
                 have, the first points the strategy proposes and a time estimate; touch nothing
  --db FILE      SQLite database to store into (default: nictune.db)
)",
          [](const std::vector<std::string>& argv) {
            Args args("run", argv, {"--dry-run"}, {"--db"});
            args.expect_positionals(1, "one SPEC file");
            ExperimentSpec spec = load_spec(args.positionals()[0]);
            if (args.flag("--dry-run")) {
              print_plan(spec, plan_run(spec), std::cout);
              return kExitOk;
            }
            std::cerr << "nictune run: the experiment runner is not available in this build; use --dry-run\n";
            return kExitFailed;
          }};
}

}  // namespace nictune::cli

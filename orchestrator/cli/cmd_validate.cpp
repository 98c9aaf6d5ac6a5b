#include <iostream>

#include "orchestrator/cli/args.hpp"
#include "orchestrator/cli/commands.hpp"
#include "orchestrator/spec/experiment_spec.hpp"

namespace nictune::cli {

Command validate_command() {
  return {"validate", "check experiment specs and report every problem with its JSON path",
          R"(usage: nictune validate SPEC [SPEC...]

Checks each spec completely: unknown keys, types, ranges, knob and metric names, CPU policies,
conditions and constraints, strategy options. Every problem is printed as
  FILE: json.path: what was found and what was expected
Exit status: 0 when every spec is valid, 2 otherwise.
)",
          [](const std::vector<std::string>& argv) {
            Args args("validate", argv, {}, {});
            if (args.positionals().empty())
              throw UsageError("validate: expected at least one SPEC file");
            int status = kExitOk;
            for (const auto& path : args.positionals()) {
              try {
                ExperimentSpec spec = load_spec(path);
                std::cout << path << ": ok (" << spec.name << ", " << spec.space.parameters().size()
                          << " parameters, " << spec.space.grid_size() << " grid points)\n";
              } catch (const SpecError& e) {
                std::cerr << e.what();
                status = kExitUsage;
              } catch (const Error& e) {
                std::cerr << e.what() << "\n";
                status = kExitUsage;
              }
            }
            return status;
          }};
}

}  // namespace nictune::cli

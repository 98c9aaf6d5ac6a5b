// `nictune knobs` and `nictune metrics`: the vocabulary a spec may use.
#include <iomanip>
#include <iostream>

#include "core/knob_catalog.hpp"
#include "core/metrics.hpp"
#include "orchestrator/cli/args.hpp"
#include "orchestrator/cli/commands.hpp"

namespace nictune::cli {

Command knobs_command() {
  return {"knobs", "list every knob a search space may vary",
          "usage: nictune knobs\n\nLists knob names, value types and what each one changes.\n"
          "Prefix a name with \"lg:\" in a spec to set it on the load generator.\n",
          [](const std::vector<std::string>& argv) {
            Args args("knobs", argv, {}, {});
            args.expect_positionals(0, "no arguments");
            for (const auto& k : knob_catalog()) {
              std::cout << std::left << std::setw(38) << k.name << std::setw(12)
                        << to_string(k.type) << k.description << "\n";
            }
            return kExitOk;
          }};
}

Command metrics_command() {
  return {"metrics", "list every metric objectives and constraints may use",
          "usage: nictune metrics\n\nLists metric names, units and the usual better direction.\n",
          [](const std::vector<std::string>& argv) {
            Args args("metrics", argv, {}, {});
            args.expect_positionals(0, "no arguments");
            for (const auto& m : metric_catalog()) {
              std::cout << std::left << std::setw(22) << m.name << std::setw(11) << m.unit
                        << std::setw(5) << (m.better == Goal::kMaximize ? "max" : "min")
                        << m.description << "\n";
            }
            return kExitOk;
          }};
}

}  // namespace nictune::cli

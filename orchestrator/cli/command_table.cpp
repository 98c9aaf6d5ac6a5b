#include "orchestrator/cli/command_table.hpp"

#include "orchestrator/cli/commands.hpp"

namespace nictune::cli {

const std::vector<Command>& commands() {
  static const std::vector<Command> table = {
      run_command(),     validate_command(), probe_command(),   report_command(), export_command(),
      compare_command(), models_command(),   check_command(),   ask_command(),    tell_command(),
      lab_command(),     knobs_command(),    metrics_command(),
  };
  return table;
}

const Command* find_command(const std::string& name) {
  for (const auto& command : commands()) {
    if (command.name == name) return &command;
  }
  return nullptr;
}

}  // namespace nictune::cli

// nictune: the orchestrator CLI.
#include <iostream>

#include "core/errors.hpp"
#include "core/text_util.hpp"
#include "core/version.hpp"
#include "orchestrator/cli/args.hpp"
#include "orchestrator/cli/command_table.hpp"
#include "orchestrator/spec/experiment_spec.hpp"

namespace {

void print_usage(std::ostream& out) {
  out << "usage: nictune <command> [options]\n\n"
         "Finds the best Linux network-stack settings for a workload by experiment.\n\n"
         "commands:\n";
  for (const auto& command : nictune::cli::commands()) {
    out << "  " << command.name
        << std::string(12 - std::min<std::size_t>(11, command.name.size()), ' ') << command.summary
        << "\n";
  }
  out << "\n`nictune <command> --help` describes one command. Exit codes: 0 ok, 1 run failed,\n"
         "2 usage or spec error, 130 interrupted.\n";
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
    print_usage(args.empty() ? std::cerr : std::cout);
    return args.empty() ? nictune::cli::kExitUsage : nictune::cli::kExitOk;
  }
  if (args[0] == "--version") {
    std::cout << "nictune " << nictune::kVersion << "\n";
    return 0;
  }
  const auto* command = nictune::cli::find_command(args[0]);
  if (!command) {
    std::vector<std::string> names;
    for (const auto& c : nictune::cli::commands()) names.push_back(c.name);
    std::cerr << "nictune: unknown command \"" << args[0] << "\""
              << nictune::did_you_mean(args[0], names) << "; `nictune --help` lists the commands\n";
    return nictune::cli::kExitUsage;
  }
  std::vector<std::string> rest(args.begin() + 1, args.end());
  for (const auto& arg : rest) {
    if (arg == "-h" || arg == "--help") {
      std::cout << command->help;
      return 0;
    }
  }
  try {
    return command->run(rest);
  } catch (const nictune::cli::UsageError& e) {
    std::cerr << "nictune " << e.what() << "\n";
    return nictune::cli::kExitUsage;
  } catch (const nictune::SpecError& e) {
    std::cerr << e.what();
    std::cerr << "nictune " << command->name << ": " << e.issues().size()
              << " problem(s) in the spec; docs/spec.md describes every field\n";
    return nictune::cli::kExitUsage;
  } catch (const nictune::Error& e) {
    std::cerr << "nictune " << command->name << ": " << e.what() << "\n";
    return e.code() == nictune::ErrorCode::kInvalid ? nictune::cli::kExitUsage
                                                    : nictune::cli::kExitFailed;
  } catch (const std::exception& e) {
    std::cerr << "nictune " << command->name << ": internal error: " << e.what() << "\n";
    return nictune::cli::kExitFailed;
  }
}

// The visible list of `nictune` commands: name -> (summary, help, handler).
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace nictune::cli {

// Exit codes shared by every command.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitInterrupted = 130;

struct Command {
  std::string name;
  std::string summary;  // one line for `nictune --help`
  std::string help;     // full text for `nictune NAME --help`
  std::function<int(const std::vector<std::string>& args)> run;
};

const std::vector<Command>& commands();
const Command* find_command(const std::string& name);

}  // namespace nictune::cli

#include "orchestrator/cli/args.hpp"

#include <charconv>
#include <vector>

#include "core/text_util.hpp"

namespace nictune::cli {

Args::Args(const std::string& command, const std::vector<std::string>& argv,
           std::set<std::string> flags, std::set<std::string> options)
    : command_(command) {
  std::vector<std::string> known(flags.begin(), flags.end());
  known.insert(known.end(), options.begin(), options.end());
  for (std::size_t i = 0; i < argv.size(); ++i) {
    const std::string& arg = argv[i];
    if (arg == "--") {
      positionals_.insert(positionals_.end(), argv.begin() + static_cast<long>(i) + 1, argv.end());
      break;
    }
    if (arg.size() < 2 || arg[0] != '-') {
      positionals_.push_back(arg);
      continue;
    }
    std::string name = arg, value;
    bool inline_value = false;
    if (auto eq = arg.find('='); eq != std::string::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
      inline_value = true;
    }
    if (flags.count(name)) {
      if (inline_value) throw UsageError(command + ": " + name + " takes no value");
      flags_.insert(name);
    } else if (options.count(name)) {
      if (!inline_value) {
        if (i + 1 >= argv.size()) throw UsageError(command + ": " + name + " needs a value");
        value = argv[++i];
      }
      options_[name] = value;
      repeated_[name].push_back(value);
    } else {
      throw UsageError(command + ": unknown option \"" + name + "\"" + did_you_mean(name, known) +
                       "; `nictune " + command + " --help` lists the options");
    }
  }
}

std::optional<std::string> Args::option(const std::string& name) const {
  auto it = options_.find(name);
  if (it == options_.end()) return std::nullopt;
  return it->second;
}

std::string Args::option_or(const std::string& name, const std::string& fallback) const {
  return option(name).value_or(fallback);
}

std::vector<std::string> Args::options_all(const std::string& name) const {
  auto it = repeated_.find(name);
  return it == repeated_.end() ? std::vector<std::string>() : it->second;
}

double Args::number(const std::string& name, double fallback, double min, double max) const {
  auto text = option(name);
  if (!text) return fallback;
  double value = 0;
  auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || ptr != text->data() + text->size() || value < min || value > max) {
    throw UsageError(command_ + ": " + name + " expects a number from " + std::to_string(min) +
                     " to " + std::to_string(max) + ", found \"" + *text + "\"");
  }
  return value;
}

void Args::expect_positionals(std::size_t n, const std::string& what) const {
  if (positionals_.size() != n) {
    throw UsageError(command_ + ": expected " + what + ", found " +
                     std::to_string(positionals_.size()) + " argument(s); `nictune " + command_ +
                     " --help` shows the usage");
  }
}

}  // namespace nictune::cli

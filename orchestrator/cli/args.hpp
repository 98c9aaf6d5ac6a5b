// Parses one command's arguments: --flags, --options VALUE (or --option=VALUE), positionals.
// Unknown options and missing values are usage errors (exit 2) naming the option.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace nictune::cli {

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Args {
 public:
  // flags: options without a value; options: options that take one.
  Args(const std::string& command, const std::vector<std::string>& argv,
       std::set<std::string> flags, std::set<std::string> options);

  bool flag(const std::string& name) const { return flags_.count(name) > 0; }
  std::optional<std::string> option(const std::string& name) const;
  std::string option_or(const std::string& name, const std::string& fallback) const;
  // Every value of an option given several times, in order (option() has the last).
  std::vector<std::string> options_all(const std::string& name) const;
  double number(const std::string& name, double fallback, double min, double max) const;
  const std::vector<std::string>& positionals() const { return positionals_; }
  // Exactly n positionals named in `what` ("SPEC"), or a usage error.
  void expect_positionals(std::size_t n, const std::string& what) const;

 private:
  std::string command_;
  std::set<std::string> flags_;
  std::map<std::string, std::string> options_;
  std::map<std::string, std::vector<std::string>> repeated_;
  std::vector<std::string> positionals_;
};

}  // namespace nictune::cli

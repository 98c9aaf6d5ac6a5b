// `nictune check`: measure one configuration now against the same configuration in a baseline
// experiment, with the exit status `git bisect run` expects.
#include <iostream>

#include "orchestrator/cli/args.hpp"
#include "orchestrator/cli/commands.hpp"
#include "orchestrator/loaders/report_loaders.hpp"
#include "orchestrator/runner/client_caller.hpp"
#include "orchestrator/runner/runner.hpp"
#include "reports/check.hpp"
#include "reports/cli_support.hpp"

namespace nictune::cli {
namespace {

constexpr int kExitSkip = 125;

double parse_threshold(const std::string& text) {
  std::string number = text;
  double scale = 1;
  if (!number.empty() && number.back() == '%') {
    number.pop_back();
    scale = 0.01;
  }
  try {
    std::size_t used = 0;
    double value = std::stod(number, &used) * scale;
    if (used == number.size() && value >= 0 && value < 10) return value;
  } catch (const std::exception&) {
    // Falls through to the usage error below.
  }
  throw UsageError(
      "check: --threshold expects a fraction or a percentage such as 0.05 or 5%, found \"" + text +
      "\"");
}

// The baseline's spec narrowed to the one point: a one-point grid, no baseline trials, at least
// as many repetitions as the baseline had for it.
Json single_point_spec(const Json& spec, const Json& point, int repetitions) {
  Json doc = spec;
  Json parameters = Json::object();
  const Json& original = spec["space"]["parameters"];
  for (const auto& [key, value] : point.items()) {
    Json def = {{"values", Json::array({value})}};
    if (original.contains(key) && original[key].is_object() && original[key].contains("type")) {
      std::string type = original[key]["type"];
      def["type"] = type == "int" || type == "float" ? "ordinal" : type;
    }
    parameters[key] = def;
  }
  doc["space"] = {{"parameters", parameters}};
  doc["name"] = spec.value("name", std::string("check")) + "-check";
  doc["strategy"] = {{"type", "grid"}, {"budget", 1}, {"seed", 1}};
  doc["baseline"] = false;
  doc["repetitions"] = {{"count", std::max(2, repetitions)}};
  return doc;
}

}  // namespace

Command check_command() {
  return {
      "check", "measure one configuration now against a baseline: exit 0 good, 1 bad, 125 skip",
      R"(usage: nictune check [--db FILE] --baseline E --point ID [--threshold 5%] [--agent FILE]

Runs point ID of experiment E again on the same hosts (at least as many repetitions as the
baseline has, at least 2), stores it as experiment "<name>-check", and compares each objective
with a Welch t-test. The exit status is the contract of `git bisect run`:
  0    good: no objective significantly worse by more than the threshold
  1    bad: an objective is significantly worse by more than the threshold
  125  skip: could not measure (host unreachable, knob unsupported on this kernel, all trials failed)
  2    usage error (fix the command line; git bisect stops)
docs/bisect.md has a complete kernel-bisect recipe.
)",
      [](const std::vector<std::string>& argv) {
        Args args("check", argv, {}, {"--db", "--baseline", "--point", "--threshold", "--agent"});
        args.expect_positionals(0, "no positional arguments");
        auto baseline_name = args.option("--baseline");
        auto point_text = args.option("--point");
        if (!baseline_name || !point_text)
          throw UsageError("check: --baseline E and --point ID are required");
        double threshold = parse_threshold(args.option_or("--threshold", "5%"));
        std::string db_path = args.option_or("--db", report::kDefaultDatabase);
        auto store = report::open_existing_store(db_path);
        auto baseline = store->find_experiment(*baseline_name);
        if (!baseline)
          throw Error(ErrorCode::kInvalid,
                      "--baseline: no experiment \"" + *baseline_name + "\" in " + db_path);
        std::int64_t point_id = report::parse_id(*point_text, "--point");
        std::vector<TrialRecord> before;
        for (const auto& t : store->trials(baseline->id)) {
          if (t.point_id == point_id && !t.baseline) before.push_back(t);
        }
        if (before.empty()) {
          throw Error(ErrorCode::kInvalid, "--point: experiment " + std::to_string(baseline->id) +
                                               " has no trial of point " + *point_text);
        }
        int complete = 0;
        for (const auto& t : before) complete += t.outcome.state == TrialState::kComplete;
        try {
          ExperimentSpec spec =
              parse_spec(single_point_spec(baseline->spec, before.front().point, complete),
                         "experiment " + std::to_string(baseline->id));
          TransportOptions transport;
          transport.agent_binary = args.option_or("--agent", find_local_agent_binary());
          Progress progress(ProgressMode::kPlain, std::cerr, spec.objectives);
          std::atomic<bool> never{false};
          Runner runner(spec, *store, make_client_connector(transport), progress, never);
          RunResult result = runner.run();
          std::vector<TrialRecord> now;
          for (const auto& t : store->trials(result.experiment_id)) now.push_back(t);
          auto verdict = report::judge_against_baseline(before, now, spec.objectives, threshold);
          std::cout << report::to_string(verdict.verdict) << ": " << verdict.reason << "\n";
          return verdict.exit_code();
        } catch (const std::exception& e) {
          std::cout << "skip: could not measure: " << e.what() << "\n";
          return kExitSkip;
        }
      }};
}

}  // namespace nictune::cli

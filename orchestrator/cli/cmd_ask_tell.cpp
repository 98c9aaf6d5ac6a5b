// `nictune ask` / `nictune tell`: the search without the runner, for external load generators.
#include <iostream>

#include "core/version.hpp"
#include "orchestrator/cli/args.hpp"
#include "orchestrator/cli/commands.hpp"
#include "orchestrator/runner/external_loop.hpp"
#include "orchestrator/spec/experiment_spec.hpp"
#include "orchestrator/store/store_backends.hpp"

namespace nictune::cli {
namespace {

std::int64_t experiment_for(Store& store, const Args& args) {
  auto name = args.option("--experiment");
  auto spec_path = args.option("--spec");
  if (name.has_value() == spec_path.has_value()) {
    throw UsageError("ask: give --experiment E (an experiment in the database) or --spec FILE");
  }
  if (name) {
    auto e = store.find_experiment(*name);
    if (!e)
      throw Error(ErrorCode::kInvalid,
                  "--experiment: no experiment \"" + *name + "\" in the database");
    return e->id;
  }
  ExperimentSpec spec = load_spec(*spec_path);
  if (auto e = store.find_experiment(spec.name)) return e->id;
  return store.create_experiment(spec.name, spec.document, kVersion);
}

}  // namespace

Command ask_command() {
  return {
      "ask", "print the next point(s) to measure, for an external load generator",
      R"(usage: nictune ask [--db FILE] (--experiment E | --spec FILE) [-n N]

Replays the experiment's trials into its strategy and prints up to N new points as a JSON array
of {"point_id", "trial_id", "point"}. Each is recorded as an open trial, so asking again never
hands out the same point twice. Measure them yourself, then `nictune tell`. With --spec, the
experiment of that name is created if the database does not have it.

options:
  --db FILE          SQLite database (default: nictune.db)
  --experiment E     experiment id or name
  --spec FILE        the spec (creates the experiment on first use)
  -n N               how many points (default 1)
)",
      [](const std::vector<std::string>& argv) {
        Args args("ask", argv, {}, {"--db", "--experiment", "--spec", "-n"});
        args.expect_positionals(0, "no positional arguments");
        auto store = open_store(args.option_or("--db", "nictune.db"));
        auto n = static_cast<std::size_t>(args.number("-n", 1, 1, 1000));
        auto asked = ask_points(*store, experiment_for(*store, args), n);
        Json out = Json::array();
        for (const auto& a : asked)
          out.push_back({{"point_id", a.point_id}, {"trial_id", a.trial_id}, {"point", a.point}});
        std::cout << out.dump(2) << "\n";
        return kExitOk;
      }};
}

Command tell_command() {
  return {"tell", "record an outcome measured elsewhere for a point from `nictune ask`",
          R"(usage: nictune tell [--db FILE] --point ID (--metrics JSON | --failed REASON)

Completes the point's open trial with the metrics (an object of catalog metric names, e.g.
'{"rx_pps": 1.2e6, "dut_cpu_util": 180}'), or marks it failed so the strategy never proposes it
again.
)",
          [](const std::vector<std::string>& argv) {
            Args args("tell", argv, {}, {"--db", "--point", "--metrics", "--failed"});
            args.expect_positionals(0, "no positional arguments");
            auto point = args.option("--point");
            if (!point) throw UsageError("tell: --point ID is required");
            auto point_id = static_cast<std::int64_t>(args.number("--point", 0, 1, 9e15));
            Outcome outcome;
            if (auto failed = args.option("--failed")) {
              if (args.option("--metrics"))
                throw UsageError("tell: give --metrics or --failed, not both");
              outcome.state = TrialState::kFailed;
              outcome.error = *failed;
            } else {
              auto text = args.option("--metrics");
              if (!text) throw UsageError("tell: --metrics JSON or --failed REASON is required");
              Json metrics = parse_json_with_comments(*text, "--metrics");
              if (!metrics.is_object() || metrics.empty()) {
                throw Error(ErrorCode::kInvalid,
                            "--metrics: expected a non-empty object of metric name -> number");
              }
              for (const auto& [name, value] : metrics.items()) {
                if (!value.is_number()) {
                  throw Error(
                      ErrorCode::kInvalid,
                      "--metrics." + name + ": expected a number, found " + json_brief(value));
                }
                outcome.metrics[name] = value.get<double>();
              }
            }
            auto store = open_store(args.option_or("--db", "nictune.db"));
            std::int64_t trial = tell_point(*store, point_id, outcome);
            std::cout << Json{{"trial_id", trial},
                              {"point_id", point_id},
                              {"state", to_string(outcome.state)}}
                             .dump()
                      << "\n";
            return kExitOk;
          }};
}

}  // namespace nictune::cli

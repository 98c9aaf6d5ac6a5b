#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <iostream>

#include "orchestrator/cli/args.hpp"
#include "orchestrator/cli/commands.hpp"
#include "orchestrator/cli/run_summary.hpp"
#include "orchestrator/runner/client_caller.hpp"
#include "orchestrator/runner/plan.hpp"
#include "orchestrator/runner/runner.hpp"
#include "orchestrator/spec/experiment_spec.hpp"
#include "orchestrator/store/experiment_lock.hpp"
#include "orchestrator/store/store_backends.hpp"

namespace nictune::cli {
namespace {

// A signal handler can only reach static storage; this flag is the one piece of process-wide
// state, written by SIGINT/SIGTERM and read by the runner between steps.
std::atomic<bool> g_interrupted{false};

extern "C" void on_interrupt(int) {
  g_interrupted = true;
  // A second Ctrl-C ends the process at once; the agents still restore on end of input.
  signal(SIGINT, SIG_DFL);
}

}  // namespace

Command run_command() {
  return {
      "run", "run an experiment: apply each point, load, measure, store, report",
      R"(usage: nictune run [options] SPEC

Runs the experiment SPEC describes: probes the hosts (refusing knobs they cannot do), snapshots
their settings, measures the baseline, then for each point the strategy proposes applies it on
the DUT (and LG), runs the load, takes counter deltas and stores the trial in SQLite the moment
it ends. Every host is restored at the end, on Ctrl-C, and by the agent itself if the session
dies. Ends with the Pareto-best configurations.

options:
  --db FILE      SQLite database (default: nictune.db)
  --dry-run      validate and print the plan (space, grid size, first points, time estimate);
                 touch nothing
  --resume       continue the newest experiment of this name in the database without
                 re-running finished trials
  --force        with --resume: continue although the spec changed
  --json         progress as one JSON event per line on stdout (for automation)
  --agent FILE   the nictune-agent binary to run locally / upload over SSH
                 (default: $NICTUNE_AGENT, else next to nictune)

exit status: 0 complete, 1 run failed, 2 spec or usage error, 130 interrupted
)",
      [](const std::vector<std::string>& argv) {
        Args args("run", argv, {"--dry-run", "--resume", "--force", "--json"}, {"--db", "--agent"});
        args.expect_positionals(1, "one SPEC file");
        ExperimentSpec spec = load_spec(args.positionals()[0]);
        if (args.flag("--dry-run")) {
          print_plan(spec, plan_run(spec), std::cout);
          return kExitOk;
        }
        if (args.flag("--force") && !args.flag("--resume"))
          throw UsageError("run: --force only goes with --resume");
        std::string db_path = args.option_or("--db", "nictune.db");
        TransportOptions transport;
        transport.agent_binary = args.option_or("--agent", find_local_agent_binary());
        if (transport.agent_binary.empty()) {
          throw Error(ErrorCode::kInvalid,
                      "cannot find nictune-agent: pass --agent FILE or set NICTUNE_AGENT");
        }
        // Before anything is opened or changed: a second run of this experiment refuses at once.
        auto lock = ExperimentLock::acquire(db_path, spec.name);
        auto store = open_store(db_path);
        ProgressMode mode = args.flag("--json")     ? ProgressMode::kJson
                            : isatty(STDOUT_FILENO) ? ProgressMode::kTty
                                                    : ProgressMode::kPlain;
        Progress progress(mode, std::cout, spec.objectives);
        transport.log = [&progress](const std::string& line) { progress.aside(std::cerr, line); };
        RunOptions options;
        options.resume = args.flag("--resume");
        options.force = args.flag("--force");
        g_interrupted = false;
        signal(SIGINT, on_interrupt);
        signal(SIGTERM, on_interrupt);
        Runner runner(spec, *store, make_client_connector(transport), progress, g_interrupted,
                      options);
        RunResult result = runner.run();
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        progress.finished(to_string(result.status), {{"experiment", result.experiment_id},
                                                     {"trials", result.trials_run},
                                                     {"failed", result.trials_failed},
                                                     {"db", db_path}});
        if (mode != ProgressMode::kJson) print_run_summary(*store, result, db_path, std::cout);
        if (result.status == ExperimentStatus::kInterrupted) return kExitInterrupted;
        if (result.status != ExperimentStatus::kComplete) {
          std::cerr << "nictune run: " << result.error << "\n";
          return kExitFailed;
        }
        return result.trials_run > 0 && result.trials_failed == result.trials_run ? kExitFailed
                                                                                  : kExitOk;
      }};
}

}  // namespace nictune::cli

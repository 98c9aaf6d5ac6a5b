// The experiment loop: connects the benches, probes and snapshots the hosts, asks the strategy
// for points, runs their repetitions in randomised order across the benches, stores every trial
// the moment it ends, tells the strategy, and restores every host at the end - also when
// interrupted or when a host is lost.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "orchestrator/runner/agent_caller.hpp"
#include "orchestrator/runner/progress.hpp"
#include "orchestrator/spec/experiment_spec.hpp"
#include "orchestrator/store/store.hpp"

namespace nictune {

struct RunOptions {
  bool resume = false;  // continue the newest experiment of this name
  bool force = false;   // resume even though the spec changed
  int reconnect_attempts = 4;
  double reconnect_first_delay_s = 1.0;  // doubled after each failed attempt
};

struct RunResult {
  std::int64_t experiment_id = 0;
  ExperimentStatus status = ExperimentStatus::kRunning;  // complete, interrupted or failed
  int trials_run = 0;
  int trials_failed = 0;
  std::string error;  // why the run failed, if it did
};

class Runner {
 public:
  Runner(const ExperimentSpec& spec, Store& store, AgentConnector connector, Progress& progress,
         const std::atomic<bool>& interrupted, RunOptions options = {});
  ~Runner();
  // Throws Error(kInvalid) for what the user must fix (spec changed on resume, a knob the host
  // cannot do) before anything is changed on a host.
  RunResult run();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace nictune

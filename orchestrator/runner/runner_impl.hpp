// The runner's private class, shared by the files that define its steps: runner.cpp (the run
// and its rounds), runner_hosts.cpp (connecting, probing, snapshots, warm start, restore),
// runner_execute.cpp (one round of trials across the benches, the heartbeat), runner_race.cpp
// (racing rounds) and runner_summary.cpp (warnings during the run, drift at its end).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "orchestrator/runner/baseline_variants.hpp"
#include "orchestrator/runner/runner.hpp"
#include "orchestrator/runner/screening_gate.hpp"
#include "orchestrator/runner/trial_executor.hpp"
#include "orchestrator/runner/warm_start.hpp"
#include "orchestrator/transport/transport.hpp"
#include "strategies/strategy.hpp"

namespace nictune {

class Runner::Impl {
 public:
  Impl(const ExperimentSpec& spec, Store& store, AgentConnector connector, Progress& progress,
       const std::atomic<bool>& interrupted, RunOptions options);

  RunResult run();

 private:
  static constexpr auto kHeartbeatPeriod = std::chrono::seconds(2);
  // A running trial whose heartbeat is older than this has no live runner (five missed beats).
  static constexpr double kStaleAfterS = 10;

  struct Task {
    std::size_t point_index;  // into the batch's point states
    int repetition;
    bool screening = false;  // the short first trial of multi-fidelity screening
  };

  struct PointState {
    Point point;
    std::int64_t point_id = 0;
    bool baseline = false;
    int trials = 0;  // every trial so far, whatever its state: the next repetition number
    std::vector<std::map<std::string, double>> complete;
    int failed = 0;
    bool pruned = false;  // screened out: never measured in full
  };

  // --- hosts (runner_hosts.cpp) ------------------------------------------------------------
  void connect_and_probe();
  void check_forwarding_links(BenchSession& bench, const std::string& path, Issues& issues);
  void check_capabilities(HostSession& host, Issues& issues);
  void open_experiment();
  int recover_stale_trials(std::int64_t experiment);
  void record_hosts_and_snapshot();
  void finish_hosts();
  bool reconnect(HostSession& host);
  void resolve_warm_start_sources();
  void record_warm_start();

  // --- the loop (runner.cpp) ---------------------------------------------------------------
  void loop();
  std::size_t batch_size() const;
  std::vector<PointState> baseline_states(const std::vector<Json>& variants);
  void run_new_baselines(const std::vector<PointState>& points);
  std::vector<PointState> replay();

  // --- racing rounds (runner_race.cpp) -----------------------------------------------------
  void race();

  // --- one round of trials (runner_execute.cpp) --------------------------------------------
  void run_points(std::vector<PointState> points);
  void run_points(std::vector<PointState> points, int min_repetitions);
  void interleave_baselines(std::vector<PointState>& points, std::vector<Task>& tasks);
  void execute(std::vector<PointState>& points, const std::vector<Task>& tasks);
  void run_one(BenchSession& bench, PointState& state, const Task& task, std::mutex& state_mutex);
  static bool is_host_error(const HostSession& host, const TransportError& e);
  void start_heartbeat();
  void stop_heartbeat();

  // --- warnings and the closing summary (runner_summary.cpp) -------------------------------
  void warn_if_forwarding_disagrees(std::int64_t trial, const Outcome& outcome);
  void warn_if_busy(std::int64_t trial, const Outcome& outcome);
  void report_drift();

  std::chrono::milliseconds step_timeout() const {
    return std::chrono::milliseconds(static_cast<long>(spec_.step_timeout_s * 1000));
  }

  const ExperimentSpec& spec_;
  Store& store_;
  AgentConnector connect_;
  Progress& progress_;
  const std::atomic<bool>& interrupted_;
  RunOptions options_;
  WarmStart warm_start_;
  std::vector<BenchSession> benches_;
  std::unique_ptr<Strategy> strategy_;
  std::mutex strategy_mutex_;
  std::mt19937_64 rng_;
  ScreeningGate screening_gate_;   // guarded by strategy_mutex_
  ExperimentSpec screening_spec_;  // the spec with the screening workload, when screening
  BaselineVariants baselines_{spec_};
  int configuration_trials_ = 0;  // first-pass configuration trials, for baseline_every
  std::string fatal_;
  RunResult result_;

  std::mutex running_mutex_;
  std::set<std::int64_t> running_;
  std::thread heartbeat_;
  std::mutex heartbeat_mutex_;
  std::condition_variable heartbeat_cv_;
  bool stop_ = false;
};

}  // namespace nictune

// One round of trials: the repetitions of a batch of points shuffled and handed to the benches
// (one worker thread per bench), each trial stored the moment it ends and told to the
// strategy; the heartbeat that marks the running trials alive.
#include <algorithm>
#include <deque>
#include <map>
#include <thread>

#include "core/workload_variant.hpp"
#include "orchestrator/runner/repetition_policy.hpp"
#include "orchestrator/runner/runner_impl.hpp"

namespace nictune {
namespace {

std::vector<SampleRecord> samples_of(const Outcome& outcome) {
  std::vector<SampleRecord> samples;
  const Json* intervals = nullptr;
  if (outcome.details.contains("load") && outcome.details["load"].contains("client")) {
    const Json& client = outcome.details["load"]["client"];
    if (client.contains("intervals") && client["intervals"].is_array())
      intervals = &client["intervals"];
  }
  if (!intervals) return samples;
  for (const auto& interval : *intervals) {
    if (!interval.is_object() || !interval.contains("t") || !interval["t"].is_number()) continue;
    double t = interval["t"].get<double>();
    for (const auto& [name, value] : interval.items()) {
      if (name != "t" && value.is_number()) samples.push_back({t, name, value.get<double>()});
    }
  }
  return samples;
}

}  // namespace

void Runner::Impl::run_points(std::vector<PointState> points) {
  run_points(std::move(points), spec_.repetitions.min);
}

void Runner::Impl::run_points(std::vector<PointState> points, int min_repetitions) {
  std::vector<Task> tasks;
  if (spec_.screening.enabled()) {
    // Screening first: the short trial of every new point of the batch, in random order.
    for (std::size_t i = 0; i < points.size(); ++i) {
      if (!points[i].baseline && points[i].complete.empty()) tasks.push_back({i, 0, true});
    }
    std::shuffle(tasks.begin(), tasks.end(), rng_);
    if (!tasks.empty()) execute(points, tasks);
    tasks.clear();
    if (interrupted_ || !fatal_.empty()) return;
  }
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (points[i].pruned || points[i].failed > 0) continue;
    int have = int(points[i].complete.size());
    for (int r = have; r < min_repetitions; ++r) tasks.push_back({i, 0});
  }
  RepetitionPolicy policy(spec_.repetitions, spec_.objectives);
  for (bool first = true; !tasks.empty() && !interrupted_ && fatal_.empty(); first = false) {
    std::shuffle(tasks.begin(), tasks.end(), rng_);
    if (first) interleave_baselines(points, tasks);
    execute(points, tasks);
    tasks.clear();
    for (std::size_t i = 0; i < points.size(); ++i) {
      if (points[i].baseline || points[i].pruned) continue;
      if (policy.wants_another(points[i].complete, points[i].failed)) tasks.push_back({i, 0});
    }
  }
}

// Race: a baseline trial after every baseline_every configuration trials, counted across batches
// (a sequential strategy's one-point batches get theirs too), at the workload variant of the
// trial before it. Every configuration then has a baseline measured near it in time, and drift
// has baseline trials spread over the run to show in, not only the first and the last.
void Runner::Impl::interleave_baselines(std::vector<PointState>& points, std::vector<Task>& tasks) {
  const int every = spec_.interleaved_baseline_every();
  if (every == 0) return;
  std::map<std::string, std::size_t> baseline_of;  // variant -> index into points
  std::vector<Task> out;
  for (const Task& task : tasks) {
    out.push_back(task);
    if (points[task.point_index].baseline || ++configuration_trials_ % every != 0) continue;
    const Json variant = workload_variant(points[task.point_index].point);
    auto [it, fresh] = baseline_of.try_emplace(variant.dump(), points.size());
    if (fresh) points.push_back(baseline_states({variant}).front());
    out.push_back({it->second, 0});
  }
  tasks = std::move(out);
}

void Runner::Impl::execute(std::vector<PointState>& points, const std::vector<Task>& tasks) {
  std::mutex queue_mutex;
  std::deque<Task> queue(tasks.begin(), tasks.end());
  auto worker = [&](BenchSession& bench) {
    while (!interrupted_ && fatal_.empty()) {
      Task task;
      {
        std::lock_guard lock(queue_mutex);
        if (queue.empty()) return;
        task = queue.front();
        queue.pop_front();
        task.repetition = points[task.point_index].trials++;
      }
      run_one(bench, points[task.point_index], task, queue_mutex);
    }
  };
  if (benches_.size() == 1) {
    worker(benches_[0]);
    return;
  }
  std::vector<std::thread> threads;
  for (auto& bench : benches_) threads.emplace_back(worker, std::ref(bench));
  for (auto& t : threads) t.join();
}

void Runner::Impl::run_one(BenchSession& bench, PointState& state, const Task& task,
                           std::mutex& state_mutex) {
  const int repetition = task.repetition;
  std::int64_t trial = store_.begin_trial(result_.experiment_id, state.point_id, repetition,
                                          state.baseline, bench.name);
  {
    std::lock_guard lock(running_mutex_);
    running_.insert(trial);
  }
  Outcome outcome;
  try {
    outcome =
        run_trial(bench, task.screening ? screening_spec_ : spec_, state.point, state.baseline);
  } catch (const TransportError& e) {
    outcome.state = TrialState::kFailed;
    outcome.error = std::string("host lost: ") + e.what();
    HostSession& lost = bench.shared_host || is_host_error(bench.dut, e) ? bench.dut : bench.lg;
    progress_.message(outcome.error + "; reconnecting");
    if (!reconnect(lost))
      fatal_ = lost.spec.role + " lost and could not be reconnected: " + e.what();
    if (bench.shared_host) bench.lg.agent = bench.dut.agent;
  }
  if (interrupted_) mark_interrupted(outcome);
  if (task.screening) {
    outcome.details["fidelity"] = {{"screening", true}, {"duration_s", spec_.screening.duration_s}};
    if (outcome.state == TrialState::kComplete) {
      std::lock_guard lock(strategy_mutex_);
      std::string why = screening_gate_.judge(outcome.metrics);
      if (!why.empty()) {
        outcome.state = TrialState::kPruned;
        outcome.error = why;
      }
    }
  }
  store_.finish_trial(trial, outcome);
  auto samples = samples_of(outcome);
  if (!samples.empty()) store_.add_samples(trial, samples);
  {
    std::lock_guard lock(running_mutex_);
    running_.erase(trial);
  }
  ++result_.trials_run;
  if (outcome.state == TrialState::kFailed) ++result_.trials_failed;
  {
    std::lock_guard lock(state_mutex);
    if (outcome.state == TrialState::kComplete) state.complete.push_back(outcome.metrics);
    if (outcome.state == TrialState::kFailed && !is_interrupted(outcome)) ++state.failed;
    if (outcome.state == TrialState::kPruned) state.pruned = true;
  }
  if (!state.baseline && !is_interrupted(outcome)) {
    std::lock_guard lock(strategy_mutex_);
    strategy_->tell(state.point, outcome);
  }
  progress_.trial_done(
      {trial, state.point_id, state.point, repetition, state.baseline, bench.name, outcome});
  warn_if_busy(trial, outcome);
  warn_if_forwarding_disagrees(trial, outcome);
}

bool Runner::Impl::is_host_error(const HostSession& host, const TransportError& e) {
  return host.agent && std::string(e.what()).find(host.agent->describe()) != std::string::npos;
}

void Runner::Impl::start_heartbeat() {
  heartbeat_ = std::thread([this] {
    std::unique_lock lock(heartbeat_mutex_);
    while (!heartbeat_cv_.wait_for(lock, kHeartbeatPeriod, [this] { return stop_; })) {
      std::set<std::int64_t> running;
      {
        std::lock_guard guard(running_mutex_);
        running = running_;
      }
      for (auto id : running) {
        try {
          store_.heartbeat(id);
        } catch (...) {
          // A busy database delays one heartbeat; the next one follows in 2 s.
        }
      }
    }
  });
}

void Runner::Impl::stop_heartbeat() {
  {
    std::lock_guard lock(heartbeat_mutex_);
    stop_ = true;
  }
  heartbeat_cv_.notify_all();
  if (heartbeat_.joinable()) heartbeat_.join();
}

}  // namespace nictune

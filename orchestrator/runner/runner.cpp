#include "orchestrator/runner/runner.hpp"

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "core/knob_catalog.hpp"
#include "core/text_util.hpp"
#include "core/version.hpp"
#include "orchestrator/runner/history_replay.hpp"
#include "orchestrator/runner/plan.hpp"
#include "orchestrator/runner/profile_phase.hpp"
#include "orchestrator/runner/race.hpp"
#include "orchestrator/runner/repetition_policy.hpp"
#include "orchestrator/runner/screening_gate.hpp"
#include "orchestrator/runner/trial_executor.hpp"
#include "orchestrator/runner/warm_start.hpp"
#include "orchestrator/transport/transport.hpp"
#include "reports/drift.hpp"
#include "strategies/strategy.hpp"

namespace nictune {
namespace {

using std::chrono::milliseconds;

constexpr auto kHeartbeatPeriod = std::chrono::seconds(2);
// A running trial whose heartbeat is older than this has no live runner (five missed beats).
constexpr double kStaleAfterS = 10;

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

bool is_screening_trial(const Outcome& outcome) {
  return outcome.details.contains("fidelity") &&
         outcome.details["fidelity"].value("screening", false);
}

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

// The probe as recorded with the experiment, with the facts every report shows lifted to the
// top level (hostname, kernel, driver, firmware, CPU), and the original knob values.
Json host_facts(const HostSession& host) {
  Json facts = host.probe;
  const Json h = host.probe.value("host", Json::object());
  const Json nic = host.probe.value("nic", Json::object());
  auto lift = [&](const char* to, const Json& from, const char* key) {
    if (from.contains(key) && !from[key].is_null()) facts[to] = from[key];
  };
  lift("hostname", h, "hostname");
  lift("kernel", h, "kernel");
  lift("distro", h, "distro");
  lift("cpu_model", h, "cpu_model");
  lift("cpus", h, "cpus_online");
  lift("driver", nic, "driver");
  lift("driver_version", nic, "version");
  lift("firmware", nic, "firmware");
  lift("bus_info", nic, "bus_info");
  facts["transport"] = host.agent->describe();
  facts["interface"] = host.spec.interface;
  facts["original"] = host.original;
  return facts;
}

}  // namespace

class Runner::Impl {
 public:
  Impl(const ExperimentSpec& spec, Store& store, AgentConnector connector, Progress& progress,
       const std::atomic<bool>& interrupted, RunOptions options)
      : spec_(spec),
        store_(store),
        connect_(std::move(connector)),
        progress_(progress),
        interrupted_(interrupted),
        options_(options),
        rng_(spec.seed ^ 0x6e6963747564ULL),
        screening_gate_(spec.screening, spec.objectives) {
    if (spec.screening.enabled()) {
      screening_spec_ = spec;
      screening_spec_.workload = spec.screening_workload();
    }
  }

  RunResult run() {
    try {
      connect_and_probe();
      resolve_warm_start_sources();
      open_experiment();
      record_warm_start();
      record_hosts_and_snapshot();
      start_heartbeat();
      loop();
    } catch (...) {
      finish_hosts();
      stop_heartbeat();
      if (result_.experiment_id) {
        try {
          store_.set_experiment_status(result_.experiment_id, ExperimentStatus::kFailed);
        } catch (...) {
          // The store itself failed; the original error says more.
        }
      }
      throw;
    }
    finish_hosts();
    stop_heartbeat();
    if (!fatal_.empty()) {
      result_.status = ExperimentStatus::kFailed;
      result_.error = fatal_;
    } else {
      result_.status = interrupted_ ? ExperimentStatus::kInterrupted : ExperimentStatus::kComplete;
    }
    store_.set_experiment_status(result_.experiment_id, result_.status);
    return result_;
  }

 private:
  // --- hosts -------------------------------------------------------------------------------

  void connect_and_probe() {
    Issues issues;
    for (const auto& bench_spec : spec_.benches) {
      BenchSession bench;
      bench.name = bench_spec.name;
      bench.dut.spec = bench_spec.dut;
      bench.lg.spec = bench_spec.lg;
      bench.forwarding = bench_spec.forwarding;
      benches_.push_back(std::move(bench));
    }
    for (std::size_t b = 0; b < benches_.size(); ++b) {
      BenchSession& bench = benches_[b];
      bench.shared_host = same_endpoint(bench.dut.spec, bench.lg.spec);
      for (HostSession* host : {&bench.dut, &bench.lg}) {
        if (host == &bench.lg && bench.shared_host) {
          host->agent = bench.dut.agent;
        } else {
          host->agent = connect_(host->spec);
        }
        host->probe =
            host->agent->call("probe", {{"interface", host->spec.interface}}, step_timeout());
        // Whether perf can sample the DUT goes into its facts: the report says why a profile
        // is missing. Profiles never block the search, so this is no spec error.
        if (spec_.profile.enabled && host == &bench.dut)
          host->probe["perf"] = host->agent->call("profile.probe", Json::object(), step_timeout());
        check_capabilities(*host, issues);
      }
      if (bench.forwarding) {
        const std::string path = spec_.benches.size() == 1 && spec_.document.contains("hosts")
                                     ? std::string("hosts.forwarding")
                                     : "benches[" + std::to_string(b) + "].forwarding";
        check_forwarding_links(bench, path, issues);
      }
      if (bench.shared_host && !bench.lg.knobs.empty() &&
          bench.lg.spec.interface == bench.dut.spec.interface) {
        issues.add("space.parameters", "the LG is the DUT's host and interface (" +
                                           bench.dut.spec.interface +
                                           "): set its knobs without the \"lg:\" prefix");
      }
    }
    if (!issues.empty()) throw SpecError("probe", issues);
  }

  // The forwarding path's other two links exist where the spec says: a missing one would fail
  // every trial at its counter window or its sink.
  void check_forwarding_links(BenchSession& bench, const std::string& path, Issues& issues) {
    const std::pair<HostSession*, std::string> links[] = {
        {&bench.dut, bench.forwarding->dut_egress}, {&bench.lg, bench.forwarding->lg_sink}};
    for (const auto& [host, link] : links) {
      try {
        host->agent->call("probe", {{"interface", link}}, step_timeout());
      } catch (const TransportError&) {
        throw;
      } catch (const Error& e) {
        issues.add(path + (host == &bench.dut ? ".dut_egress" : ".lg_sink"),
                   host->spec.role + " (" + host->agent->describe() + "): " + e.what());
      }
    }
  }

  void check_capabilities(HostSession& host, Issues& issues) {
    const Json knobs = host.probe.value("knobs", Json::object());
    for (const auto& p : spec_.space.parameters()) {
      KnobRef ref = split_knob_key(p.name);
      if (ref.role != host.spec.role || ref.knob == "app.cpus") continue;
      std::string where =
          host.spec.role + " " + host.spec.interface + " (" + host.agent->describe() + ")";
      if (!knobs.contains(ref.knob)) {
        issues.add("space.parameters." + p.name,
                   "the agent on " + where + " does not know this knob");
        continue;
      }
      const Json& k = knobs[ref.knob];
      if (!k.value("supported", false)) {
        issues.add(
            "space.parameters." + p.name,
            "not supported on " + where + ": " + k.value("reason", std::string("no reason given")));
        continue;
      }
      host.knobs.push_back(ref.knob);
    }
  }

  void open_experiment() {
    std::string hash = fnv1a64_hex(spec_.document.dump());
    if (options_.resume) {
      auto existing = store_.find_experiment(spec_.name);
      if (!existing)
        throw invalid("--resume: no experiment named \"" + spec_.name + "\" in the database");
      if (existing->spec_hash != hash && !options_.force) {
        throw invalid("--resume: the spec changed since experiment " +
                      std::to_string(existing->id) +
                      " started; run without --resume for a new experiment, or add --force");
      }
      result_.experiment_id = existing->id;
      int recovered = recover_stale_trials(existing->id);
      if (recovered)
        progress_.message("resume: " + std::to_string(recovered) +
                          " interrupted trial(s) will be run again");
      store_.set_experiment_status(existing->id, ExperimentStatus::kRunning);
      return;
    }
    result_.experiment_id = store_.create_experiment(spec_.name, spec_.document, kVersion);
  }

  // Trials of a runner that died: the experiment lock (cmd_run) is ours, so a running trial's
  // heartbeat can only stop. One still fresh is waited for until it is stale; one that keeps
  // beating belongs to a process that ignores the lock, and this run refuses to write beside it.
  // Trials handed out by `ask` (bench "external") never beat and are left to `tell`.
  int recover_stale_trials(std::int64_t experiment) {
    int recovered = 0;
    auto deadline = std::chrono::steady_clock::now() +
                    std::chrono::milliseconds(static_cast<long>(kStaleAfterS * 1000)) +
                    2 * kHeartbeatPeriod;
    while (true) {
      recovered += store_.recover_stale_trials(experiment, kStaleAfterS);
      std::int64_t fresh = 0;
      for (const auto& t : store_.trials(experiment)) {
        if (t.outcome.state == TrialState::kRunning && t.bench != "external") fresh = t.id;
      }
      if (fresh == 0) return recovered;
      if (std::chrono::steady_clock::now() > deadline) {
        throw Error(ErrorCode::kBusy,
                    "--resume: trial " + std::to_string(fresh) +
                        " of this experiment is still heartbeating: another process is running "
                        "it; wait for it or stop it");
      }
      std::this_thread::sleep_for(kHeartbeatPeriod / 4);
    }
  }

  void record_hosts_and_snapshot() {
    bool have_hosts = !store_.hosts(result_.experiment_id).empty();
    for (auto& bench : benches_) {
      for (HostSession* host : {&bench.dut, &bench.lg}) {
        if (host == &bench.lg && bench.shared_host && host->knobs.empty()) {
          if (!have_hosts)
            store_.record_host(result_.experiment_id, "lg", bench.name, host_facts(bench.dut));
          continue;
        }
        Json snapshot = host->agent->call(
            "snapshot", {{"interface", host->spec.interface}, {"knobs", host->knobs}},
            step_timeout());
        host->original = snapshot.value("values", Json::object());
        if (!have_hosts) {
          Json facts = host_facts(*host);
          store_.record_host(result_.experiment_id, host->spec.role, bench.name, facts);
        }
      }
    }
  }

  void finish_hosts() {
    for (auto& bench : benches_) {
      for (HostSession* host : {&bench.dut, &bench.lg}) {
        if (!host->agent) continue;
        if (host == &bench.lg && bench.shared_host) {
          host->agent.reset();  // the DUT's session, restored and closed above
          continue;
        }
        try {
          Json r = host->agent->call("restore", Json::object(), step_timeout());
          for (const auto& m : r.value("mismatches", Json::array())) {
            progress_.message("warning: " + host->spec.role + " " + host->spec.interface + ": " +
                              m.value("knob", "?") + " is " + m.value("found", Json()).dump() +
                              ", expected " + m.value("expected", Json()).dump() +
                              " after restore");
          }
        } catch (const std::exception& e) {
          progress_.message("warning: " + host->spec.role + ": restore: " + e.what() +
                            " (the agent restores on its own when the session ends)");
        }
        try {
          host->agent->close();
        } catch (...) {
          // Closing a session that is already gone.
        }
        host->agent.reset();
      }
    }
  }

  bool reconnect(HostSession& host) {
    try {
      host.agent->close();
    } catch (...) {
      // The old session is gone; that is why we are here.
    }
    double delay = options_.reconnect_first_delay_s;
    for (int attempt = 1; attempt <= options_.reconnect_attempts && !interrupted_; ++attempt) {
      std::this_thread::sleep_for(milliseconds(static_cast<long>(delay * 1000)));
      delay *= 2;
      try {
        host.agent = connect_(host.spec);
        host.agent->call("snapshot", {{"interface", host.spec.interface}, {"knobs", host.knobs}},
                         step_timeout());
        progress_.message(host.spec.role + " reconnected (attempt " + std::to_string(attempt) +
                          ")");
        return true;
      } catch (const std::exception& e) {
        progress_.message(host.spec.role + " reconnect attempt " + std::to_string(attempt) +
                          " failed: " + e.what());
      }
    }
    return false;
  }

  // --- the loop ----------------------------------------------------------------------------

  // Before the experiment exists, so a bad warm_start leaves nothing behind.
  void resolve_warm_start_sources() {
    if (!spec_.warm_start.enabled || benches_.empty()) return;
    std::optional<std::int64_t> self;
    if (options_.resume)
      if (auto existing = store_.find_experiment(spec_.name)) self = existing->id;
    warm_start_ = resolve_warm_start(
        spec_, store_, nic_identity_from_facts(host_facts(benches_.front().dut)), self);
  }

  void record_warm_start() {
    if (!warm_start_.enabled) return;
    store_.set_warm_start(result_.experiment_id, warm_start_.to_json());
    progress_.message(warm_start_.describe());
  }

  void loop() {
    StrategyConfig strategy_config = spec_.strategy_config();
    warm_start_.apply_to(strategy_config);
    strategy_ = make_strategy(spec_.strategy, strategy_config);
    std::vector<PointState> carry_over = replay();
    RunPlan plan = plan_run(spec_, 0);
    std::size_t planned =
        plan.points * std::size_t(plan.repetitions_min) + std::size_t(plan.baseline_trials);
    progress_.started(result_.experiment_id, spec_.name, planned);

    if (spec_.baseline && !baseline_done_) run_points({baseline_state()});
    if (!carry_over.empty()) run_points(std::move(carry_over));
    while (!interrupted_ && fatal_.empty()) {
      std::vector<Point> batch;
      {
        std::lock_guard lock(strategy_mutex_);
        batch = strategy_->ask(batch_size());
      }
      if (batch.empty()) break;
      std::vector<PointState> states;
      for (const auto& p : batch) {
        PointState s;
        s.point = spec_.space.canonicalize(p);
        s.point_id = store_.intern_point(result_.experiment_id, s.point);
        states.push_back(std::move(s));
      }
      run_points(std::move(states));
    }
    if (spec_.repetitions.race() && !interrupted_ && fatal_.empty()) race();
    if (spec_.baseline && !interrupted_ && fatal_.empty()) {
      // The race re-measured the baseline between its rounds already; one closing trial then
      // anchors the end of the run for drift detection.
      run_points({baseline_state()}, spec_.repetitions.race() ? 1 : spec_.repetitions.min);
    }
    if (spec_.profile.enabled && !interrupted_ && fatal_.empty() && !benches_.empty())
      run_profiles(benches_.front(), spec_, store_, result_.experiment_id, progress_, interrupted_);
    if (!interrupted_ && fatal_.empty()) report_drift();
    std::string reason;
    {
      std::lock_guard lock(strategy_mutex_);
      reason = strategy_->stop_reason();
    }
    if (!reason.empty()) progress_.message("strategy: " + reason);
  }

  // Model-based strategies learn from every result, so they get one point per bench at a time;
  // the others hand out several, whose repetitions are shuffled together so that drift over
  // time does not masquerade as the effect of a knob.
  std::size_t batch_size() const {
    constexpr std::size_t kShuffledBatch = 8;
    if (strategy_entry(spec_.strategy).sequential) return benches_.size();
    return std::max(benches_.size(), kShuffledBatch);
  }

  PointState baseline_state() {
    PointState s;
    s.point = Json::object();
    s.baseline = true;
    s.point_id = store_.intern_point(result_.experiment_id, s.point);
    return s;
  }

  // Tells the strategy what the store already holds; returns points whose repetitions are
  // incomplete (interrupted) so they are finished before new points are asked for.
  std::vector<PointState> replay() {
    std::map<std::int64_t, PointState> by_point;
    const std::vector<TrialRecord> trials = store_.trials(result_.experiment_id);
    for (const auto& t : trials) {
      if (t.baseline) {
        if (t.outcome.state == TrialState::kComplete) baseline_done_ = true;
        continue;
      }
      PointState& s = by_point[t.point_id];
      s.point = t.point;
      s.point_id = t.point_id;
      ++s.trials;
      if (is_screening_trial(t.outcome) && t.outcome.state != TrialState::kFailed)
        screening_gate_.remember(t.outcome.metrics);
      if (t.outcome.state == TrialState::kPruned) s.pruned = true;
      if (is_interrupted(t.outcome)) continue;
      if (t.outcome.state == TrialState::kComplete) s.complete.push_back(t.outcome.metrics);
      if (t.outcome.state == TrialState::kFailed) ++s.failed;
    }
    replay_history(trials, *strategy_, RunningTrials::kTell);
    std::vector<PointState> unfinished;
    for (auto& [id, s] : by_point) {
      if (s.failed == 0 && !s.pruned && int(s.complete.size()) < spec_.repetitions.min) {
        // A point only ever interrupted was never told; tell the strategy it is taken.
        unfinished.push_back(std::move(s));
      }
    }
    return unfinished;
  }

  // Racing rounds until nothing is left to decide. Every round rebuilds the race from the stored
  // trials, so a resumed run continues the same race.
  void race() {
    RepetitionSpec rules = spec_.repetitions;
    rules.budget = race_budget(spec_, plan_run(spec_, 0).points);
    const Race race(rules, spec_.objectives);
    // One trial stays reserved for the closing baseline measurement.
    const int reserved = spec_.baseline ? 1 : 0;
    for (int round_no = 1; !interrupted_ && fatal_.empty(); ++round_no) {
      std::map<std::pair<bool, std::int64_t>, RaceEntry> entries;
      std::map<std::pair<bool, std::int64_t>, PointState> states;
      int used = 0;
      for (const auto& t : store_.trials(result_.experiment_id)) {
        if (is_interrupted(t.outcome)) continue;
        ++used;
        const std::pair<bool, std::int64_t> key{t.baseline, t.point_id};
        RaceEntry& e = entries[key];
        e.point_id = t.point_id;
        e.baseline = t.baseline;
        if (t.outcome.state == TrialState::kComplete) e.complete.push_back(t.outcome.metrics);
        if (t.outcome.state != TrialState::kComplete) e.failed = true;
        PointState& ps = states[key];
        ps.point = t.baseline ? Json::object() : t.point;
        ps.point_id = t.point_id;
        ps.baseline = t.baseline;
        ++ps.trials;
      }
      std::vector<RaceEntry> list;
      for (auto& [key, e] : entries) list.push_back(std::move(e));
      const RaceRound round = race.next_round(list, used + reserved);
      if (round.next.empty()) {
        progress_.message(round.budget_exhausted
                              ? "race: trial budget spent (" + std::to_string(used) + " trials)"
                              : "race: every configuration separated, precise, capped or beaten");
        return;
      }
      std::vector<PointState> points;
      std::vector<Task> tasks;
      for (const auto id : round.next) {
        const bool is_baseline = states.count({true, id}) > 0;
        points.push_back(states.at({is_baseline, id}));
        tasks.push_back({points.size() - 1, 0});
      }
      progress_.message("race round " + std::to_string(round_no) + ": " +
                        std::to_string(round.next.size()) + " configuration(s) still undecided");
      // Interleaved: the round's repetitions in random order, so drift spreads over them all.
      std::shuffle(tasks.begin(), tasks.end(), rng_);
      execute(points, tasks);
    }
  }

  void run_points(std::vector<PointState> points) {
    run_points(std::move(points), spec_.repetitions.min);
  }

  void run_points(std::vector<PointState> points, int min_repetitions) {
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
    while (!tasks.empty() && !interrupted_ && fatal_.empty()) {
      std::shuffle(tasks.begin(), tasks.end(), rng_);
      execute(points, tasks);
      tasks.clear();
      for (std::size_t i = 0; i < points.size(); ++i) {
        if (points[i].baseline || points[i].pruned) continue;
        if (policy.wants_another(points[i].complete, points[i].failed)) tasks.push_back({i, 0});
      }
    }
  }

  void execute(std::vector<PointState>& points, const std::vector<Task>& tasks) {
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

  void run_one(BenchSession& bench, PointState& state, const Task& task, std::mutex& state_mutex) {
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
      outcome.details["fidelity"] = {{"screening", true},
                                     {"duration_s", spec_.screening.duration_s}};
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

  // A forwarding trial whose DUT egress and sink counts differ by more than 1 % lost (or gained)
  // packets between the DUT and the sink: its figures do not describe the DUT alone.
  void warn_if_forwarding_disagrees(std::int64_t trial, const Outcome& outcome) {
    const auto it = outcome.details.find("forwarding");
    if (it == outcome.details.end() || it->value("counters_agree", true)) return;
    char text[200];
    std::snprintf(text, sizeof text,
                  "forwarding counters disagree in trial %lld: DUT egress sent %.0f, the sink "
                  "received %.0f",
                  static_cast<long long>(trial), it->value("dut_egress_tx_packets", 0.0),
                  it->value("sink_packets", 0.0));
    progress_.message(text);
  }

  // Says live when something else used the host during a trial (the agents' noise diagnosis):
  // a tie in the report means less when a quarter of a CPU went to other processes.
  void warn_if_busy(std::int64_t trial, const Outcome& outcome) {
    constexpr double kBusyPercent = 20;  // of one CPU
    double background = 0, steal = 0;
    for (const auto& [name, value] : outcome.metrics) {
      if (name.ends_with("_background_cpu_util")) background = std::max(background, value);
      if (name.ends_with("_steal_util")) steal = std::max(steal, value);
    }
    if (background >= kBusyPercent) {
      progress_.message("host busy: " + std::to_string(static_cast<int>(background + 0.5)) +
                        " % of a CPU used by other processes during trial " +
                        std::to_string(trial));
    }
    if (steal >= kBusyPercent) {
      progress_.message("host busy: " + std::to_string(static_cast<int>(steal + 0.5)) +
                        " % of a CPU stolen by the hypervisor during trial " +
                        std::to_string(trial));
    }
  }

  // After the run: did the baseline drift, and by how much? (The report says the same.)
  void report_drift() {
    std::map<std::string, std::vector<double>> series;
    for (const auto& t : store_.trials(result_.experiment_id)) {
      if (!t.baseline || t.outcome.state != TrialState::kComplete) continue;
      for (const auto& o : spec_.objectives) {
        auto it = t.outcome.metrics.find(o.metric);
        if (it != t.outcome.metrics.end()) series[o.metric].push_back(it->second);
      }
    }
    for (const auto& [metric, values] : series) {
      const auto d = stats::detect_drift(values);
      if (!d.valid) continue;
      char line[200];
      std::snprintf(line, sizeof line,
                    "baseline %s: %s%.1f %% (%.4g -> %.4g over %zu baseline trials, permutation "
                    "p = %.3f)",
                    metric.c_str(), d.drift ? "DRIFT " : "no significant drift, ", d.relative * 100,
                    d.before_mean, d.after_mean, values.size(), d.p_value);
      progress_.message(line);
    }
  }

  static bool is_host_error(const HostSession& host, const TransportError& e) {
    return host.agent && std::string(e.what()).find(host.agent->describe()) != std::string::npos;
  }

  // --- heartbeat ---------------------------------------------------------------------------

  void start_heartbeat() {
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

  void stop_heartbeat() {
    {
      std::lock_guard lock(heartbeat_mutex_);
      stop_ = true;
    }
    heartbeat_cv_.notify_all();
    if (heartbeat_.joinable()) heartbeat_.join();
  }

  milliseconds step_timeout() const {
    return milliseconds(static_cast<long>(spec_.step_timeout_s * 1000));
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
  bool baseline_done_ = false;
  std::string fatal_;
  RunResult result_;

  std::mutex running_mutex_;
  std::set<std::int64_t> running_;
  std::thread heartbeat_;
  std::mutex heartbeat_mutex_;
  std::condition_variable heartbeat_cv_;
  bool stop_ = false;
};

Runner::Runner(const ExperimentSpec& spec, Store& store, AgentConnector connector,
               Progress& progress, const std::atomic<bool>& interrupted, RunOptions options)
    : impl_(std::make_unique<Impl>(spec, store, std::move(connector), progress, interrupted,
                                   options)) {}

Runner::~Runner() = default;

RunResult Runner::run() {
  return impl_->run();
}

}  // namespace nictune

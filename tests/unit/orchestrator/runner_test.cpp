// The runner against scripted agents: the loop, the store, repetitions, baseline, resume,
// capability refusal, lost hosts. Real agents are exercised by the integration tests.
#include "orchestrator/runner/runner.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <thread>

#include "orchestrator/runner/screening_gate.hpp"
#include "orchestrator/runner/trial_executor.hpp"
#include "orchestrator/transport/transport.hpp"

namespace nictune {
namespace {

// One simulated host: knob values that apply/restore change, and counters of what was asked.
struct FakeHost {
  Json original = {{"rps", "none"}, {"offload.gro", true}};
  Json current = original;
  std::set<std::string> unsupported;
  int applies = 0, restores = 0, load_runs = 0, serves_open = 0, connects = 0;
  int lose_connection_at_load = -1;  // throw TransportError on this load.run (0-based)
  // The agent's lease ran out before this lease.renew (0-based): it restored on its own.
  int lease_expires_at_renew = -1;
  int renews = 0;
  std::vector<double> leases;           // lease_s of every apply
  std::function<void(int)> after_load;  // called with the load.run count
  double noise = 0;
  int wobble = 0;
  std::vector<double> load_durations;  // workload.duration_s of every load.run
  // Benches: load.run calls in flight across every host sharing these, and the most seen at once.
  std::atomic<int>* loads_in_flight = nullptr;
  std::atomic<int>* most_in_flight = nullptr;
};

class FakeAgent : public AgentCaller {
 public:
  FakeAgent(FakeHost& host, std::string name) : host_(host), name_(std::move(name)) {
    ++host_.connects;
  }

  Json call(const std::string& method, const Json& params, std::chrono::milliseconds) override {
    if (method == "probe") {
      Json knobs = Json::object();
      for (const auto& [k, v] : host_.original.items()) {
        knobs[k] = host_.unsupported.count(k)
                       ? Json{{"supported", false}, {"reason", "EOPNOTSUPP from the driver"}}
                       : Json{{"supported", true}, {"current", v}};
      }
      return {{"host", {{"kernel", "6.1.0-fake"}}}, {"knobs", knobs}};
    }
    if (method == "snapshot") {
      Json values = Json::object();
      for (const auto& k : params["knobs"])
        values[k.get<std::string>()] = host_.original[k.get<std::string>()];
      return {{"values", values}};
    }
    if (method == "apply") {
      ++host_.applies;
      for (const auto& [k, v] : params["values"].items()) host_.current[k] = v;
      Json commands = Json::array();
      for (const auto& [k, v] : params["values"].items())
        commands.push_back("set " + k + " " + v.dump());
      host_.leases.push_back(params.at("lease_s").get<double>());
      return {
          {"applied", params["values"]}, {"commands", commands}, {"lease_s", params["lease_s"]}};
    }
    if (method == "lease.renew") {
      if (host_.renews++ != host_.lease_expires_at_renew) return {{"lease_s", 1}};
      host_.current = host_.original;
      return {{"lease_s", 0},
              {"expired",
               {{"lease_s", 1},
                {"expired_at", "2026-01-01T00:00:00Z"},
                {"last_renewal", "2026-01-01T00:00:00Z"},
                {"restored", {"rps"}},
                {"mismatches", Json::array()}}}};
    }
    if (method == "resolve") return {{"cpus", params["policy"] == "single:1" ? "1" : "0"}};
    if (method == "restore") {
      ++host_.restores;
      host_.current = host_.original;
      return {{"restored", Json::array()}, {"mismatches", Json::array()}};
    }
    if (method == "serve.start") {
      ++host_.serves_open;
      return {{"id", "s1"}, {"port", 5000}};
    }
    if (method == "serve.stop") {
      --host_.serves_open;
      return {{"metrics", {{"rx_pps", rx_pps()}}}};
    }
    if (method == "counters.start") return {{"ok", true}};
    if (method == "counters.stop")
      return {{"metrics", {{"dut_cpu_util", host_.current["rps"] == "all" ? 150.0 : 100.0}}}};
    if (method == "load.run") {
      int n = host_.load_runs++;
      host_.load_durations.push_back(params["workload"].value("duration_s", 0.0));
      if (n == host_.lose_connection_at_load)
        throw TransportError(TransportErrorKind::kAgentCrash, name_ + ": agent exited");
      if (host_.after_load) host_.after_load(host_.load_runs);
      if (host_.loads_in_flight) {
        int now = ++*host_.loads_in_flight;
        int most = host_.most_in_flight->load();
        while (now > most && !host_.most_in_flight->compare_exchange_weak(most, now)) {
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(30));
        --*host_.loads_in_flight;
      }
      return {{"metrics", {{"tx_pps", 2e6}}}, {"intervals", {{{"t", 1.0}, {"tx_pps", 2e6}}}}};
    }
    throw Error(ErrorCode::kUnsupported, "fake: no method " + method);
  }
  std::string describe() const override { return name_; }
  void close() override {}

 private:
  double rx_pps() {
    double v = 1e6;
    if (host_.current["rps"] == "all") v *= 1.3;
    if (host_.current["offload.gro"] == false) v *= 0.9;
    return v * (1 + host_.noise * ((host_.wobble++ % 2) ? 1 : -1));
  }
  FakeHost& host_;
  std::string name_;
};

Json spec_doc() {
  return Json::parse(R"({
    "version": 1, "name": "fake",
    "hosts": {"dut": {"transport": "local", "interface": "eth1", "address": "198.18.0.1"},
              "lg": {"transport": "local", "netns": "nt-lg", "interface": "eth1", "address": "198.18.0.2"}},
    "space": {"parameters": {"rps": ["none", "all"], "offload.gro": [true, false]}},
    "workload": {"type": "udp_stream", "duration_s": 1, "warmup_s": 0},
    "objectives": [{"metric": "rx_pps", "goal": "max"}, {"metric": "dut_cpu_util", "goal": "min"}],
    "repetitions": {"count": 2},
    "settle_s": 0
  })");
}

struct Harness {
  FakeHost dut, lg;
  std::unique_ptr<Store> store = open_sqlite_store(":memory:");
  std::atomic<bool> interrupted{false};
  std::ostringstream out;

  RunResult run(const Json& doc, RunOptions options = {}) {
    ExperimentSpec spec = parse_spec(doc, "test");
    Progress progress(ProgressMode::kPlain, out, spec.objectives);
    auto connector = [this](const HostSpec& h) -> std::unique_ptr<AgentCaller> {
      return std::make_unique<FakeAgent>(h.role == "dut" ? dut : lg, h.role + " fake");
    };
    options.reconnect_first_delay_s = 0.001;
    Runner runner(spec, *store, connector, progress, interrupted, options);
    return runner.run();
  }
};

TEST(Runner, GridRunStoresEveryTrialWithBaselineFirstAndLast) {
  Harness h;
  RunResult r = h.run(spec_doc());
  EXPECT_EQ(r.status, ExperimentStatus::kComplete);
  auto trials = h.store->trials(r.experiment_id);
  // 4 points x 2 repetitions + 2 baselines x 2 repetitions
  ASSERT_EQ(trials.size(), 12u);
  EXPECT_TRUE(trials.front().baseline);
  EXPECT_TRUE(trials.back().baseline);
  int complete = 0;
  std::map<std::string, int> reps;
  for (const auto& t : trials) {
    complete += t.outcome.state == TrialState::kComplete;
    if (!t.baseline) reps[t.point.dump()]++;
    EXPECT_TRUE(t.outcome.metrics.count("rx_pps")) << t.point;
    EXPECT_TRUE(t.outcome.metrics.count("dut_cpu_util"));
    EXPECT_TRUE(t.outcome.details["apply"]["commands"].is_array());
  }
  EXPECT_EQ(complete, 12);
  EXPECT_EQ(reps.size(), 4u);
  for (const auto& [p, n] : reps) EXPECT_EQ(n, 2) << p;
  EXPECT_EQ(h.store->experiment(r.experiment_id)->status, to_string(ExperimentStatus::kComplete));
  EXPECT_EQ(h.dut.current, h.dut.original);  // restored at the end
  EXPECT_GE(h.dut.restores, 1);
  EXPECT_EQ(h.dut.serves_open, 0);
  EXPECT_EQ(h.store->hosts(r.experiment_id).size(), 2u);
  EXPECT_FALSE(h.store->samples(trials[1].id).empty());
  EXPECT_NE(h.out.str().find("[12/12]"), std::string::npos) << h.out.str();
}

TEST(Runner, BaselineAppliesTheOriginalValues) {
  Harness h;
  RunResult r = h.run(spec_doc());
  auto trials = h.store->trials(r.experiment_id);
  const auto& last = trials.back();
  ASSERT_TRUE(last.baseline);
  EXPECT_EQ(last.outcome.details["apply"]["dut"], Json::object());  // nothing applied on top
  EXPECT_DOUBLE_EQ(last.outcome.metrics.at("rx_pps"), 1e6);         // measured at the originals
  EXPECT_GE(h.dut.restores, 3);  // before each baseline, and at the end
}

TEST(Runner, UnsupportedKnobIsRefusedBeforeAnythingChanges) {
  Harness h;
  h.dut.unsupported = {"offload.gro"};
  try {
    h.run(spec_doc());
    FAIL() << "ran a space the host cannot do";
  } catch (const SpecError& e) {
    EXPECT_NE(std::string(e.what()).find("space.parameters.offload.gro: not supported on dut eth1"),
              std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("EOPNOTSUPP"), std::string::npos);
  }
  EXPECT_EQ(h.dut.applies, 0);
  EXPECT_TRUE(h.store->experiments().empty());
}

TEST(Runner, InterruptedRunResumesWithoutRerunningFinishedTrials) {
  Harness h;
  h.lg.after_load = [&](int n) {
    if (n == 5) h.interrupted = true;
  };
  RunResult first = h.run(spec_doc());
  EXPECT_EQ(first.status, ExperimentStatus::kInterrupted);
  EXPECT_EQ(h.dut.current, h.dut.original);
  auto after_first = h.store->trials(first.experiment_id);
  int finished = 0;
  for (const auto& t : after_first) finished += t.outcome.state == TrialState::kComplete;
  EXPECT_EQ(finished, 5);

  h.interrupted = false;
  h.lg.after_load = nullptr;
  int loads_before = h.lg.load_runs;
  RunOptions resume;
  resume.resume = true;
  RunResult second = h.run(spec_doc(), resume);
  EXPECT_EQ(second.status, ExperimentStatus::kComplete);
  EXPECT_EQ(second.experiment_id, first.experiment_id);
  // 12 trials in all; the 5 finished ones are not run again.
  EXPECT_EQ(h.lg.load_runs - loads_before, 12 - 5);
  std::map<std::string, int> complete_reps;
  for (const auto& t : h.store->trials(second.experiment_id)) {
    if (!t.baseline && t.outcome.state == TrialState::kComplete) complete_reps[t.point.dump()]++;
  }
  ASSERT_EQ(complete_reps.size(), 4u);
  for (const auto& [p, n] : complete_reps) EXPECT_EQ(n, 2) << p;
}

TEST(Runner, ResumeRefusesAChangedSpecUnlessForced) {
  Harness h;
  h.run(spec_doc());
  Json changed = spec_doc();
  changed["settle_s"] = 0.001;
  RunOptions resume;
  resume.resume = true;
  try {
    h.run(changed, resume);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("spec changed"), std::string::npos) << e.what();
  }
  resume.force = true;
  EXPECT_EQ(h.run(changed, resume).status, ExperimentStatus::kComplete);
}

TEST(Runner, LostHostFailsTheTrialReconnectsAndGoesOn) {
  Harness h;
  h.lg.lose_connection_at_load = 3;
  RunResult r = h.run(spec_doc());
  EXPECT_EQ(r.status, ExperimentStatus::kComplete);
  EXPECT_EQ(r.trials_failed, 1);
  EXPECT_EQ(h.lg.connects, 2);
  int failed = 0;
  for (const auto& t : h.store->trials(r.experiment_id)) {
    if (t.outcome.state == TrialState::kFailed) {
      ++failed;
      EXPECT_NE(t.outcome.error.find("host lost"), std::string::npos) << t.outcome.error;
    }
  }
  EXPECT_EQ(failed, 1);
  EXPECT_EQ(h.dut.serves_open, 0);  // the server of the failed trial was stopped
}

TEST(Runner, ExpiredLeaseFailsThatTrialWithTheReasonAndTheRunGoesOnReapplying) {
  Harness h;
  h.dut.lease_expires_at_renew = 3;  // the second trial's renewal after its load
  Json doc = spec_doc();
  doc["lease_s"] = 9;
  RunResult r = h.run(doc);
  EXPECT_EQ(r.status, ExperimentStatus::kComplete);
  EXPECT_EQ(r.trials_failed, 1);
  int failed = 0;
  for (const auto& t : h.store->trials(r.experiment_id)) {
    if (t.outcome.state != TrialState::kFailed) continue;
    ++failed;
    EXPECT_NE(t.outcome.error.find("lease: dut: the agent's lease of 1 s ran out"),
              std::string::npos)
        << t.outcome.error;
    EXPECT_TRUE(t.outcome.metrics.empty());
  }
  EXPECT_EQ(failed, 1);
  EXPECT_EQ(h.dut.serves_open, 0);
  // Every apply carried the spec's lease; two renewals per trial that applied something.
  ASSERT_FALSE(h.dut.leases.empty());
  for (double lease : h.dut.leases) EXPECT_EQ(lease, 9);
  EXPECT_EQ(h.dut.renews, 2 * h.dut.applies);
  EXPECT_EQ(h.dut.current, h.dut.original);
}

TEST(Spec, LeaseDefaultsLongerThanATrialAndRefusesOneShorterThanTheLoad) {
  Json doc = spec_doc();  // 1 s of load, no settle
  ExperimentSpec spec = parse_spec(doc, "test");
  EXPECT_GT(spec.lease_s, 1 + 60 - 1);
  doc["workload"]["duration_s"] = 30;
  doc["lease_s"] = 20;
  try {
    parse_spec(doc, "test");
    FAIL() << "a lease shorter than the load was accepted";
  } catch (const SpecError& e) {
    EXPECT_NE(std::string(e.what()).find("lease_s: expected at least 33 s"), std::string::npos)
        << e.what();
  }
  doc["lease_s"] = "20";
  EXPECT_THROW(parse_spec(doc, "test"), SpecError);
  doc["lease_s"] = 33;
  EXPECT_EQ(parse_spec(doc, "test").lease_s, 33);
}

TEST(Runner, AdaptiveRepetitionsStopAtMaxForNoisyPoints) {
  Harness h;
  h.dut.noise = 0.2;
  Json doc = spec_doc();
  doc["repetitions"] = {{"min", 2}, {"max", 4}, {"ci_rel_width", 0.01}};
  doc["baseline"] = false;
  RunResult r = h.run(doc);
  std::map<std::string, int> reps;
  for (const auto& t : h.store->trials(r.experiment_id)) reps[t.point.dump()]++;
  ASSERT_EQ(reps.size(), 4u);
  for (const auto& [p, n] : reps) EXPECT_EQ(n, 4) << p;

  Harness quiet;
  quiet.dut.noise = 0;
  RunResult q = quiet.run(doc);
  std::map<std::string, int> quiet_reps;
  for (const auto& t : quiet.store->trials(q.experiment_id)) quiet_reps[t.point.dump()]++;
  // CI width 0, but an interval needs 3 repetitions to be judged (stats::kMinRepetitionsToJudge):
  // one more than min, then it stops.
  for (const auto& [p, n] : quiet_reps) EXPECT_EQ(n, 3) << p;
}

TEST(Runner, RepetitionsRunInRandomisedOrder) {
  Harness h;
  Json doc = spec_doc();
  doc["baseline"] = false;
  doc["strategy"] = {{"type", "grid"}, {"budget", 2}};
  doc["repetitions"] = {{"count", 4}};
  RunResult r = h.run(doc);
  std::vector<std::int64_t> order;
  for (const auto& t : h.store->trials(r.experiment_id)) order.push_back(t.point_id);
  ASSERT_EQ(order.size(), 8u);
  // Points asked together are interleaved, not run as AAAA BBBB.
  bool interleaved = false;
  for (std::size_t i = 1; i < 4; ++i) interleaved |= order[i] != order[0];
  EXPECT_TRUE(interleaved);
  EXPECT_EQ(std::count(order.begin(), order.end(), order[0]), 4);
}

// Loss is what the LG sent and the DUT's server did not receive; rates are over the client's
// measured window, not the nominal duration.
TEST(LoadMetrics, UdpStreamLossComesFromBothSides) {
  Json workload = {{"type", "udp_stream"}, {"payload", 64}, {"duration_s", 2}};
  Json client = {
      {"duration_s", 2.5}, {"metrics", {{"tx_pps", 400.0}}}, {"counts", {{"tx_packets", 1000}}}};
  Json server = {{"metrics", {{"serve_cpu_util", 12.5}, {"flow_spread", 1.0}}},
                 {"counts", {{"rx_packets", 900}, {"rx_bytes", 57600}}}};
  auto m = merge_load_metrics(workload, client, server);
  EXPECT_DOUBLE_EQ(m.at("rx_pps"), 900 / 2.5);
  EXPECT_DOUBLE_EQ(m.at("lost_packets"), 100);
  EXPECT_DOUBLE_EQ(m.at("loss_ratio"), 0.1);
  EXPECT_DOUBLE_EQ(m.at("rx_bps"), 57600 * 8 / 2.5);
  EXPECT_DOUBLE_EQ(m.at("tx_pps"), 400);
  EXPECT_DOUBLE_EQ(m.at("serve_cpu_util"), 12.5);
}

TEST(LoadMetrics, ServerOnlyFiguresAreKept) {
  Json workload = {{"type", "udp_rr"}};
  auto m = merge_load_metrics(workload, {{"metrics", {{"rtt_p50_us", 10.0}}}},
                              {{"metrics", {{"rx_pps", 5.0}}}});
  EXPECT_DOUBLE_EQ(m.at("rtt_p50_us"), 10);
  EXPECT_DOUBLE_EQ(m.at("rx_pps"), 5);
}

// Two benches (two DUT/LG pairs): points are spread over both and run at the same time, each
// trial stored with the bench that ran it, every host restored at the end.
TEST(Runner, BenchesEvaluatePointsConcurrently) {
  Json doc = spec_doc();
  Json hosts = doc["hosts"];
  doc.erase("hosts");
  doc["benches"] = Json::array();
  for (const char* name : {"b1", "b2"}) {
    Json bench = {{"name", name}, {"dut", hosts["dut"]}, {"lg", hosts["lg"]}};
    bench["dut"]["interface"] = std::string("eth-") + name;
    bench["lg"]["interface"] = std::string("eth-") + name;
    doc["benches"].push_back(bench);
  }
  doc["repetitions"] = {{"count", 3}};
  std::map<std::string, FakeHost> hosts_by_key;
  std::atomic<int> in_flight{0}, most{0};
  for (const char* key : {"dut eth-b1", "lg eth-b1", "dut eth-b2", "lg eth-b2"}) {
    hosts_by_key[key].loads_in_flight = &in_flight;
    hosts_by_key[key].most_in_flight = &most;
  }
  auto store = open_sqlite_store(":memory:");
  std::atomic<bool> interrupted{false};
  std::ostringstream out;
  ExperimentSpec spec = parse_spec(doc, "test");
  Progress progress(ProgressMode::kPlain, out, spec.objectives);
  auto connector = [&](const HostSpec& h) -> std::unique_ptr<AgentCaller> {
    // Created before the bench threads start, so the map is not written concurrently.
    return std::make_unique<FakeAgent>(hosts_by_key.at(h.role + " " + h.interface),
                                       h.role + " " + h.interface);
  };
  Runner runner(spec, *store, connector, progress, interrupted);
  RunResult r = runner.run();
  EXPECT_EQ(r.status, ExperimentStatus::kComplete) << out.str();

  std::map<std::string, int> by_bench;
  std::map<std::string, int> reps;
  for (const auto& t : store->trials(r.experiment_id)) {
    EXPECT_EQ(t.outcome.state, TrialState::kComplete) << t.point;
    ++by_bench[t.bench];
    if (!t.baseline) ++reps[t.point.dump()];
  }
  EXPECT_GT(by_bench["b1"], 0);
  EXPECT_GT(by_bench["b2"], 0);
  EXPECT_EQ(by_bench.size(), 2u);
  ASSERT_EQ(reps.size(), 4u);
  for (const auto& [p, n] : reps) EXPECT_EQ(n, 3) << p;
  EXPECT_EQ(most.load(), 2) << "the benches never ran a load at the same time";
  for (const auto& [key, host] : hosts_by_key) {
    EXPECT_EQ(host.current, host.original) << key;
    EXPECT_EQ(host.serves_open, 0) << key;
  }
  EXPECT_EQ(store->hosts(r.experiment_id).size(), 4u);
}

}  // namespace
}  // namespace nictune

namespace nictune {
namespace {

TEST(ScreeningGate, KeepsTheFirstPointsThenTheBestFractionOnAnyObjective) {
  ScreeningSpec spec;
  spec.duration_s = 1;
  spec.keep = 0.5;
  spec.min_points = 2;
  ScreeningGate gate(spec, {{"rx_pps", Goal::kMaximize}, {"dut_cpu_util", Goal::kMinimize}});
  EXPECT_EQ(gate.judge({{"rx_pps", 100}, {"dut_cpu_util", 100}}), "");
  EXPECT_EQ(gate.judge({{"rx_pps", 50}, {"dut_cpu_util", 200}}), "");  // within min_points
  // Third, the worst on both: the best 2 of 3 reach rx_pps >= 50 and CPU <= 200.
  std::string why = gate.judge({{"rx_pps", 40}, {"dut_cpu_util", 250}});
  EXPECT_NE(why.find("screened out after 1 s: not among the best 50 % of 3 screened points"),
            std::string::npos)
      << why;
  EXPECT_NE(why.find("rx_pps 40 (the best 2 reach >= 50)"), std::string::npos) << why;
  EXPECT_NE(why.find("dut_cpu_util 250 (the best 2 reach <= 200)"), std::string::npos) << why;
  // Worse throughput but the lowest CPU: on the front of the other objective, so it goes on.
  EXPECT_EQ(gate.judge({{"rx_pps", 10}, {"dut_cpu_util", 20}}), "");
  EXPECT_EQ(gate.screened(), 4u);
  gate.remember({{"rx_pps", 1000}});
  EXPECT_EQ(gate.screened(), 5u);
}

TEST(Runner, ScreeningPrunesWeakPointsAfterAShortTrialAndResumeLeavesThemPruned) {
  int runs_with_pruning = 0;
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    Harness h;
    Json doc = spec_doc();
    doc["baseline"] = false;
    doc["objectives"] = {{{"metric", "rx_pps"}, {"goal", "max"}}};
    doc["repetitions"] = {{"count", 3}};
    doc["strategy"] = {{"type", "grid"}, {"seed", seed}};
    doc["screening"] = {{"duration_s", 0.25}, {"keep", 0.5}, {"min_points", 1}};
    RunResult r = h.run(doc);
    ASSERT_EQ(r.status, ExperimentStatus::kComplete) << r.error;
    std::map<std::string, std::vector<TrialRecord>> by_point;
    for (const auto& t : h.store->trials(r.experiment_id)) by_point[t.point.dump()].push_back(t);
    ASSERT_EQ(by_point.size(), 4u);
    int pruned = 0, short_runs = 0, full_runs = 0;
    for (double d : h.lg.load_durations)
      (d == 0.25 ? short_runs : full_runs) += d == 0.25 || d == 1;
    for (const auto& [point, trials] : by_point) {
      const TrialRecord& first = trials.front();
      EXPECT_TRUE(first.outcome.details["fidelity"]["screening"].get<bool>()) << point;
      if (first.outcome.state == TrialState::kPruned) {
        ++pruned;
        EXPECT_EQ(trials.size(), 1u) << point << ": a pruned point is never measured in full";
        EXPECT_NE(first.outcome.error.find("screened out after 0.25 s"), std::string::npos)
            << first.outcome.error;
        EXPECT_NE(point, Json({{"offload.gro", true}, {"rps", "all"}}).dump())
            << "the best point was pruned";
      } else {
        EXPECT_EQ(first.outcome.state, TrialState::kComplete) << point;
        EXPECT_EQ(trials.size(), 3u) << point << ": screening counts as the first repetition";
        for (std::size_t i = 1; i < trials.size(); ++i)
          EXPECT_FALSE(trials[i].outcome.details.contains("fidelity")) << point;
      }
    }
    EXPECT_EQ(short_runs, 4) << "one screening trial per point";
    EXPECT_EQ(full_runs, (4 - pruned) * 2);
    runs_with_pruning += pruned > 0;

    RunOptions resume;
    resume.resume = true;
    int loads_before = h.lg.load_runs;
    EXPECT_EQ(h.run(doc, resume).status, ExperimentStatus::kComplete);
    EXPECT_EQ(h.lg.load_runs, loads_before) << "resume re-ran a pruned or finished point";
  }
  EXPECT_GT(runs_with_pruning, 0) << "no order of the 4 points pruned anything";
}

TEST(Spec, ScreeningMustBeShorterThanTheMeasurementAndFitTheTool) {
  Json doc = spec_doc();
  doc["screening"] = {{"duration_s", 1}};
  try {
    parse_spec(doc, "inline");
    FAIL() << "screening as long as the workload accepted";
  } catch (const SpecError& e) {
    EXPECT_NE(std::string(e.what()).find(
                  "screening.duration_s: must be shorter than workload.duration_s (1), found 1"),
              std::string::npos)
        << e.what();
  }
  doc["workload"] = {{"type", "udp_stream"}, {"tool", "iperf3"}, {"duration_s", 5}};
  doc["screening"] = {{"duration_s", 0.5}, {"kep", 0.2}};
  try {
    parse_spec(doc, "inline");
    FAIL() << "iperf3 with half a second accepted";
  } catch (const SpecError& e) {
    std::string text = e.what();
    EXPECT_NE(text.find("screening.duration_s: iperf3 takes whole seconds"), std::string::npos)
        << text;
    EXPECT_NE(text.find("screening.kep: unknown"), std::string::npos) << text;
  }
  // A workload duration that is not a number is told once, under the workload.
  Json wrong = doc;
  wrong["workload"]["duration_s"] = "5";
  wrong["screening"] = {{"duration_s", 1}};
  try {
    parse_spec(wrong, "inline");
    FAIL() << "a string duration accepted";
  } catch (const SpecError& e) {
    std::string text = e.what();
    EXPECT_NE(text.find("workload.duration_s: expected a number"), std::string::npos) << text;
    EXPECT_EQ(text.find("screening.duration_s"), std::string::npos) << text;
  }
  doc["screening"] = {{"duration_s", 1}, {"keep", 0.3}, {"min_points", 6}};
  ExperimentSpec spec = parse_spec(doc, "inline");
  EXPECT_TRUE(spec.screening.enabled());
  EXPECT_EQ(spec.screening.min_points, 6);
  EXPECT_EQ(spec.screening_workload()["duration_s"], 1.0);
  EXPECT_EQ(spec.screening_workload()["tool"], "iperf3");
}

}  // namespace
}  // namespace nictune

namespace nictune {
namespace {

// The race end to end through the runner: repetitions go to the configuration tied with the
// baseline, not to the one beaten beyond noise, and the budget holds.
TEST(Runner, RaceRepeatsTheUndecidedNotTheBeaten) {
  Harness h;
  h.dut.noise = 0.02;
  Json doc = spec_doc();
  doc["repetitions"] = {
      {"policy", "race"}, {"min", 3}, {"max", 6}, {"budget", 40}, {"precision", 0.001}};
  RunResult r = h.run(doc);
  EXPECT_EQ(r.status, ExperimentStatus::kComplete);
  const auto trials = h.store->trials(r.experiment_id);
  EXPECT_LE(trials.size(), 40u);
  std::map<std::string, int> reps;
  int baseline = 0;
  for (const auto& t : trials) {
    if (t.baseline) {
      ++baseline;
    } else {
      reps[t.point.dump()]++;
    }
  }
  // rps=none gro=false: 10 % slower than the baseline at the same CPU, beaten after its 3.
  EXPECT_EQ((reps[Json({{"offload.gro", false}, {"rps", "none"}}).dump()]), 3);
  // rps=none gro=true is the baseline's own configuration: tied, raced to the cap.
  EXPECT_EQ((reps[Json({{"offload.gro", true}, {"rps", "none"}}).dump()]), 6);
  EXPECT_GE(baseline, 6) << "the baseline races too";
  EXPECT_TRUE(trials.back().baseline) << "a closing baseline trial";
  EXPECT_NE(h.out.str().find("race round 1:"), std::string::npos) << h.out.str();
  EXPECT_NE(h.out.str().find("baseline rx_pps:"), std::string::npos) << h.out.str();
}

// Interrupted in the middle of the race rounds and resumed: the race is rebuilt from the stored
// trials and goes on to the same end (the tied configuration reaches its cap, the beaten one
// keeps its 3), within the budget.
TEST(Runner, ResumedRaceContinuesFromTheStore) {
  Harness h;
  h.dut.noise = 0.02;
  Json doc = spec_doc();
  doc["repetitions"] = {
      {"policy", "race"}, {"min", 3}, {"max", 6}, {"budget", 40}, {"precision", 0.001}};
  // 3 baseline + 4 x 3 trials before the race: stop in its second round.
  h.lg.after_load = [&](int n) {
    if (n == 18) h.interrupted = true;
  };
  RunResult first = h.run(doc);
  ASSERT_EQ(first.status, ExperimentStatus::kInterrupted);
  h.interrupted = false;
  h.lg.after_load = nullptr;
  RunOptions resume;
  resume.resume = true;
  RunResult second = h.run(doc, resume);
  EXPECT_EQ(second.status, ExperimentStatus::kComplete);
  EXPECT_EQ(second.experiment_id, first.experiment_id);
  std::map<std::string, int> complete;
  std::size_t all = 0;
  for (const auto& t : h.store->trials(second.experiment_id)) {
    ++all;
    if (!t.baseline && t.outcome.state == TrialState::kComplete) complete[t.point.dump()]++;
  }
  EXPECT_LE(all, 40u);
  EXPECT_EQ((complete[Json({{"offload.gro", false}, {"rps", "none"}}).dump()]), 3);
  EXPECT_EQ((complete[Json({{"offload.gro", true}, {"rps", "none"}}).dump()]), 6);
}

}  // namespace
}  // namespace nictune

namespace nictune {
namespace {

// Warm start through the runner: the second experiment on the same (fake) NIC measures the
// first one's Pareto front first, stores and says what it reused; a bad source is refused
// before anything is created or applied.
TEST(Runner, WarmStartMeasuresTheEarlierBestFirstAndSaysSo) {
  Harness h;
  RunResult first = h.run(spec_doc());
  ASSERT_EQ(first.status, ExperimentStatus::kComplete);
  Json doc = spec_doc();
  doc["name"] = "fake-warm";
  doc["strategy"] = {{"type", "random"},
                     {"budget", 3},
                     {"options", {{"warm_start", {{"from", "same-model"}, {"points", 2}}}}}};
  RunResult second = h.run(doc);
  ASSERT_EQ(second.status, ExperimentStatus::kComplete);
  const Json reused = h.store->experiment(second.experiment_id)->warm_start;
  EXPECT_EQ(reused["experiments"], Json::array({first.experiment_id}));
  // The fake's front: rps=all (most rx_pps) and rps=none (least CPU), both with GRO on.
  const std::set<Json> front = {Json{{"rps", "all"}, {"offload.gro", true}},
                                Json{{"rps", "none"}, {"offload.gro", true}}};
  ASSERT_EQ(reused["points"].size(), 2u);
  std::set<Json> seeds(reused["points"].begin(), reused["points"].end());
  EXPECT_EQ(seeds, front);
  // Points are interned in ask order (their trials' repetitions are shuffled within a batch).
  std::map<std::int64_t, Json> asked;
  for (const auto& t : h.store->trials(second.experiment_id))
    if (!t.baseline) asked[t.point_id] = t.point;
  ASSERT_EQ(asked.size(), 3u);
  auto it = asked.begin();
  const Json first_asked = (it++)->second, second_asked = it->second;
  EXPECT_EQ((std::set<Json>{first_asked, second_asked}), front);
  EXPECT_NE(h.out.str().find("warm start (NIC model no-driver): from experiment " +
                             std::to_string(first.experiment_id) + ": 2 point(s) measured first"),
            std::string::npos)
      << h.out.str();

  const std::size_t experiments = h.store->experiments().size();
  const int applies = h.dut.applies;
  doc["name"] = "fake-bad";
  doc["strategy"]["options"]["warm_start"]["from"] = {77};
  try {
    h.run(doc);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalid);
    EXPECT_EQ(std::string(e.what()),
              "strategy.options.warm_start.from[0]: no experiment \"77\" in the database");
  }
  EXPECT_EQ(h.store->experiments().size(), experiments);
  EXPECT_EQ(h.dut.applies, applies);
}

}  // namespace
}  // namespace nictune

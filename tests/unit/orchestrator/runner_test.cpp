// The runner against scripted agents: the loop, the store, repetitions, baseline, resume,
// capability refusal, lost hosts. Real agents are exercised by the integration tests.
#include "orchestrator/runner/runner.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <sstream>
#include <thread>

#include "orchestrator/runner/screening_gate.hpp"
#include "orchestrator/runner/trial_executor.hpp"
#include "orchestrator/transport/transport.hpp"
#include "tests/unit/orchestrator/runner_fakes.hpp"

namespace nictune {
namespace {

using testing::FakeAgent;
using testing::FakeHost;
using testing::Harness;
using testing::spec_doc;

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

// A space that varies the packet size gets a baseline per size: measured before the first point
// of that size and again at the end, its point carrying the size only, its load at that size.
TEST(Runner, BaselineIsMeasuredAtEachWorkloadVariant) {
  Harness h;
  Json doc = spec_doc();
  doc["space"]["parameters"] = {{"rps", {"none", "all"}}, {"workload.payload", {64, 1472}}};
  doc["workload"]["payload"] = 64;
  RunResult r = h.run(doc);
  EXPECT_EQ(r.status, ExperimentStatus::kComplete);
  auto trials = h.store->trials(r.experiment_id);
  // 4 points x 2 repetitions + 2 sizes x (2 first + 2 last)
  ASSERT_EQ(trials.size(), 16u);
  EXPECT_NE(h.out.str().find("[16/16]"), std::string::npos) << h.out.str();
  std::map<int, std::int64_t> first_baseline, first_point;
  std::map<int, int> baselines;
  for (const auto& t : trials) {
    ASSERT_EQ(t.outcome.state, TrialState::kComplete) << t.outcome.error;
    const int payload = t.point.at("workload.payload").get<int>();
    EXPECT_EQ(t.outcome.details.at("workload").at("payload"), payload) << t.point.dump();
    auto& first = t.baseline ? first_baseline : first_point;
    first.try_emplace(payload, t.id);
    if (!t.baseline) continue;
    ++baselines[payload];
    EXPECT_EQ(t.point, Json({{"workload.payload", payload}}));
    EXPECT_EQ(t.outcome.details["apply"]["dut"], Json::object());  // the host's own settings
  }
  EXPECT_EQ(baselines, (std::map<int, int>{{64, 4}, {1472, 4}}));
  for (const int payload : {64, 1472})
    EXPECT_LT(first_baseline.at(payload), first_point.at(payload)) << payload;
  EXPECT_TRUE(trials.back().baseline);
  EXPECT_TRUE(trials[trials.size() - 4].baseline);  // the closing baselines, both sizes
}

// LG settings the space fixes (one value, no condition) are the load's setup: the baseline runs
// with them as every configuration does (the sender pinned), the DUT still as found. An LG
// parameter the space searches (two values) is tuning and stays out, as does a fixed DUT one.
TEST(Runner, BaselineRunsTheLoadSettingsTheSpaceFixes) {
  Harness h;
  Json doc = spec_doc();
  doc["space"]["parameters"] = {{"rps", {"none", "all"}},
                                {"app.cpus", {"single:1"}},
                                {"lg:app.cpus", {"single:1"}},
                                {"lg:rps", {"all"}},
                                {"lg:offload.gro", {true, false}}};
  RunResult r = h.run(doc);
  EXPECT_EQ(r.status, ExperimentStatus::kComplete);
  int baselines = 0;
  for (const auto& t : h.store->trials(r.experiment_id)) {
    ASSERT_EQ(t.outcome.state, TrialState::kComplete) << t.outcome.error;
    const Json& placement = t.outcome.details.at("placement");
    EXPECT_EQ(placement.at("client_cpus"), "1") << t.point.dump();
    EXPECT_EQ(t.outcome.details.at("apply").at("lg").at("rps"), "all") << t.point.dump();
    if (!t.baseline) continue;
    ++baselines;
    EXPECT_EQ(t.point, Json({{"lg:app.cpus", "single:1"}, {"lg:rps", "all"}}));
    EXPECT_EQ(t.outcome.details.at("apply").at("dut"), Json::object());
    EXPECT_EQ(placement.at("server_cpus"), "");  // the DUT's server where the kernel puts it
    EXPECT_FALSE(t.outcome.details.at("apply").at("lg").contains("offload.gro"));
  }
  EXPECT_EQ(baselines, 4);
  EXPECT_EQ(h.dut.current, h.dut.original);
  EXPECT_EQ(h.lg.current, h.lg.original);  // the load's settings go back at the end too
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
  auto store = open_store(":memory:");
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

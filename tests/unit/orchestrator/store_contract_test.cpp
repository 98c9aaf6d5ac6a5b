// One contract for every Store: run against each row of the backend table (store_backends.cpp),
// opened the way `nictune` opens it, through open_store().
#include <gtest/gtest.h>
#include <unistd.h>

#include <cctype>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include "core/errors.hpp"
#include "core/space.hpp"
#include "orchestrator/store/store_backends.hpp"

namespace nictune {
namespace {

std::vector<std::string> backend_names() {
  std::vector<std::string> names;
  for (const auto& backend : store_backends()) names.push_back(backend.name);
  return names;
}

const StoreBackend& backend_named(const std::string& name) {
  for (const auto& backend : store_backends())
    if (backend.name == name) return backend;
  throw std::out_of_range(name);
}

class StoreContract : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    const StoreBackend& backend = backend_named(GetParam());
    location = backend.example;
    if (backend.persistent) {
      dir = std::filesystem::temp_directory_path() /
            ("nictune-store-" + std::to_string(getpid()) + "-" + GetParam());
      std::filesystem::remove_all(dir);
      std::filesystem::create_directories(dir);
      location = (dir / backend.example).string();
    }
    // The location reaches this row, not an earlier one that claims it too.
    ASSERT_EQ(store_backend_for(location).name, backend.name);
    store = open_store(location);
  }
  void TearDown() override {
    store.reset();
    if (!dir.empty()) std::filesystem::remove_all(dir);
  }
  std::filesystem::path dir;
  std::string location;
  std::unique_ptr<Store> store;
};

INSTANTIATE_TEST_SUITE_P(Backends, StoreContract, ::testing::ValuesIn(backend_names()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param;
                           for (char& c : name)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return name;
                         });

TEST(StoreBackends, EachExampleOpensWithItsOwnRow) {
  ASSERT_FALSE(store_backends().empty());
  for (const auto& backend : store_backends()) {
    EXPECT_FALSE(backend.description.empty()) << backend.name;
    EXPECT_EQ(store_backend_for(backend.example).name, backend.name);
  }
  EXPECT_EQ(store_backend_for(":memory:").name, "sqlite-memory");
  EXPECT_EQ(store_backend_for("/var/lib/nictune/lab.db").name, "sqlite-file");
}

// What `persistent` promises: a second open of the location sees the first one's rows, or none.
TEST_P(StoreContract, ReopeningSeesTheRowsExactlyWhenPersistent) {
  auto id = this->store->create_experiment("kept", Json::object(), "v");
  this->store.reset();
  this->store = open_store(this->location);
  if (backend_named(GetParam()).persistent) {
    ASSERT_TRUE(this->store->experiment(id));
    EXPECT_EQ(this->store->experiment(id)->name, "kept");
  } else {
    EXPECT_TRUE(this->store->experiments().empty());
  }
}

TEST_P(StoreContract, ExperimentsRoundTrip) {
  Json spec = {{"name", "e1"}, {"objectives", Json::array()}};
  auto id = this->store->create_experiment("e1", spec, "0.1.0");
  auto e = this->store->experiment(id);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->name, "e1");
  EXPECT_EQ(e->spec, spec);
  EXPECT_EQ(e->status, "running");
  EXPECT_EQ(e->tool_version, "0.1.0");
  EXPECT_GT(e->created_at, 1.6e9);
  this->store->set_experiment_status(id, ExperimentStatus::kComplete);
  EXPECT_EQ(this->store->experiment(id)->status, "complete");
  auto second = this->store->create_experiment("e1", spec, "0.1.0");
  EXPECT_EQ(this->store->find_experiment("e1")->id, second);  // newest by name
  EXPECT_EQ(this->store->find_experiment(std::to_string(id))->id, id);
  EXPECT_FALSE(this->store->find_experiment("nope"));
  EXPECT_EQ(this->store->experiments().size(), 2u);
  EXPECT_THROW(this->store->set_experiment_status(999, ExperimentStatus::kComplete), Error);
}

TEST_P(StoreContract, SamePointIsOneRowHoweverSpelled) {
  auto e = this->store->create_experiment("e", Json::object(), "v");
  auto a = this->store->intern_point(e, Json::parse(R"({"rps":"all","rfs.flow_cnt":4096})"));
  auto b = this->store->intern_point(e, Json::parse(R"({"rfs.flow_cnt":4096,"rps":"all"})"));
  auto c = this->store->intern_point(e, Json::parse(R"({"rps":"none"})"));
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_EQ(*this->store->point(a), Json::parse(R"({"rps":"all","rfs.flow_cnt":4096})"));
}

TEST_P(StoreContract, TrialIsCommittedWithMetricsAndDetails) {
  auto e = this->store->create_experiment("e", Json::object(), "v");
  auto p = this->store->intern_point(e, Json{{"rps", "all"}});
  auto t = this->store->begin_trial(e, p, 2, false, "b1");
  auto running = this->store->trials(e);
  ASSERT_EQ(running.size(), 1u);
  EXPECT_EQ(running[0].outcome.state, TrialState::kRunning);
  Outcome o;
  o.metrics = {{"rx_pps", 1.5e6}, {"loss_ratio", 0.001}};
  o.details = {{"apply", {{"commands", {"echo f > /sys/class/net/$IFACE/queues/rx-0/rps_cpus"}}}}};
  this->store->finish_trial(t, o);
  auto trials = this->store->trials(e);
  ASSERT_EQ(trials.size(), 1u);
  const auto& r = trials[0];
  EXPECT_EQ(r.outcome.state, TrialState::kComplete);
  EXPECT_EQ(r.repetition, 2);
  EXPECT_EQ(r.bench, "b1");
  EXPECT_FALSE(r.baseline);
  EXPECT_EQ(r.point, (Json{{"rps", "all"}}));
  EXPECT_EQ(r.point_hash, point_hash(Json{{"rps", "all"}}));
  EXPECT_DOUBLE_EQ(r.outcome.metrics.at("rx_pps"), 1.5e6);
  EXPECT_DOUBLE_EQ(r.outcome.metrics.at("loss_ratio"), 0.001);
  EXPECT_EQ(r.outcome.details, o.details);
  EXPECT_GE(r.ended_at, r.started_at);
}

TEST_P(StoreContract, ProfileTrialsAreKeptApartFromTheSearchTrials) {
  auto e = this->store->create_experiment("e", Json::object(), "v");
  auto p = this->store->intern_point(e, Json{{"rps", "all"}});
  TrialRecord r;
  r.experiment_id = e;
  r.point_id = p;
  r.bench = "b1";
  r.started_at = 1.7e9;
  r.ended_at = 1.7e9 + 5;
  r.outcome.metrics = {{"rx_pps", 2e6}};
  r.outcome.details = {{"profile", {{"samples", 3}, {"cpus", Json::array()}}}};
  auto id = this->store->record_profile_trial(r);
  TrialRecord failed = r;
  failed.baseline = true;
  failed.outcome = Outcome{TrialState::kFailed, {}, "profile.start: perf refused", {}};
  this->store->record_profile_trial(failed);
  EXPECT_TRUE(this->store->trials(e).empty());
  auto stored = this->store->profile_trials(e);
  ASSERT_EQ(stored.size(), 2u);
  EXPECT_EQ(stored[0].id, id);
  EXPECT_EQ(stored[0].point, (Json{{"rps", "all"}}));
  EXPECT_FALSE(stored[0].baseline);
  EXPECT_DOUBLE_EQ(stored[0].outcome.metrics.at("rx_pps"), 2e6);
  EXPECT_EQ(stored[0].outcome.details, r.outcome.details);
  EXPECT_DOUBLE_EQ(stored[0].ended_at, r.ended_at);
  EXPECT_TRUE(stored[1].baseline);
  EXPECT_EQ(stored[1].outcome.state, TrialState::kFailed);
  EXPECT_EQ(stored[1].outcome.error, "profile.start: perf refused");
  r.outcome.state = TrialState::kRunning;
  EXPECT_THROW(this->store->record_profile_trial(r), Error);
}

TEST_P(StoreContract, FailedTrialKeepsItsReason) {
  auto e = this->store->create_experiment("e", Json::object(), "v");
  auto p = this->store->intern_point(e, Json{{"rps", "all"}});
  auto t = this->store->begin_trial(e, p, 0, true, "");
  this->store->finish_trial(
      t, Outcome{TrialState::kFailed, {}, "apply refused: EOPNOTSUPP", Json::object()});
  auto r = this->store->trials(e).at(0);
  EXPECT_EQ(r.outcome.state, TrialState::kFailed);
  EXPECT_EQ(r.outcome.error, "apply refused: EOPNOTSUPP");
  EXPECT_TRUE(r.baseline);
  EXPECT_THROW(this->store->finish_trial(t + 100, Outcome{}), Error);
  EXPECT_THROW(this->store->finish_trial(t, Outcome{TrialState::kRunning, {}, "", Json::object()}),
               Error);
}

TEST_P(StoreContract, SamplesAndHosts) {
  auto e = this->store->create_experiment("e", Json::object(), "v");
  auto p = this->store->intern_point(e, Json::object());
  auto t = this->store->begin_trial(e, p, 0, false, "");
  this->store->add_samples(t, {{1.0, "rx_pps", 10}, {0.0, "rx_pps", 5}, {1.0, "tx_pps", 11}});
  auto samples = this->store->samples(t);
  ASSERT_EQ(samples.size(), 3u);
  EXPECT_DOUBLE_EQ(samples[0].t, 0.0);
  EXPECT_EQ(samples[1].name, "rx_pps");
  this->store->record_host(e, "dut", "", Json{{"kernel", "6.1.0"}});
  this->store->record_host(e, "lg", "", Json{{"kernel", "6.2.0"}});
  auto hosts = this->store->hosts(e);
  ASSERT_EQ(hosts.size(), 2u);
  EXPECT_EQ(hosts[0].role, "dut");
  EXPECT_EQ(hosts[1].facts["kernel"], "6.2.0");
  EXPECT_THROW(this->store->record_host(e, "router", "", Json::object()), Error);  // schema CHECK
}

TEST_P(StoreContract, DutFactsKeyTheExperimentByItsNic) {
  auto a = this->store->create_experiment("a", Json::object(), "v");
  auto b = this->store->create_experiment("b", Json::object(), "v");
  const Json ixgbe = {{"hostname", "dut1"},
                      {"kernel", "6.1.0-18-amd64"},
                      {"driver", "ixgbe"},
                      {"firmware", "0x800003df"},
                      {"nic", {{"pci_id", "8086:10fb"}, {"speed_mbps", 10000}}}};
  this->store->record_host(a, "dut", "", ixgbe);
  this->store->record_host(a, "lg", "", Json{{"driver", "mlx5_core"}});  // not the DUT: no row
  this->store->record_host(b, "dut", "x", Json{{"driver", "veth"}, {"nic", {{"speed_mbps", -1}}}});
  auto nics = this->store->experiment_nics();
  ASSERT_EQ(nics.size(), 2u);
  EXPECT_EQ(nics[0].experiment_id, a);
  EXPECT_EQ(nics[0].nic.model_key(), "ixgbe 8086:10fb");
  EXPECT_EQ(nics[0].nic.firmware, "0x800003df");
  EXPECT_EQ(nics[0].nic.speed_mbps, 10000);
  EXPECT_EQ(nics[0].nic.kernel, "6.1.0-18-amd64");
  EXPECT_EQ(nics[0].nic.hostname, "dut1");
  EXPECT_EQ(nics[1].experiment_id, b);
  EXPECT_EQ(nics[1].bench, "x");
  EXPECT_EQ(nics[1].nic.model_key(), "veth");
  EXPECT_FALSE(nics[1].nic.speed_mbps);  // link down: no speed
}

TEST_P(StoreContract, WarmStartIsKeptWithTheExperiment) {
  auto e = this->store->create_experiment("e", Json::object(), "v");
  EXPECT_EQ(this->store->experiment(e)->warm_start, Json::object());
  this->store->set_warm_start(e, Json{{"experiments", {1, 2}}, {"points", 3}});
  EXPECT_EQ(this->store->experiment(e)->warm_start["points"], 3);
  EXPECT_THROW(this->store->set_warm_start(e + 100, Json::object()), Error);
}

TEST_P(StoreContract, StaleRunningTrialIsMarkedFailedOnRecovery) {
  auto e = this->store->create_experiment("e", Json::object(), "v");
  auto p = this->store->intern_point(e, Json::object());
  auto stale = this->store->begin_trial(e, p, 0, false, "");
  auto done = this->store->begin_trial(e, p, 1, false, "");
  this->store->finish_trial(done,
                            Outcome{TrialState::kComplete, {{"rx_pps", 1}}, "", Json::object()});
  EXPECT_EQ(this->store->recover_stale_trials(e, 3600), 0);  // fresh heartbeat: left alone
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(this->store->recover_stale_trials(e, 0.01), 1);
  auto trials = this->store->trials(e);
  EXPECT_EQ(trials[0].id, stale);
  EXPECT_EQ(trials[0].outcome.state, TrialState::kFailed);
  EXPECT_NE(trials[0].outcome.error.find("interrupted"), std::string::npos);
  EXPECT_TRUE(is_interrupted(trials[0].outcome));
  EXPECT_EQ(trials[1].outcome.state, TrialState::kComplete);
  EXPECT_FALSE(is_interrupted(trials[1].outcome));
}

// The kind of failure has no column: it is the error's first word, so databases written before
// the kind was typed read back the same way.
TEST_P(StoreContract, InterruptedIsAStateThatRoundTripsThroughTheErrorColumn) {
  auto e = this->store->create_experiment("e", Json::object(), "v");
  auto p = this->store->intern_point(e, Json::object());
  Outcome stopped{TrialState::kFailed, {}, "load.run: cancelled", Json::object()};
  mark_interrupted(stopped);
  EXPECT_TRUE(is_interrupted(stopped));
  EXPECT_EQ(stopped.error, "interrupted: load.run: cancelled");
  mark_interrupted(stopped);  // once is enough
  EXPECT_EQ(stopped.error, "interrupted: load.run: cancelled");
  Outcome typed_only{
      TrialState::kFailed, {}, "lease expired", Json::object(), FailureKind::kInterrupted};
  Outcome plain{TrialState::kFailed, {}, "apply refused", Json::object()};
  Outcome complete{TrialState::kComplete, {{"rx_pps", 1}}, "", Json::object()};
  mark_interrupted(complete);  // a trial that finished before the stop counts
  EXPECT_FALSE(is_interrupted(complete));
  for (const Outcome* o : {&stopped, &typed_only, &plain, &complete})
    this->store->finish_trial(this->store->begin_trial(e, p, 0, false, ""), *o);
  auto trials = this->store->trials(e);
  ASSERT_EQ(trials.size(), 4u);
  EXPECT_TRUE(is_interrupted(trials[0].outcome));
  EXPECT_EQ(trials[0].outcome.error, "interrupted: load.run: cancelled");
  EXPECT_TRUE(is_interrupted(trials[1].outcome));
  EXPECT_EQ(trials[1].outcome.error, "interrupted: lease expired");  // the store writes the word
  EXPECT_FALSE(is_interrupted(trials[2].outcome));
  EXPECT_EQ(trials[2].outcome.failure, FailureKind::kError);
  EXPECT_EQ(trials[3].outcome.state, TrialState::kComplete);
  EXPECT_FALSE(is_interrupted(trials[3].outcome));
}

}  // namespace
}  // namespace nictune

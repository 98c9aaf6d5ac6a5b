// Two benches in one experiment with real agents: each bench is a DUT/LG pair on the loopback of
// a network namespace of its own (both tune an interface called "lo"), run at the same time.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "core/json_util.hpp"
#include "orchestrator/store/store_backends.hpp"
#include "tests/support/command_line.hpp"

namespace nictune {
namespace {

namespace fs = std::filesystem;

int run(const std::string& command, std::string* output = nullptr) {
  testing::CommandResult r = testing::run_command(command);
  if (output) *output = r.output;
  return r.code;
}

class Benches : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root for network namespaces";
    std::string pid = std::to_string(::getpid());
    for (const char* b : {"a", "b"}) {
      std::string ns = "ntbench" + std::string(b) + pid;
      if (run("ip netns add " + ns) != 0) GTEST_SKIP() << "cannot create network namespaces";
      namespaces_.push_back(ns);
      ASSERT_EQ(run("ip -n " + ns + " link set lo up"), 0);
    }
    dir_ = fs::temp_directory_path() / ("nictune-benches-" + pid);
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    for (const auto& ns : namespaces_) run("ip netns del " + ns);
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  std::string rps(const std::string& ns) {
    std::string out;
    run("ip netns exec " + ns + " cat /sys/class/net/lo/queues/rx-0/rps_cpus", &out);
    return out;
  }
  std::vector<std::string> namespaces_;
  fs::path dir_;
};

TEST_F(Benches, TwoBenchesShareTheWork) {
  Json benches = Json::array();
  for (std::size_t i = 0; i < namespaces_.size(); ++i) {
    Json host = {{"transport", "local"}, {"netns", namespaces_[i]}, {"interface", "lo"}};
    benches.push_back({{"name", "bench" + std::to_string(i)}, {"dut", host}, {"lg", host}});
  }
  Json spec = {
      {"version", 1},
      {"name", "benches"},
      {"benches", benches},
      {"space", {{"parameters", {{"rps", {"none", "all", "single:0", "single:1"}}}}}},
      {"workload", {{"type", "udp_stream"}, {"payload", 64}, {"duration_s", 1}, {"warmup_s", 0.2}}},
      {"objectives", {{{"metric", "rx_pps"}, {"goal", "max"}}}},
      {"strategy", {{"type", "grid"}, {"budget", 4}, {"seed", 1}}},
      {"repetitions", {{"count", 2}}},
      {"baseline", false},
      {"settle_s", 0}};
  std::string spec_path = (dir_ / "benches.json").string();
  std::ofstream(spec_path) << spec.dump(2);
  std::string db = (dir_ / "benches.db").string();
  std::map<std::string, std::string> before;
  for (const auto& ns : namespaces_) before[ns] = rps(ns);

  std::string output;
  int code = run(testing::built_nictune_binary() + " run --db " + db + " --agent " +
                     testing::built_agent_binary() + " " + spec_path,
                 &output);
  ASSERT_EQ(code, 0) << output;

  auto store = open_store(db);
  auto experiment = store->find_experiment("benches");
  ASSERT_TRUE(experiment);
  std::map<std::string, int> by_bench;
  std::map<std::string, int> reps;
  auto trials = store->trials(experiment->id);
  for (const auto& t : trials) {
    EXPECT_EQ(t.outcome.state, TrialState::kComplete) << t.outcome.error;
    EXPECT_GT(t.outcome.metrics.count("rx_pps") ? t.outcome.metrics.at("rx_pps") : 0, 0);
    ++by_bench[t.bench];
    ++reps[t.point.dump()];
  }
  EXPECT_EQ(reps.size(), 4u);
  for (const auto& [point, n] : reps) EXPECT_EQ(n, 2) << point;
  EXPECT_GT(by_bench["bench0"], 0) << output;
  EXPECT_GT(by_bench["bench1"], 0) << output;
  // Concurrently: some trial of one bench ran while one of the other did.
  bool overlapped = false;
  for (const auto& a : trials) {
    for (const auto& b : trials) {
      overlapped |= a.bench == "bench0" && b.bench == "bench1" && a.started_at < b.ended_at &&
                    b.started_at < a.ended_at;
    }
  }
  EXPECT_TRUE(overlapped) << "the benches ran one after the other";
  EXPECT_EQ(store->hosts(experiment->id).size(), 4u);
  for (const auto& ns : namespaces_) EXPECT_EQ(rps(ns), before[ns]) << ns;
}

}  // namespace
}  // namespace nictune

// `nictune check` the way `git bisect run` calls it: a real baseline measured on loopback in a
// network namespace the test creates, then one configuration measured again. Exit 0 good,
// 1 bad, 125 when this revision cannot be measured, 2 for a usage error.
//
// The same point measured twice on loopback moves by tens of percent on a shared 2-CPU box, so
// a same-kernel run needs a wide threshold (60 %) to be judged good. That threshold would be
// worthless if it also hid real regressions, so the verdicts are decided on a real difference
// far beyond it: the namespace's loopback throttled by a token bucket (tc tbf, 1 Mbit/s), which
// cuts rx_pps by over 90 % however noisy the host is, judged at the same 60 %.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/json_util.hpp"
#include "tests/support/command_line.hpp"

namespace nictune {
namespace {

namespace fs = std::filesystem;

using testing::built_agent_binary;
using testing::built_nictune_binary;
using Ran = testing::CommandResult;

Ran run(const std::string& command) {
  return testing::run_command(command);
}

// Wide enough for run-to-run noise on loopback (see above), far narrower than the throttle's
// effect.
const std::string kNoiseThreshold = "60%";

class Check : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root for a network namespace";
    std::string pid = std::to_string(::getpid());
    netns_ = "ntchk" + pid;
    if (run("ip netns add " + netns_).code != 0) GTEST_SKIP() << "cannot create a namespace";
    created_ = true;
    ASSERT_EQ(run("ip -n " + netns_ + " link set lo up").code, 0);
    dir_ = fs::temp_directory_path() / ("nictune-check-" + pid);
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    db_ = (dir_ / "bisect.db").string();

    measure_baseline("base");
    if (HasFatalFailure()) return;
    point_ = point_of("base");
    ASSERT_FALSE(point_.empty());
  }
  void TearDown() override {
    if (created_) run("ip netns del " + netns_);
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  // The baseline: lo's RPS none/all, a short UDP stream, five repetitions each, stored as
  // experiment `name`. Five, not three: the verdict needs a significant difference too (Welch,
  // p < 0.05), and with three a single starved repetition on this busy host made even a 98 %
  // drop insignificant.
  void measure_baseline(const std::string& name) {
    Json spec = {{"version", 1},
                 {"name", name},
                 {"hosts",
                  {{"dut", {{"transport", "local"}, {"netns", netns_}, {"interface", "lo"}}},
                   {"lg", {{"transport", "local"}, {"netns", netns_}, {"interface", "lo"}}}}},
                 {"space", {{"parameters", {{"rps", {"none", "all"}}}}}},
                 {"workload",
                  {{"type", "udp_stream"}, {"payload", 64}, {"duration_s", 1}, {"warmup_s", 0.3}}},
                 {"objectives", {{{"metric", "rx_pps"}, {"goal", "max"}}}},
                 {"strategy", {{"type", "grid"}, {"budget", 2}, {"seed", 1}}},
                 {"repetitions", {{"count", 5}}},
                 {"baseline", false},
                 {"settle_s", 0}};
    const std::string file = (dir_ / (name + ".json")).string();
    std::ofstream(file) << spec.dump(2);
    Ran baseline = nictune("run --db " + db_ + " " + file);
    ASSERT_EQ(baseline.code, 0) << baseline.output;
  }
  // A slower network by construction: a token bucket on the namespace's loopback. Everything the
  // stream sends beyond 1 Mbit/s is dropped before it reaches the receiver.
  void throttle_loopback() {
    Ran tc = run("ip netns exec " + netns_ +
                 " tc qdisc add dev lo root tbf rate 1mbit burst 16kb latency 50ms");
    ASSERT_EQ(tc.code, 0) << tc.output;
  }
  void unthrottle_loopback() {
    Ran tc = run("ip netns exec " + netns_ + " tc qdisc del dev lo root");
    ASSERT_EQ(tc.code, 0) << tc.output;
  }
  std::string experiment_id(const std::string& name) {
    return "(SELECT id FROM experiments WHERE name = '" + name + "')";
  }
  // The first measured point of experiment `name` (points are numbered per experiment).
  std::string point_of(const std::string& name) {
    return sql("SELECT min(point_id) FROM trials WHERE state = 'complete' AND experiment_id = " +
               experiment_id(name));
  }
  // rx_pps of that point's complete trials: their mean, and the list for failure messages.
  std::string rx_pps_of(const std::string& name, const std::string& aggregate) {
    return sql("SELECT " + aggregate +
               "(m.value) FROM metrics m JOIN trials t ON t.id = m.trial_id WHERE m.name = "
               "'rx_pps' AND t.state = 'complete' AND t.experiment_id = " +
               experiment_id(name) + " AND t.point_id = " + point_of(name));
  }
  double mean_rx_pps(const std::string& name) { return std::stod(rx_pps_of(name, "avg")); }
  std::string measured(const std::string& name) {
    return name + " rx_pps: " + rx_pps_of(name, "group_concat") + "\n";
  }

  Ran nictune(const std::string& args) {
    return run(built_nictune_binary() + " " + args.substr(0, args.find(' ')) + " --agent " +
               built_agent_binary() + args.substr(args.find(' ')));
  }
  Ran check(const std::string& extra, const std::string& baseline = "base") {
    const std::string point = baseline == "base" ? point_ : point_of(baseline);
    return nictune("check --db " + db_ + " --baseline " + baseline + " --point " + point + " " +
                   extra);
  }
  std::string sql(const std::string& query) {
    std::string out = run("sqlite3 " + db_ + " \"" + query + "\"").output;
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
  }
  std::string rps_of_lo() {
    return run("ip netns exec " + netns_ + " cat /sys/class/net/lo/queues/rx-0/rps_cpus").output;
  }

  std::string netns_;
  bool created_ = false;
  fs::path dir_;
  std::string db_;
  std::string point_;
};

TEST_F(Check, SameKernelIsGood) {
  std::string before = rps_of_lo();
  Ran r = check("--threshold " + kNoiseThreshold);
  EXPECT_EQ(r.code, 0) << r.output << measured("base") << measured("base-check");
  EXPECT_NE(r.output.find("good: "), std::string::npos) << r.output;
  // The new measurement is an experiment of its own, with its trials, beside the baseline.
  EXPECT_EQ(sql("SELECT count(*) FROM experiments WHERE name = 'base-check'"), "1");
  EXPECT_GE(
      std::stoi(sql("SELECT count(*) FROM trials WHERE state = 'complete' AND "
                    "experiment_id = (SELECT id FROM experiments WHERE name = 'base-check')")),
      5);  // at least as many repetitions as the baseline has
  EXPECT_EQ(rps_of_lo(), before);
}

TEST_F(Check, ThrottledLinkIsBadAtTheNoiseThreshold) {
  // The bisected kernel's network is really slower: the same point now runs over a throttled
  // loopback. The 60 % that absorbs noise must not absorb this.
  throttle_loopback();
  Ran r = check("--threshold " + kNoiseThreshold);
  EXPECT_EQ(r.code, 1) << r.output << measured("base") << measured("base-check");
  EXPECT_NE(r.output.find("bad: "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("rx_pps"), std::string::npos) << r.output;
  // It was bad for the reason the verdict gives: the stored measurements are far below 40 % of
  // the baseline (what a 60 % threshold lets through).
  EXPECT_LT(mean_rx_pps("base-check"), 0.4 * mean_rx_pps("base")) << r.output;
  unthrottle_loopback();
}

TEST_F(Check, FasterThanAThrottledBaselineIsGood) {
  // The other direction: the baseline was measured on the throttled link, the new kernel is fast.
  throttle_loopback();
  measure_baseline("slow");
  unthrottle_loopback();
  Ran r = check("--threshold " + kNoiseThreshold, "slow");
  EXPECT_EQ(r.code, 0) << r.output << measured("slow") << measured("slow-check");
  EXPECT_NE(r.output.find("good: "), std::string::npos) << r.output;
  EXPECT_GT(mean_rx_pps("slow-check"), 2.5 * mean_rx_pps("slow")) << r.output;
}

TEST_F(Check, UnreachableHostIsSkipped) {
  // The bisected kernel did not come up with networking: its namespace is gone.
  ASSERT_EQ(run("ip netns del " + netns_).code, 0);
  created_ = false;
  Ran r = check("");
  EXPECT_EQ(r.code, 125) << r.output;
  EXPECT_NE(r.output.find("skip: "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(netns_), std::string::npos) << r.output;
}

TEST_F(Check, UsageErrorsStopTheBisect) {
  EXPECT_EQ(check("--threshold lots").code, 2);
  Ran no_point = nictune("check --db " + db_ + " --baseline base --point 999");
  EXPECT_EQ(no_point.code, 2) << no_point.output;
  EXPECT_NE(no_point.output.find("--point"), std::string::npos) << no_point.output;
  Ran no_baseline = nictune("check --db " + db_ + " --baseline nope --point " + point_);
  EXPECT_EQ(no_baseline.code, 2) << no_baseline.output;
  EXPECT_NE(no_baseline.output.find("nope"), std::string::npos) << no_baseline.output;
}

}  // namespace
}  // namespace nictune

// `nictune check` the way `git bisect run` calls it: a real baseline measured on loopback in a
// network namespace the test creates, then one configuration measured again. Exit 0 good,
// 1 bad, 125 when this revision cannot be measured, 2 for a usage error.
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

    // The baseline: lo's RPS none/all, a short UDP stream, three repetitions each.
    Json spec = {{"version", 1},
                 {"name", "base"},
                 {"hosts",
                  {{"dut", {{"transport", "local"}, {"netns", netns_}, {"interface", "lo"}}},
                   {"lg", {{"transport", "local"}, {"netns", netns_}, {"interface", "lo"}}}}},
                 {"space", {{"parameters", {{"rps", {"none", "all"}}}}}},
                 {"workload",
                  {{"type", "udp_stream"}, {"payload", 64}, {"duration_s", 1}, {"warmup_s", 0.3}}},
                 {"objectives", {{{"metric", "rx_pps"}, {"goal", "max"}}}},
                 {"strategy", {{"type", "grid"}, {"budget", 2}, {"seed", 1}}},
                 {"repetitions", {{"count", 3}}},
                 {"baseline", false},
                 {"settle_s", 0}};
    std::ofstream((dir_ / "base.json").string()) << spec.dump(2);
    Ran baseline = nictune("run --db " + db_ + " " + (dir_ / "base.json").string());
    ASSERT_EQ(baseline.code, 0) << baseline.output;
    point_ = sql("SELECT min(point_id) FROM trials WHERE state = 'complete'");
    ASSERT_FALSE(point_.empty());
  }
  void TearDown() override {
    if (created_) run("ip netns del " + netns_);
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  Ran nictune(const std::string& args) {
    return run(built_nictune_binary() + " " + args.substr(0, args.find(' ')) + " --agent " +
               built_agent_binary() + args.substr(args.find(' ')));
  }
  Ran check(const std::string& extra) {
    return nictune("check --db " + db_ + " --baseline base --point " + point_ + " " + extra);
  }
  std::string sql(const std::string& query) {
    std::string out = run("sqlite3 " + db_ + " \"" + query + "\"").output;
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
  }
  // What the baseline measured for the point, scaled: "the old kernel was this much faster".
  void scale_baseline(double factor) {
    sql("UPDATE metrics SET value = value * " + std::to_string(factor) + kBaselineRxPps);
  }
  // Moves the baseline up by `times` its largest value, keeping its spread: scaling instead
  // scales the spread too, and on a loaded machine three noisy repetitions scaled 1000x were not
  // significantly different from the new run (Welch p > 0.05; the check said good).
  void raise_baseline(double times) {
    const double largest =
        std::stod(sql("SELECT max(value) FROM metrics" + std::string(kBaselineRxPps)));
    sql("UPDATE metrics SET value = value + " + std::to_string(times * largest) + kBaselineRxPps);
  }
  static constexpr const char* kBaselineRxPps =
      " WHERE name = 'rx_pps' AND trial_id IN (SELECT id FROM trials WHERE experiment_id = "
      "(SELECT id FROM experiments WHERE name = 'base'))";
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
  // Loopback on a shared 2-CPU box moves by tens of percent between runs; what is tested is the
  // verdict's plumbing, so the threshold leaves room for that noise.
  Ran r = check("--threshold 60%");
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("good: "), std::string::npos) << r.output;
  // The new measurement is an experiment of its own, with its trials, beside the baseline.
  EXPECT_EQ(sql("SELECT count(*) FROM experiments WHERE name = 'base-check'"), "1");
  EXPECT_GE(
      std::stoi(sql("SELECT count(*) FROM trials WHERE state = 'complete' AND "
                    "experiment_id = (SELECT id FROM experiments WHERE name = 'base-check')")),
      3);
  EXPECT_EQ(rps_of_lo(), before);
}

TEST_F(Check, SignificantlyWorseThanTheBaselineIsBad) {
  raise_baseline(1000);
  Ran r = check("--threshold 5%");
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_NE(r.output.find("bad: "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("rx_pps"), std::string::npos) << r.output;
}

TEST_F(Check, BetterThanTheBaselineIsGood) {
  scale_baseline(0.001);
  Ran r = check("--threshold 5%");
  EXPECT_EQ(r.code, 0) << r.output;
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

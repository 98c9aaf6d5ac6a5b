// `nictune run` with a "profile" section on loopback in a fresh network namespace (the default
// demo's shape, smaller): after the search the baseline and the best point are measured again
// under perf, stored as profile trials, and `nictune report` shows where each CPU's time went.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/json_util.hpp"
#include "tests/support/command_line.hpp"

namespace nictune {
namespace {

namespace fs = std::filesystem;

TEST(ProfileRun, DemoShapedRunProfilesBestAndBaseline) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root (network namespaces, perf -a)";
  const std::string nictune = testing::built_nictune_binary();
  if (!fs::exists(nictune)) GTEST_SKIP() << "nictune binary not built";
  const std::string ns = "ntr" + std::to_string(::getpid());
  if (testing::run_command("ip netns add " + ns).code != 0)
    GTEST_SKIP() << "cannot create network namespaces";
  struct Cleanup {
    std::string ns;
    fs::path dir;
    ~Cleanup() {
      testing::run_command("ip netns del " + ns);
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  } cleanup{ns, {}};
  char tmpl[] = "/tmp/nictune-profile-run-XXXXXX";
  cleanup.dir = ::mkdtemp(tmpl);
  const fs::path dir = cleanup.dir;
  testing::run_command("ip -n " + ns + " link set lo up");

  const Json host = {
      {"transport", "local"}, {"netns", ns}, {"interface", "lo"}, {"address", "127.0.0.1"}};
  const Json spec = {
      {"version", 1},
      {"name", "profile-run"},
      {"hosts", {{"dut", host}, {"lg", host}}},
      {"space",
       {{"parameters",
         {{"rps", {"none", "single:1"}},
          {"app.cpus", {"single:0"}},
          {"lg:app.cpus", {"single:0"}}}}}},
      {"workload", {{"type", "udp_stream"}, {"payload", 64}, {"duration_s", 2}, {"warmup_s", 0.5}}},
      {"objectives", {{{"metric", "rx_pps"}, {"goal", "max"}}}},
      {"strategy", {{"type", "grid"}, {"budget", 2}}},
      {"repetitions", {{"count", 1}}},  // the profile phase is under test, not racing
      {"settle_s", 0.2},
      {"profile", {{"duration_s", 1.5}, {"points", "best"}, {"frequency_hz", 199}}}};
  const std::string spec_path = (dir / "spec.json").string();
  std::ofstream(spec_path) << spec.dump(2);
  const std::string db = (dir / "run.db").string();

  auto run = testing::run_command(nictune + " run --db " + db + " --agent " +
                                  testing::built_agent_binary() + " " + spec_path);
  ASSERT_EQ(run.code, 0) << run.output;
  EXPECT_NE(run.output.find("profile of baseline"), std::string::npos) << run.output;

  auto report = testing::run_command(nictune + " report --db " + db + " --format json");
  ASSERT_EQ(report.code, 0) << report.output;
  const Json doc = Json::parse(report.output);
  const Json& profiles = doc.at("profiles").at("profiles");
  ASSERT_EQ(profiles.size(), 2u) << profiles.dump();
  EXPECT_TRUE(profiles[0]["baseline"].get<bool>());
  EXPECT_FALSE(profiles[1]["baseline"].get<bool>());
  for (const auto& p : profiles) {
    EXPECT_EQ(p["error"], "") << p.dump();
    EXPECT_GT(p["samples"].get<int>(), 100) << p.dump();
  }
  // The search's own trials are untouched: 2 points + baseline before and after.
  EXPECT_EQ(doc.at("trials").size(), 4u);

  auto text = testing::run_command(nictune + " report --db " + db + " --format text");
  EXPECT_NE(text.output.find("Where the DUT's CPUs spent their time"), std::string::npos)
      << text.output;
  // The namespace's lo was restored: RPS back to none.
  EXPECT_EQ(
      testing::run_command("ip netns exec " + ns + " cat /sys/class/net/lo/queues/rx-0/rps_cpus")
          .output.find_first_not_of("0,\n"),
      std::string::npos);
}

}  // namespace
}  // namespace nictune

// The agent's profile.start/stop against a real kernel: UDP over loopback in a fresh network
// namespace, the receive softirq moved to CPU 1 by RPS while sender and receiver run on CPU 0,
// perf cpu-clock sampling every CPU. Then the profile goes into a report (through the real Store)
// and headless Chromium renders it.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/folded_profile.hpp"
#include "orchestrator/loaders/report_loaders.hpp"
#include "reports/profile_breakdown.hpp"
#include "reports/render.hpp"
#include "tests/integration/agents/agent_process.hpp"
#include "tests/unit/reports/report_fixture.hpp"

namespace nictune {
namespace {

namespace fs = std::filesystem;
using testing::Agent;
using testing::netns_agent_args;
using testing::shell;

const Json kWorkload = {{"type", "udp_stream"}, {"payload", 64},   {"flows", 1},
                        {"threads", 1},         {"duration_s", 3}, {"warmup_s", 1}};

class ProfileCapture : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (network namespaces, perf -a)";
    if (std::thread::hardware_concurrency() < 2) GTEST_SKIP() << "needs 2 CPUs for RPS";
    ns_ = "ntp" + std::to_string(::getpid());
    int status = 0;
    shell("ip netns add " + ns_, &status);
    if (status != 0) GTEST_SKIP() << "cannot create network namespaces (ip netns add failed)";
    created_ = true;
    shell("ip -n " + ns_ + " link set lo up");
    char tmpl[] = "/tmp/nictune-profile-test-XXXXXX";
    state_dir_ = ::mkdtemp(tmpl);
  }
  void TearDown() override {
    if (created_) shell("ip netns del " + ns_);
    std::error_code ec;
    if (!state_dir_.empty()) fs::remove_all(state_dir_, ec);
  }

  // Runs the load with perf sampling; returns profile.stop's answer.
  Json capture(Agent& agent, double duration_s, std::int64_t max_bytes) {
    Json server =
        agent.result("serve.start",
                     {{"workload", kWorkload}, {"bind", "127.0.0.1"}, {"port", 0}, {"cpus", "0"}});
    agent.result("profile.start", {{"delay_s", 1},
                                   {"duration_s", duration_s},
                                   {"frequency_hz", 499},
                                   {"max_bytes", max_bytes}});
    Json client = agent.result("load.run", {{"workload", kWorkload},
                                            {"target", "127.0.0.1"},
                                            {"port", server["port"]},
                                            {"cpus", "0"}});
    agent.result("serve.stop", {{"id", server["id"]}});
    EXPECT_GT(client["metrics"].value("tx_packets", 0.0), 1000.0) << client.dump();
    return agent.result("profile.stop");
  }

  std::string ns_;
  bool created_ = false;
  fs::path state_dir_;
};

const CpuStacks* cpu_of(const FoldedProfile& p, unsigned cpu) {
  for (const auto& c : p.cpus)
    if (c.cpu == cpu) return &c;
  return nullptr;
}

TEST_F(ProfileCapture, RpsMovesTheReceiveSoftirqToCpu1AndTheReportDrawsIt) {
  Agent agent(netns_agent_args(ns_, state_dir_.string()));
  Json perf = agent.result("profile.probe");
  if (!perf.value("available", false))
    GTEST_SKIP() << "perf cannot sample here: " << perf.value("reason", std::string("?"));
  agent.result("apply", {{"interface", "lo"}, {"values", {{"rps", "single:1"}}}});
  const std::int64_t max_bytes = 1 << 20;
  Json answer = capture(agent, 2, max_bytes);
  agent.result("restore", {{"interface", "lo"}});
  agent.close_input();
  EXPECT_TRUE(agent.wait_exit());

  EXPECT_LE(answer.dump().size(), std::size_t(max_bytes) + 64 * 1024);  // bounded
  const FoldedProfile profile = folded_profile_from_json(answer);
  EXPECT_EQ(profile.malformed, 0u);
  // 2 s at 499 Hz on each CPU: roughly 1000 a CPU; a loaded host may lose some ticks.
  EXPECT_GT(profile.samples, 500u);
  const CpuStacks* cpu1 = cpu_of(profile, 1);
  ASSERT_NE(cpu1, nullptr);
  bool receive_path = false;
  for (const auto& [stack, n] : cpu1->stacks)
    receive_path = receive_path || stack.find("net_rx_action_[k]") != std::string::npos ||
                   stack.find("__netif_receive_skb") != std::string::npos;
  std::string top;  // what CPU 1 did instead, when it did not run the softirq
  for (std::size_t i = 0; i < cpu1->stacks.size() && i < 8; ++i)
    top += std::to_string(cpu1->stacks[i].second) + " " + cpu1->stacks[i].first + "\n";
  EXPECT_TRUE(receive_path) << "CPU 1 ran no receive softirq; its top stacks:\n" << top;
  std::uint64_t cpu1_receive = 0;
  for (const auto& row : breakdown(profile))
    if (row.cpu == 1)
      cpu1_receive = row.counts[std::size_t(ProfileCategory::kNetRx)] +
                     row.counts[std::size_t(ProfileCategory::kUdpReceive)];
  EXPECT_GT(cpu1_receive, 0u);

  // Into a report through the real store, next to the fixed experiment's baseline and best.
  auto fixture = testing::make_report_fixture();
  for (char which : {'b', 'B'}) {
    TrialRecord r;
    r.experiment_id = fixture.experiment;
    r.point_id = fixture.points.at(which);
    r.point = *fixture.store->point(r.point_id);
    r.baseline = which == 'b';
    r.started_at = 1.7e9;
    r.ended_at = 1.7e9 + 4;
    r.outcome.details["profile"] = answer;
    fixture.store->record_profile_trial(r);
  }
  const report::Report rep = report::load_report(*fixture.store, "");
  std::ostringstream text;
  report::render("text", rep, text);
  EXPECT_NE(text.str().find("Where the DUT's CPUs spent their time"), std::string::npos);
  EXPECT_NE(text.str().find("best #1"), std::string::npos);
  std::ostringstream json;
  report::render("json", rep, json);
  const Json doc = Json::parse(json.str());
  ASSERT_EQ(doc["profiles"]["profiles"].size(), 2u);
  EXPECT_GT(doc["profiles"]["profiles"][1]["cpus"].size(), 1u);

  if (::access("/usr/bin/chromium", X_OK) != 0)
    GTEST_SKIP() << "chromium is not installed (Debian package `chromium`)";
  const fs::path page = state_dir_ / "report.html";
  {
    std::ofstream out(page);
    report::render("html", rep, out);
  }
  EXPECT_LT(fs::file_size(page), 4u << 20);  // two profiles, flame graphs bounded by width
  const std::string dom_file = (state_dir_ / "dom.html").string();
  const std::string err_file = (state_dir_ / "stderr.txt").string();
  int status = 0;
  shell(
      "timeout 120 /usr/bin/chromium --headless --no-sandbox --disable-gpu --no-first-run "
      "--disable-background-networking --disable-component-update --disable-sync "
      "--disable-dev-shm-usage --enable-logging=stderr --v=0 --user-data-dir=" +
          (state_dir_ / "chrome").string() + " --dump-dom file://" + page.string() + " >" +
          dom_file + " 2>" + err_file + " </dev/null",
      &status);
  ASSERT_EQ(status, 0) << shell("tail -20 " + err_file);
  std::ifstream in(dom_file);
  std::stringstream dom;
  dom << in.rdbuf();
  std::size_t flames = 0;
  for (auto pos = dom.str().find("data-plot=\"flame\""); pos != std::string::npos;
       pos = dom.str().find("data-plot=\"flame\"", pos + 1))
    ++flames;
  EXPECT_EQ(flames, 2 * profile.cpus.size());  // one per CPU, baseline and best
  EXPECT_NE(dom.str().find("net_rx_action"), std::string::npos);
  EXPECT_EQ(shell("grep -c ':CONSOLE' " + err_file), "0") << shell("cat " + err_file);
}

TEST_F(ProfileCapture, AnUnprivilegedAgentSaysPerfIsRefusedAndWhy) {
  if (shell("cat /proc/sys/kernel/perf_event_paranoid") < "1" ||
      ::access("/usr/sbin/runuser", X_OK) != 0)
    GTEST_SKIP() << "perf_event_paranoid lets everyone sample, or runuser is missing";
  fs::permissions(state_dir_, fs::perms::all);
  Agent agent({"/usr/sbin/runuser", "-u", "nobody", "--", testing::agent_binary(), "--state-dir",
               state_dir_.string()});
  Json perf = agent.result("profile.probe");
  EXPECT_FALSE(perf.value("available", true)) << perf.dump();
  const std::string reason = perf.value("reason", std::string());
  EXPECT_NE(reason.find("perf record refused"), std::string::npos) << reason;
  EXPECT_NE(reason.find("kernel.perf_event_paranoid="), std::string::npos) << reason;
  EXPECT_NE(reason.find("Error: "), std::string::npos) << "perf's own words: " << reason;
  // A recording refused the same way fails the profile with perf's message, not the agent.
  agent.result("profile.start", {{"duration_s", 0.5}});
  Json stop = agent.call("profile.stop");
  ASSERT_TRUE(stop.contains("error")) << stop.dump();
  EXPECT_NE(stop["error"]["message"].get<std::string>().find("perf record"), std::string::npos);
  agent.close_input();
  EXPECT_TRUE(agent.wait_exit());
}

TEST_F(ProfileCapture, BadRequestsAreRefusedWithTheField) {
  Agent agent(netns_agent_args(ns_, state_dir_.string()));
  Json r = agent.call("profile.start", {{"duration_s", 0}});
  ASSERT_TRUE(r.contains("error")) << r.dump();
  EXPECT_NE(r["error"]["message"].get<std::string>().find("duration_s"), std::string::npos);
  r = agent.call("profile.stop");
  ASSERT_TRUE(r.contains("error")) << r.dump();
  EXPECT_NE(r["error"]["message"].get<std::string>().find("profile.start"), std::string::npos);
  r = agent.call("profile.start", {{"duration_s", 1}, {"frequncy_hz", 10}});
  ASSERT_TRUE(r.contains("error"));
  EXPECT_NE(r["error"]["message"].get<std::string>().find("did you mean"), std::string::npos)
      << r.dump();
  agent.close_input();
  EXPECT_TRUE(agent.wait_exit());
}

}  // namespace
}  // namespace nictune

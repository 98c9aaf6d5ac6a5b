// The agent binary on a fake host (--sysfs-root, --procfs-root, --fake-ethtool): the knobs a
// veth lacks (IRQ affinity, coalescing, pause, rings, RSS) through the whole JSON-RPC path,
// and the crash path: SIGKILL, then `nictune-agent --restore` in a second process. No root
// needed.
#include <signal.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <functional>
#include <optional>
#include <thread>

#include <gtest/gtest.h>

#include "../../unit/agents/fake_host.hpp"
#include "../../unit/agents/fake_systemctl.hpp"
#include "agent_process.hpp"

namespace nictune::agent {
namespace {

class FakeRootAgent : public ::testing::Test {
 protected:
  FakeRootAgent() : host_(8) {
    host_.add_nic(testing::ixgbe_like(4, 60));
    testing::give_full_ethtool(host_, "eth1", 4);
    ethtool_file_ = host_.state_dir() + "/fake-ethtool.json";
    FakeEthtool persisted(ethtool_file_);
    persisted.device("eth1") = host_.ethtool.device("eth1");
    persisted.device("eth1").fail.clear();
    ethtool_coalesce c{};
    persisted.get_coalesce("eth1", c);
    persisted.set_coalesce("eth1", c);  // writes the state file
  }
  std::vector<std::string> args(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> a = {nictune::testing::agent_binary(),
                                  "--sysfs-root",
                                  host_.sysfs(),
                                  "--procfs-root",
                                  host_.procfs(),
                                  "--state-dir",
                                  host_.state_dir() + "/snapshots",
                                  "--fake-ethtool",
                                  ethtool_file_};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
  Json ethtool_state() { return FakeEthtool(ethtool_file_).to_json()["devices"]["eth1"]; }
  std::string irqs() {
    std::string out;
    for (int irq = 60; irq < 64; ++irq)
      out += host_.read("proc/irq/" + std::to_string(irq) + "/smp_affinity_list") + ";";
    return out;
  }

  testing::FakeHost host_;
  std::string ethtool_file_;
};

TEST_F(FakeRootAgent, EthtoolAndIrqKnobsThroughTheBinaryAndRestoreAfterSigkill) {
  Json before = ethtool_state();
  std::string irqs_before = irqs();
  {
    nictune::testing::Agent agent(args());
    Json probe = agent.result("probe", {{"interface", "eth1"}});
    for (const char* name : {"irq_affinity", "coalesce.rx_usecs", "pause.rx", "rings.rx",
                             "rss.queues", "channels.combined"}) {
      EXPECT_TRUE(probe["knobs"][name]["supported"].get<bool>())
          << name << ": " << probe["knobs"][name].dump();
    }
    EXPECT_EQ(probe["topology"]["irqs"].size(), 5u);
    Json result = agent.result("apply", {{"interface", "eth1"},
                                         {"values",
                                          {{"irq_affinity", "spread"},
                                           {"coalesce.rx_usecs", 64},
                                           {"coalesce.adaptive_rx", false},
                                           {"pause.tx", false},
                                           {"rings.rx", 2048},
                                           {"rss.queues", 2}}}});
    EXPECT_EQ(result["applied"]["irq_affinity"]["63"], "3");
    Json commands = result["commands"];
    EXPECT_NE(std::find(commands.begin(), commands.end(), "ethtool -X $IFACE equal 2"),
              commands.end());
    EXPECT_NE(
        std::find(commands.begin(), commands.end(), "echo 3 > /proc/irq/63/smp_affinity_list"),
        commands.end());
    EXPECT_EQ(ethtool_state()["coalesce"]["rx_coalesce_usecs"], 64);
    EXPECT_EQ(ethtool_state()["rings"]["rx_pending"], 2048);
    EXPECT_EQ(host_.read("proc/irq/63/smp_affinity_list"), "3");
    agent.kill_agent(SIGKILL);
    EXPECT_TRUE(agent.wait_exit());
  }
  EXPECT_NE(ethtool_state(), before);
  int status = -1;
  std::string command;
  for (const auto& a : args({"--restore"})) command += a + " ";
  std::string out = nictune::testing::shell(command, &status, /*with_stderr=*/false);
  EXPECT_EQ(status, 0) << out;
  EXPECT_TRUE(Json::parse(out)["mismatches"].empty()) << out;
  EXPECT_EQ(ethtool_state(), before);
  EXPECT_EQ(irqs(), irqs_before);
  // Nothing left to restore: a second run has nothing to do.
  out = nictune::testing::shell(command, &status, false);
  EXPECT_EQ(status, 0);
  EXPECT_EQ(Json::parse(out)["restored"].size(), 0u);
}

TEST_F(FakeRootAgent, RestoreCommandLeavesALiveAgentAlone) {
  nictune::testing::Agent agent(args());
  agent.result("apply", {{"interface", "eth1"}, {"values", {{"coalesce.rx_usecs", 9}}}});
  int status = -1;
  std::string command;
  for (const auto& a : args({"--restore"})) command += a + " ";
  std::string out = nictune::testing::shell(command, &status, false);
  EXPECT_EQ(status, 1) << out;
  EXPECT_NE(out.find("locked by a running agent"), std::string::npos) << out;
  EXPECT_EQ(ethtool_state()["coalesce"]["rx_coalesce_usecs"], 9);
  // The agent restores on end of input.
  agent.close_input();
  EXPECT_TRUE(agent.wait_exit());
  EXPECT_EQ(ethtool_state()["coalesce"]["rx_coalesce_usecs"], 3);
}

// service.irqbalance through the binary with --systemctl (a fake: no systemd here): stopped
// for the session, started again when the agent's input ends (a lost SSH session).
TEST_F(FakeRootAgent, IrqbalanceStoppedForTheSessionAndStartedAgainAtEndOfInput) {
  testing::FakeSystemctl systemctl;
  std::string irqs_before = irqs();
  nictune::testing::Agent agent(args({"--systemctl", systemctl.path()}));
  Json probe = agent.result("probe", {{"interface", "eth1"}});
  const Json& knob = probe["knobs"]["service.irqbalance"];
  EXPECT_TRUE(knob["supported"].get<bool>()) << knob.dump();
  EXPECT_EQ(knob["current"], true);
  Json result = agent.result(
      "apply", {{"interface", "eth1"},
                {"values", {{"service.irqbalance", false}, {"irq_affinity", "spread"}}}});
  EXPECT_EQ(systemctl.state(), "inactive");
  EXPECT_EQ(host_.read("proc/irq/63/smp_affinity_list"), "3");
  Json commands = result["commands"];
  ASSERT_FALSE(commands.empty());
  EXPECT_EQ(commands[0], "systemctl stop irqbalance") << commands.dump();
  Json snapshot = load_json_file(host_.state_dir() + "/snapshots/eth1.snapshot.json");
  EXPECT_EQ(snapshot["knobs"]["service.irqbalance"], true) << snapshot.dump();
  agent.close_input();
  EXPECT_TRUE(agent.wait_exit());
  EXPECT_EQ(agent.exit_status(), 0);
  EXPECT_EQ(systemctl.state(), "active") << systemctl.calls();
  EXPECT_EQ(irqs(), irqs_before);
}

TEST_F(FakeRootAgent, IrqbalanceStartedAgainByRestoreCommandAfterSigkill) {
  testing::FakeSystemctl systemctl;
  {
    nictune::testing::Agent agent(args({"--systemctl", systemctl.path()}));
    agent.result("apply", {{"interface", "eth1"}, {"values", {{"service.irqbalance", false}}}});
    agent.kill_agent(SIGKILL);
    EXPECT_TRUE(agent.wait_exit());
  }
  EXPECT_EQ(systemctl.state(), "inactive");
  int status = -1;
  std::string command;
  for (const auto& a : args({"--systemctl", systemctl.path(), "--restore"})) command += a + " ";
  std::string out = nictune::testing::shell(command, &status, /*with_stderr=*/false);
  EXPECT_EQ(status, 0) << out;
  EXPECT_EQ(systemctl.state(), "active") << systemctl.calls();
}

TEST_F(FakeRootAgent, BadOptions) {
  int status = -1;
  nictune::testing::shell(nictune::testing::agent_binary() + " --interface eth1", &status);
  EXPECT_EQ(status, 2);
  std::string out =
      nictune::testing::shell(nictune::testing::agent_binary() +
                                  " --restore --interface ../x --state-dir " + host_.state_dir(),
                              &status);
  EXPECT_EQ(status, 2) << out;
}

// --- a clean base: an RSS table never pins the channels ----------------------------------------

TEST_F(FakeRootAgent, FakeRefusesFewerChannelsThanAUserRssTableUsesAsTheKernelDoes) {
  FakeEthtool fake(ethtool_file_);
  std::vector<std::uint32_t> table(128);
  for (std::size_t i = 0; i < table.size(); ++i) table[i] = static_cast<std::uint32_t>(i % 2);
  ASSERT_EQ(fake.set_rss_indir("eth1", table), 0);
  ethtool_channels fewer{};
  fewer.combined_count = 1;
  fewer.other_count = 1;
  EXPECT_EQ(fake.set_channels("eth1", fewer), EINVAL);
}

TEST_F(FakeRootAgent, PointsThatWriteAnRssTableThenShrinkChannelsAllApply) {
  Json before = ethtool_state();
  nictune::testing::Agent agent(args());
  // Point 1: four channels, the table over two of them (user-configured from now on).
  agent.result("apply",
               {{"interface", "eth1"}, {"values", {{"channels.combined", 4}, {"rss.queues", 2}}}});
  EXPECT_TRUE(ethtool_state()["rss_user_configured"].get<bool>()) << ethtool_state().dump();
  // Point 2: one channel. Channels come first in apply order, so the table goes back to the
  // driver's default before they shrink; the requested table follows.
  Json second = agent.result(
      "apply", {{"interface", "eth1"}, {"values", {{"channels.combined", 1}, {"rss.queues", 1}}}});
  EXPECT_EQ(ethtool_state()["channels"]["combined_count"], 1) << ethtool_state().dump();
  Json commands = second["commands"];
  auto reset = std::find(commands.begin(), commands.end(), "ethtool -X $IFACE default");
  ASSERT_NE(reset, commands.end()) << commands.dump();
  EXPECT_EQ(reset, commands.begin()) << commands.dump();
  // Point 3: a table over three of four, then point 4 leaves the table out and shrinks to two.
  agent.result("apply",
               {{"interface", "eth1"}, {"values", {{"channels.combined", 4}, {"rss.queues", 3}}}});
  agent.result("apply", {{"interface", "eth1"}, {"values", {{"channels.combined", 2}}}});
  EXPECT_EQ(ethtool_state()["channels"]["combined_count"], 2);
  agent.close_input();
  EXPECT_TRUE(agent.wait_exit());
  EXPECT_EQ(ethtool_state(), before);
}

// --- the dead-man lease ------------------------------------------------------------------------

int rx_usecs(const Json& ethtool) {
  return ethtool["coalesce"]["rx_coalesce_usecs"].get<int>();
}

// Polls until the fake NIC's rx-usecs is `value`; returns how long that took.
std::optional<double> seconds_until_rx_usecs(const std::function<Json()>& state, int value,
                                             double limit_s) {
  auto start = std::chrono::steady_clock::now();
  while (true) {
    double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (rx_usecs(state()) == value) return elapsed;
    if (elapsed > limit_s) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

TEST_F(FakeRootAgent, LeaseRunsOutWithTheInputOpenAndTheAgentRestoresOnItsOwn) {
  nictune::testing::Agent agent(args());
  auto state = [this] { return ethtool_state(); };
  Json applied = agent.result(
      "apply", {{"interface", "eth1"}, {"values", {{"coalesce.rx_usecs", 9}}}, {"lease_s", 1}});
  EXPECT_EQ(applied["lease_s"], 1);
  EXPECT_EQ(rx_usecs(ethtool_state()), 9);
  // Nobody renews and nobody closes stdin: the lease alone brings the value back.
  auto took = seconds_until_rx_usecs(state, 3, 1 + 5);
  ASSERT_TRUE(took) << "still " << rx_usecs(ethtool_state()) << " after 6 s";
  EXPECT_GE(*took, 0.5);
  // The orchestrator comes back: the first renewal reports the expiry, once.
  Json renewed = agent.result("lease.renew");
  ASSERT_TRUE(renewed.contains("expired")) << renewed.dump();
  EXPECT_EQ(renewed["expired"]["lease_s"], 1);
  EXPECT_EQ(renewed["expired"]["restored"], Json::array({"coalesce.rx_usecs"})) << renewed.dump();
  EXPECT_TRUE(renewed["expired"]["mismatches"].empty());
  EXPECT_EQ(agent.result("lease.renew"), Json({{"lease_s", 0}}));
  // The session goes on: a new apply takes a new snapshot and a new lease.
  agent.result("apply",
               {{"interface", "eth1"}, {"values", {{"coalesce.rx_usecs", 11}}}, {"lease_s", 30}});
  EXPECT_EQ(rx_usecs(ethtool_state()), 11);
  agent.close_input();
  EXPECT_TRUE(agent.wait_exit());
  EXPECT_EQ(rx_usecs(ethtool_state()), 3);
}

TEST_F(FakeRootAgent, RenewedLeaseKeepsTheChangeUntilRenewalsStop) {
  nictune::testing::Agent agent(args());
  auto state = [this] { return ethtool_state(); };
  agent.result("apply",
               {{"interface", "eth1"}, {"values", {{"coalesce.rx_usecs", 9}}}, {"lease_s", 1}});
  for (int i = 0; i < 8; ++i) {  // 2.4 s: more than twice the lease
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    Json renewed = agent.result("lease.renew");
    EXPECT_EQ(renewed["lease_s"], 1) << renewed.dump();
    EXPECT_FALSE(renewed.contains("expired")) << renewed.dump();
  }
  EXPECT_EQ(rx_usecs(ethtool_state()), 9);
  EXPECT_TRUE(seconds_until_rx_usecs(state, 3, 1 + 5));
}

TEST_F(FakeRootAgent, LeaseRestoresWhileTheAgentIsStuckWritingToAChannelNobodyReads) {
  nictune::testing::Agent agent(args());
  auto state = [this] { return ethtool_state(); };
  agent.result("apply",
               {{"interface", "eth1"}, {"values", {{"coalesce.rx_usecs", 9}}}, {"lease_s", 2}});
  // Answers nobody reads fill the pipe (64 KiB) until the agent's main thread blocks in write,
  // as it would behind an SSH channel whose window a stopped orchestrator never opens.
  for (int i = 0; i < 200; ++i) agent.send("probe", {{"interface", "eth1"}});
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  std::string wchan = nictune::testing::shell("cat /proc/" + std::to_string(agent.agent_pid()) +
                                              "/wchan 2>/dev/null");
  EXPECT_EQ(rx_usecs(ethtool_state()), 9);
  EXPECT_TRUE(seconds_until_rx_usecs(state, 3, 2 + 5)) << "agent main thread in " << wchan;
  agent.kill_agent(SIGKILL);
  EXPECT_TRUE(agent.wait_exit());
}

TEST_F(FakeRootAgent, BadLeaseIsRefusedNamingTheFieldAndChangesNothing) {
  nictune::testing::Agent agent(args());
  for (Json bad : {Json(0), Json("60"), Json(1e9)}) {
    Json response = agent.call(
        "apply", {{"interface", "eth1"}, {"values", {{"coalesce.rx_usecs", 9}}}, {"lease_s", bad}});
    ASSERT_TRUE(response.contains("error")) << response.dump();
    EXPECT_EQ(response["error"]["data"]["code"], "invalid");
    EXPECT_NE(response["error"]["message"].get<std::string>().find("params.lease_s"),
              std::string::npos)
        << response.dump();
    EXPECT_EQ(rx_usecs(ethtool_state()), 3);
  }
}

}  // namespace
}  // namespace nictune::agent

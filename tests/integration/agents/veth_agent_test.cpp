// The agent against a real kernel: two network namespaces joined by a veth pair with 4 rx/tx
// queues. Every value the agent writes is checked independently (ethtool, cat of the sysfs
// file), never with the agent's own read, and so is every restore: through `restore`, end of
// input after the parent dies, SIGTERM, and `nictune-agent --restore` after a SIGKILL.
#include <signal.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "veth_agent_fixture.hpp"

namespace nictune {
namespace {

using testing::Agent;
using testing::agent_binary;
using testing::netns_agent_args;
using testing::shell;
using testing::VethAgent;

TEST_F(VethAgent, AppliesChannelsRpsXpsFlowCountAndGroThenRestores) {
  Agent agent(netns_agent_args(ns_a_, state_dir_.string()));
  Json result = apply_point(agent);
  EXPECT_EQ(result["applied"]["channels.rx"], 2);
  Json commands = result["commands"];
  EXPECT_NE(std::find(commands.begin(), commands.end(), "ethtool -L $IFACE rx 2"), commands.end())
      << commands.dump();
  EXPECT_NE(std::find(commands.begin(), commands.end(), "ethtool -K $IFACE gro on"),
            commands.end());
  EXPECT_TRUE(std::filesystem::exists(snapshot_file()));
  // The snapshot on disk holds the original values.
  Json snapshot = load_json_file(snapshot_file());
  EXPECT_EQ(snapshot["knobs"]["channels.rx"], 4);
  EXPECT_EQ(snapshot["knobs"]["rps"].size(), 4u);

  Json restored = agent.result("restore");
  EXPECT_TRUE(restored["mismatches"].empty()) << restored.dump();
  EXPECT_EQ(values(), original_);
  EXPECT_FALSE(std::filesystem::exists(snapshot_file()));
}

TEST_F(VethAgent, XpsRxqsSameIndexThenRestores) {
  const std::string tx = "/sys/class/net/va/queues/tx-";
  if (cat(tx + "1/xps_rxqs") == "absent")
    GTEST_SKIP() << "this kernel has no queues/tx-N/xps_rxqs (before 4.18 or without CONFIG_XPS)";
  Agent agent(netns_agent_args(ns_a_, state_dir_.string()));
  Json probe = agent.result("probe", {{"interface", "va"}});
  EXPECT_TRUE(probe["knobs"]["xps_rxqs"]["supported"].get<bool>()) << probe["knobs"]["xps_rxqs"];
  Json result =
      agent.result("apply", {{"interface", "va"}, {"values", {{"xps_rxqs", "same-index"}}}});
  EXPECT_EQ(result["applied"]["xps_rxqs"]["tx-1"], "1") << result.dump();
  Json commands = result["commands"];
  EXPECT_NE(std::find(commands.begin(), commands.end(),
                      "echo 2 > /sys/class/net/$IFACE/queues/tx-1/xps_rxqs"),
            commands.end())
      << commands.dump();
  for (int q = 0; q < 4; ++q) {
    EXPECT_EQ(mask_list(tx + std::to_string(q) + "/xps_rxqs"), std::to_string(q)) << q;
  }
  EXPECT_NE(values(), original_);
  // rx-4 does not exist: refused before anything is written.
  Json refused = agent.call("apply", {{"interface", "va"}, {"values", {{"xps_rxqs", "list:3-4"}}}});
  EXPECT_EQ(refused["error"]["data"]["code"], "invalid") << refused.dump();
  EXPECT_EQ(mask_list(tx + "3/xps_rxqs"), "3");
  Json restored = agent.result("restore");
  EXPECT_TRUE(restored["mismatches"].empty()) << restored.dump();
  for (int q = 0; q < 4; ++q) EXPECT_EQ(mask_list(tx + std::to_string(q) + "/xps_rxqs"), "") << q;
  EXPECT_EQ(values(), original_);
}

TEST_F(VethAgent, UnsupportedKnobsSayWhy) {
  Agent agent(netns_agent_args(ns_a_, state_dir_.string()));
  Json probe = agent.result("probe", {{"interface", "va"}});
  const Json& knobs = probe["knobs"];
  EXPECT_EQ(probe["nic"]["driver"], "veth");
  EXPECT_EQ(probe["topology"]["rx_queues"], 4);
  EXPECT_TRUE(knobs["channels.rx"]["supported"].get<bool>());
  EXPECT_EQ(knobs["channels.rx"]["range"]["max"], 4);
  EXPECT_TRUE(knobs["rps"]["supported"].get<bool>());
  EXPECT_TRUE(knobs["offload.gro"]["supported"].get<bool>());
  auto reason = [&](const std::string& name) {
    EXPECT_FALSE(knobs[name]["supported"].get<bool>()) << name;
    return knobs[name]["reason"].get<std::string>();
  };
  EXPECT_NE(reason("coalesce.rx_usecs").find("EOPNOTSUPP from the driver"), std::string::npos);
  EXPECT_NE(reason("pause.rx").find("EOPNOTSUPP"), std::string::npos);
  EXPECT_NE(reason("rings.rx").find("EOPNOTSUPP"), std::string::npos);
  EXPECT_NE(reason("rss.queues").find("EOPNOTSUPP"), std::string::npos);
  EXPECT_NE(reason("irq_affinity").find("no IRQs: virtual device"), std::string::npos);
  EXPECT_NE(reason("channels.combined").find("no combined channels"), std::string::npos);
  EXPECT_NE(reason("offload.lro").find("[fixed]"), std::string::npos);
  EXPECT_NE(reason("sysctl.net.core.busy_poll").find("not in the root network namespace"),
            std::string::npos);
  EXPECT_NE(reason("rfs.sock_flow_entries").find("not in the root network namespace"),
            std::string::npos);
  // Asking for one of them changes nothing and names the knob.
  Json response = agent.call(
      "apply", {{"interface", "va"}, {"values", {{"rps", "all"}, {"coalesce.rx_usecs", 10}}}});
  EXPECT_EQ(response["error"]["data"]["code"], "unsupported") << response.dump();
  EXPECT_NE(response["error"]["message"].get<std::string>().find("coalesce.rx_usecs"),
            std::string::npos);
  EXPECT_EQ(values(), original_);
}

TEST_F(VethAgent, HostileRequestsChangeNothing) {
  Agent agent(netns_agent_args(ns_a_, state_dir_.string()));
  for (const Json& params :
       {Json{{"interface", "../va"}, {"values", {{"rps", "all"}}}},
        Json{{"interface", "va"}, {"values", {{"rps", "list:0-4095"}}}},
        Json{{"interface", "va"}, {"values", {{"rps", "all"}, {"rfs.flow_cnt", 1e18}}}},
        Json{{"interface", "va"}, {"values", {{"rps", "all"}, {"channels.rx", 99}}}},
        Json{{"interface", "va"}, {"values", {{"rps", "all"}, {"offload.gro", "yes"}}}},
        Json{{"interface", "va"}, {"values", {{"rps", "all"}, {"sysctl.kernel.panic", 1}}}}}) {
    Json response = agent.call("apply", params);
    EXPECT_TRUE(response.contains("error")) << params.dump() << " -> " << response.dump();
  }
  Json garbage = agent.raw(
      "{\"jsonrpc\": \"2.0\", \"id\": 9, \"method\": \"apply\", \"params\": {\"interface\": "
      "\"va\", \"values\": {\"rps\": \"all\"");
  EXPECT_EQ(garbage["error"]["code"], -32700) << garbage.dump();
  EXPECT_EQ(values(), original_);
  EXPECT_FALSE(std::filesystem::exists(snapshot_file()));
}

TEST_F(VethAgent, ManagementInterfaceIsGuarded) {
  Agent agent(netns_agent_args(ns_a_, state_dir_.string()), false,
              "198.18.0.2 40000 198.18.0.1 22");
  Json response = agent.call("apply", {{"interface", "va"}, {"values", {{"rps", "all"}}}});
  EXPECT_EQ(response["error"]["data"]["code"], "guarded") << response.dump();
  EXPECT_EQ(values(), original_);
  Json allowed = agent.result(
      "apply", {{"interface", "va"}, {"values", {{"rps", "all"}}}, {"allow_management", true}});
  EXPECT_TRUE(allowed.contains("applied"));
  agent.result("restore");
  EXPECT_EQ(values(), original_);
}

TEST_F(VethAgent, LoopbackRpsInAFreshNamespace) {
  std::string ns = "ntl" + std::to_string(::getpid());
  int status = 0;
  shell("ip netns add " + ns, &status);
  ASSERT_EQ(status, 0);
  created_.push_back(ns);
  shell("ip -n " + ns + " link set lo up");
  auto lo_rps = [&] {
    return CpuSet::parse_mask(
               shell("ip netns exec " + ns + " cat /sys/class/net/lo/queues/rx-0/rps_cpus"))
        .to_list();
  };
  ASSERT_EQ(lo_rps(), "");
  {
    Agent agent(netns_agent_args(ns, state_dir_.string()));
    Json result = agent.result(
        "apply", {{"interface", "lo"}, {"values", {{"rps", "single:0"}, {"rfs.flow_cnt", 2048}}}});
    EXPECT_EQ(result["applied"]["rps"]["rx-0"], "0");
    EXPECT_EQ(lo_rps(), "0");
    EXPECT_EQ(shell("ip netns exec " + ns + " cat /sys/class/net/lo/queues/rx-0/rps_flow_cnt"),
              "2048");
    Json probe = agent.result("probe", {{"interface", "lo"}});
    EXPECT_FALSE(probe["knobs"]["xps"]["supported"].get<bool>());
    agent.close_input();
    EXPECT_TRUE(agent.wait_exit());
    EXPECT_EQ(agent.exit_status(), 0);
  }
  EXPECT_EQ(lo_rps(), "");
  EXPECT_EQ(shell("ip netns exec " + ns + " cat /sys/class/net/lo/queues/rx-0/rps_flow_cnt"), "0");
}

// Both namespaces have an "lo": agents that were given no --state-dir keep their snapshots and
// locks apart, so two sessions on same-named interfaces run side by side.
TEST_F(VethAgent, SameInterfaceNameInTwoNamespacesDoesNotCollide) {
  const std::string base = "/var/lib/nictune/netns/";
  struct RemoveDirs {
    std::vector<std::string> dirs;
    ~RemoveDirs() {
      for (const auto& d : dirs) std::filesystem::remove_all(d);
    }
  } cleanup{{base + ns_a_, base + ns_b_}};
  auto args = [&](const std::string& ns) {
    return std::vector<std::string>{shell("command -v ip"), "netns", "exec", ns, agent_binary()};
  };
  Agent a(args(ns_a_));
  Agent b(args(ns_b_));
  EXPECT_EQ(a.result("hello")["state_dir"], base + ns_a_);
  EXPECT_EQ(b.result("hello")["state_dir"], base + ns_b_);
  Json values = {{"interface", "lo"}, {"values", {{"rps", "single:0"}}}};
  EXPECT_EQ(a.result("apply", values)["applied"]["rps"]["rx-0"], "0");
  EXPECT_EQ(b.result("apply", values)["applied"]["rps"]["rx-0"], "0");
  EXPECT_TRUE(std::filesystem::exists(base + ns_a_ + "/lo.snapshot.json"));
  EXPECT_TRUE(std::filesystem::exists(base + ns_b_ + "/lo.snapshot.json"));
  for (Agent* agent : {&a, &b}) {
    agent->close_input();
    EXPECT_TRUE(agent->wait_exit());
  }
  for (const auto& ns : {ns_a_, ns_b_}) {
    EXPECT_EQ(CpuSet::parse_mask(
                  shell("ip netns exec " + ns + " cat /sys/class/net/lo/queues/rx-0/rps_cpus"))
                  .to_list(),
              "")
        << ns;
  }
}

TEST_F(VethAgent, ParentKilledTheAgentSeesEndOfInputAndRestores) {
  Agent agent(netns_agent_args(ns_a_, state_dir_.string()), /*with_parent=*/true);
  apply_point(agent);
  agent.kill_parent();
  EXPECT_TRUE(agent.wait_exit());
  EXPECT_EQ(values(), original_);
  EXPECT_FALSE(std::filesystem::exists(snapshot_file()));
}

TEST_F(VethAgent, SigtermRestores) {
  Agent agent(netns_agent_args(ns_a_, state_dir_.string()));
  apply_point(agent);
  agent.kill_agent(SIGTERM);
  EXPECT_TRUE(agent.wait_exit());
  EXPECT_EQ(agent.exit_status(), 0);
  EXPECT_EQ(values(), original_);
}

TEST_F(VethAgent, SigkillThenRestoreCommand) {
  {
    Agent agent(netns_agent_args(ns_a_, state_dir_.string()));
    apply_point(agent);
    agent.kill_agent(SIGKILL);
    EXPECT_TRUE(agent.wait_exit());
  }
  // Nothing restored the values: the agent died without a chance.
  EXPECT_NE(values(), original_);
  ASSERT_TRUE(std::filesystem::exists(snapshot_file()));
  int status = -1;
  std::string out = shell("ip netns exec " + ns_a_ + " " + agent_binary() +
                              " --restore --state-dir " + state_dir_.string(),
                          &status,
                          /*with_stderr=*/false);
  EXPECT_EQ(status, 0) << out;
  Json report = Json::parse(out);
  EXPECT_TRUE(report["mismatches"].empty()) << out;
  EXPECT_EQ(values(), original_);
  EXPECT_FALSE(std::filesystem::exists(snapshot_file()));
}

}  // namespace
}  // namespace nictune

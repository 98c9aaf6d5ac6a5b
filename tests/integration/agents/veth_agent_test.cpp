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

#include "agent_process.hpp"
#include "core/cpu_set.hpp"
#include "core/json_util.hpp"

namespace nictune {
namespace {

using testing::Agent;
using testing::agent_binary;
using testing::netns_agent_args;
using testing::shell;

class VethAgent : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root for network namespaces";
    if (shell("command -v ethtool").empty()) GTEST_SKIP() << "needs ethtool for independent checks";
    std::string pid = std::to_string(::getpid());
    ns_a_ = "nta" + pid;
    ns_b_ = "ntb" + pid;
    int status = 0;
    shell("ip netns add " + ns_a_, &status);
    if (status != 0) GTEST_SKIP() << "cannot create network namespaces (ip netns add failed)";
    created_.push_back(ns_a_);
    shell("ip netns add " + ns_b_, &status);
    ASSERT_EQ(status, 0);
    created_.push_back(ns_b_);
    std::string out = shell("ip -n " + ns_a_ +
                                " link add va numtxqueues 4 numrxqueues 4 type veth peer name vb " +
                                "numtxqueues 4 numrxqueues 4 netns " + ns_b_,
                            &status);
    ASSERT_EQ(status, 0) << out;
    shell("ip -n " + ns_a_ + " addr add 198.18.0.1/30 dev va && ip -n " + ns_a_ +
          " link set va up && ip -n " + ns_a_ + " link set lo up");
    shell("ip -n " + ns_b_ + " addr add 198.18.0.2/30 dev vb && ip -n " + ns_b_ +
          " link set vb up");
    // The kernel attaches the veth's queueing discipline asynchronously (linkwatch, up to a
    // second after `link set up`) and drops what is sent before: traffic tests wait for it.
    auto up = [&](const std::string& ns, const std::string& dev) {
      return shell("ip netns exec " + ns + " cat /sys/class/net/" + dev + "/operstate") == "up";
    };
    for (int i = 0; i < 250 && !(up(ns_a_, "va") && up(ns_b_, "vb")); ++i) ::usleep(20000);
    ASSERT_TRUE(up(ns_a_, "va") && up(ns_b_, "vb")) << "the veth did not come up within 5 s";
    state_dir_ = std::filesystem::temp_directory_path() /
                 ("nictune-veth-" + pid + "-" +
                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(state_dir_);
    std::filesystem::create_directories(state_dir_);
    original_ = values();
  }
  void TearDown() override {
    for (const auto& ns : created_) shell("ip netns del " + ns);
    if (!state_dir_.empty()) std::filesystem::remove_all(state_dir_);
  }

  std::string in_a(const std::string& command) {
    return shell("ip netns exec " + ns_a_ + " bash -c '" + command + "'");
  }
  std::string cat(const std::string& file) {
    return in_a("cat " + file + " 2>/dev/null || echo absent");
  }
  std::string mask_list(const std::string& file) {
    std::string text = cat(file);
    return text == "absent" ? text : CpuSet::parse_mask(text).to_list();
  }
  // "rx tx" of `ethtool -l`'s current settings.
  std::string channels() {
    std::string text = in_a("ethtool -l va");
    auto current = text.find("Current hardware settings:");
    if (current == std::string::npos) return "?";
    text = text.substr(current);
    auto field = [&](const std::string& name) {
      auto pos = text.find(name + ":");
      if (pos == std::string::npos) return std::string("?");
      auto start = text.find_first_not_of(" \t", pos + name.size() + 1);
      return text.substr(start, text.find('\n', start) - start);
    };
    return field("RX") + " " + field("TX");
  }
  std::string gro() {
    std::string text = in_a("ethtool -k va");
    auto pos = text.find("generic-receive-offload: ");
    return pos == std::string::npos ? "?" : text.substr(pos + 25, text.find('\n', pos) - pos - 25);
  }
  // Every value the tests touch, read without the agent.
  std::string values() {
    std::string out = "channels=" + channels() + " gro=" + gro();
    for (int q = 0; q < 4; ++q) {
      std::string rx = "/sys/class/net/va/queues/rx-" + std::to_string(q);
      std::string tx = "/sys/class/net/va/queues/tx-" + std::to_string(q);
      out += " rps" + std::to_string(q) + "=" + mask_list(rx + "/rps_cpus");
      out += " flow" + std::to_string(q) + "=" + cat(rx + "/rps_flow_cnt");
      out += " xps" + std::to_string(q) + "=" + mask_list(tx + "/xps_cpus");
      out += " xps_rxqs" + std::to_string(q) + "=" + mask_list(tx + "/xps_rxqs");
    }
    return out;
  }
  Json apply_point(Agent& agent) {
    Json result = agent.result("apply", {{"interface", "va"},
                                         {"values",
                                          {{"channels.rx", 2},
                                           {"channels.tx", 2},
                                           {"rps", "all"},
                                           {"xps", "spread"},
                                           {"rfs.flow_cnt", 3000},
                                           {"offload.gro", true}}}});
    EXPECT_EQ(channels(), "2 2");
    EXPECT_EQ(gro(), "on");
    std::string all = CpuSet::parse_list(shell("cat /sys/devices/system/cpu/online")).to_list();
    EXPECT_EQ(mask_list("/sys/class/net/va/queues/rx-0/rps_cpus"), all);
    EXPECT_EQ(mask_list("/sys/class/net/va/queues/rx-1/rps_cpus"), all);
    EXPECT_EQ(cat("/sys/class/net/va/queues/rx-1/rps_flow_cnt"), "4096");
    EXPECT_EQ(mask_list("/sys/class/net/va/queues/tx-0/xps_cpus"), "0");
    EXPECT_NE(values(), original_);
    return result;
  }
  std::string snapshot_file() const { return (state_dir_ / "va.snapshot.json").string(); }

  std::string ns_a_, ns_b_;
  std::vector<std::string> created_;
  std::filesystem::path state_dir_;
  std::string original_;
};

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

// One interface's row of /proc/net/dev in a namespace: {rx_bytes, rx_packets, tx_bytes,
// tx_packets}, read without the agent.
std::vector<std::uint64_t> proc_net_dev(const std::string& netns, const std::string& interface) {
  std::string text = shell("ip netns exec " + netns + " cat /proc/net/dev");
  auto pos = text.find(" " + interface + ":");
  if (pos == std::string::npos) pos = text.find("\n" + interface + ":");
  if (pos == std::string::npos) return {};
  std::istringstream row(text.substr(text.find(':', pos) + 1));
  std::vector<std::uint64_t> fields(16);
  for (auto& field : fields) row >> field;
  return {fields[0], fields[1], fields[8], fields[9]};
}

// The sum over CPUs of one /proc/softirqs row (NET_RX, NET_TX), read without the agent.
std::uint64_t proc_softirqs(const std::string& name) {
  std::string text = shell("cat /proc/softirqs");
  auto pos = text.find(name + ":");
  if (pos == std::string::npos) return 0;
  std::istringstream row(text.substr(pos + name.size() + 1, text.find('\n', pos) - pos));
  std::uint64_t sum = 0, n = 0;
  while (row >> n) sum += n;
  return sum;
}

// Sums over CPUs of /proc/net/softnet_stat's first three columns (hex): {processed, dropped,
// time_squeeze}, read without the agent.
std::vector<std::uint64_t> proc_softnet() {
  std::istringstream text(shell("cat /proc/net/softnet_stat"));
  std::vector<std::uint64_t> sums(3, 0);
  std::string line;
  while (std::getline(text, line)) {
    std::istringstream row(line);
    for (auto& sum : sums) {
      std::string hex;
      if (row >> hex) sum += std::stoull(hex, nullptr, 16);
    }
  }
  return sums;
}

// CPU-seconds from /proc/stat's "cpu" line (all CPUs): {busy, softirq}, busy being everything
// but idle and iowait, read without the agent.
std::vector<double> proc_stat_cpu_seconds() {
  std::istringstream row(shell("head -1 /proc/stat"));
  std::string label;
  std::uint64_t user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0,
                steal = 0;
  row >> label >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal;
  const double hz = static_cast<double>(::sysconf(_SC_CLK_TCK));
  return {static_cast<double>(user + nice + system + irq + softirq + steal) / hz,
          static_cast<double>(softirq) / hz};
}

TEST_F(VethAgent, CountersOverRealTraffic) {
  constexpr std::uint64_t kDatagrams = 50;
  // Packets the kernel may send on va by itself inside the window (IPv6 router and neighbour
  // solicitations after link up, ARP): the agent's window is inside the test's, so it may see
  // fewer than the test's own reading by at most these.
  constexpr std::uint64_t kKernelOwnPackets = 8;
  const auto va_before = proc_net_dev(ns_a_, "va");
  const auto vb_before = proc_net_dev(ns_b_, "vb");
  ASSERT_EQ(va_before.size(), 4u);
  ASSERT_EQ(vb_before.size(), 4u);
  const std::uint64_t net_rx_before = proc_softirqs("NET_RX");
  const auto softnet_before = proc_softnet();
  // The CPU reading is the innermost, timed with it, so that the test's window exceeds the
  // agent's only by the agent's start and stop.
  const auto wall_start = std::chrono::steady_clock::now();
  const auto cpu_before = proc_stat_cpu_seconds();

  Agent agent(netns_agent_args(ns_a_, state_dir_.string()));
  agent.result("counters.start", {{"interface", "va"}, {"sample_interval_ms", 100}});
  // 50 UDP datagrams to the peer's discard port (bash's /dev/udp: no extra tools needed).
  in_a("for i in $(seq " + std::to_string(kDatagrams) +
       "); do echo x > /dev/udp/198.18.0.2/9; done; sleep 0.3");
  Json window = agent.result("counters.stop");

  const auto cpu_after = proc_stat_cpu_seconds();
  const double wall_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  const auto va_after = proc_net_dev(ns_a_, "va");
  const auto vb_after = proc_net_dev(ns_b_, "vb");
  const std::uint64_t net_rx_after = proc_softirqs("NET_RX");
  const auto softnet_after = proc_softnet();
  ASSERT_EQ(va_after.size(), 4u);
  ASSERT_EQ(vb_after.size(), 4u);

  // Link counters against /proc/net/dev on both ends of the veth: every datagram leaves va and
  // arrives at vb (the sink's own count), and the agent saw them all.
  const Json& link = window["details"]["link"];
  const std::uint64_t va_tx = va_after[3] - va_before[3];
  const std::uint64_t vb_rx = vb_after[1] - vb_before[1];
  const auto agent_tx = link["tx_packets"].get<std::uint64_t>();
  const auto agent_rx = link["rx_packets"].get<std::uint64_t>();
  EXPECT_GE(vb_rx, kDatagrams);
  EXPECT_GE(agent_tx, kDatagrams);
  EXPECT_LE(agent_tx, va_tx);
  EXPECT_LE(va_tx - agent_tx, kKernelOwnPackets) << "agent " << agent_tx << ", /proc " << va_tx;
  EXPECT_LE(agent_rx, va_after[1] - va_before[1]);
  EXPECT_GE(agent_rx, 1u);  // the ARP reply, the port-unreachable replies
  // Each datagram is 2 bytes of payload in UDP/IPv4/Ethernet: 44 bytes on the wire at least.
  EXPECT_GE(link["tx_bytes"].get<std::uint64_t>(), kDatagrams * 44);
  EXPECT_LE(link["tx_bytes"].get<std::uint64_t>(), va_after[2] - va_before[2]);

  // CPU figures: shares of the window's CPU time, 100 = one CPU, so within [0, 100 * CPUs]. As
  // CPU-seconds they are what /proc/stat counted around the window, give or take the time the
  // test's window is longer (agent start-up) and a few clock ticks per CPU.
  const Json& m = window["metrics"];
  const double cpus = std::stod(shell("nproc --all"));
  const double cpu_util = m["dut_cpu_util"].get<double>();
  const double softirq_util = m["dut_softirq_util"].get<double>();
  EXPECT_GE(cpu_util, 0.0);
  EXPECT_LE(cpu_util, 100.0 * cpus + 1e-9);
  EXPECT_GE(softirq_util, 0.0);
  EXPECT_LE(softirq_util, cpu_util + 1e-9);  // softirq time is part of busy time
  for (const auto& row : window["details"]["per_cpu"]) {
    EXPECT_GE(row["busy"].get<double>(), 0.0) << row;
    EXPECT_LE(row["busy"].get<double>(), 100.0 + 1e-9) << row;
  }
  EXPECT_LE(window["details"]["per_cpu"].size(), static_cast<std::size_t>(cpus));
  const double seconds = window["details"]["seconds"].get<double>();
  const double ticks = 3.0 * cpus / static_cast<double>(::sysconf(_SC_CLK_TCK));
  const double outside = (wall_s - seconds) * cpus;  // CPU-seconds the agent could not see
  const double busy_s = cpu_util / 100.0 * seconds, softirq_s = softirq_util / 100.0 * seconds;
  const double test_busy_s = cpu_after[0] - cpu_before[0];
  const double test_softirq_s = cpu_after[1] - cpu_before[1];
  EXPECT_LE(busy_s, test_busy_s + ticks) << "dut_cpu_util " << cpu_util << " over " << seconds;
  EXPECT_GE(busy_s, test_busy_s - outside - ticks)
      << "dut_cpu_util " << cpu_util << " over " << seconds;
  EXPECT_LE(softirq_s, test_softirq_s + ticks) << "dut_softirq_util " << softirq_util;
  EXPECT_GE(softirq_s, test_softirq_s - outside - ticks) << "dut_softirq_util " << softirq_util;

  // Softirq and softnet counts only grow, and the agent's window is inside the test's, so each
  // of its counts is at most what the test read around it (the kernel's, for the whole host).
  std::uint64_t agent_net_rx = 0, processed = 0;
  for (const auto& row : window["details"]["per_cpu"])
    agent_net_rx += row.value("net_rx_softirqs", std::uint64_t{0});
  for (const auto& row : window["details"]["softnet"])
    processed += row["processed"].get<std::uint64_t>();
  EXPECT_GE(net_rx_after, net_rx_before);
  EXPECT_GE(agent_net_rx, 1u) << "vb's backlog is drained in NET_RX";
  EXPECT_LE(agent_net_rx, net_rx_after - net_rx_before);
  EXPECT_GE(processed, kDatagrams) << "every datagram is received by vb's backlog";
  EXPECT_LE(processed, softnet_after[0] - softnet_before[0]);
  EXPECT_LE(m["dut_softnet_dropped"].get<std::uint64_t>(), softnet_after[1] - softnet_before[1]);
  EXPECT_LE(m["dut_time_squeeze"].get<std::uint64_t>(), softnet_after[2] - softnet_before[2]);
  // Interrupts per second are the interface's IRQ counts over the window (veth has none).
  double irq_total = 0;
  for (const auto& [irq, row] : window["details"]["irqs"].items())
    irq_total += row["total"].get<double>();

  // The window is the time between start and stop: at least the 0.3 s sleep, at most the test's.
  EXPECT_GE(seconds, 0.3);
  EXPECT_LE(seconds, wall_s);
  EXPECT_NEAR(m["dut_irq_per_s"].get<double>(), irq_total / seconds, 1e-6);
  EXPECT_TRUE(window["details"]["driver"].contains("peer_ifindex"));
  EXPECT_GE(window["details"]["samples"].size(), 1u);
}

}  // namespace
}  // namespace nictune

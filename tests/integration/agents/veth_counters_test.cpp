// The agent's counter windows over real traffic on the veth pair of VethAgent: every figure
// checked against the kernel's own files (/proc/net/dev, /proc/softirqs, softnet_stat,
// /proc/stat) read without the agent.
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <sstream>
#include <string>
#include <vector>

#include "veth_agent_fixture.hpp"

namespace nictune {
namespace {

using testing::Agent;
using testing::netns_agent_args;
using testing::shell;
using testing::VethAgent;

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

#include "agents/counters/counter_session.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "agents/counters/counter_window.hpp"
#include "core/errors.hpp"
#include "core/metrics.hpp"
#include "fake_host.hpp"

namespace nictune::agent {
namespace {

using testing::FakeHost;

TEST(CounterWindow, DeltasOverAFakeWindow) {
  FakeHost host(4);
  host.add_nic(testing::ixgbe_like(2, 60));
  testing::give_full_ethtool(host, "eth1", 2);
  KernelFiles files = host.files();
  SampleOptions options{"eth1", true, &host.ethtool};
  host.set_proc_counters(1);
  CounterSample a = take_counter_sample(files, options);
  host.set_proc_counters(3);
  host.write("sys/class/net/eth1/statistics/rx_packets", "5000\n");
  host.ethtool.device("eth1").stats[0].value += 700;
  CounterSample b = take_counter_sample(files, options);
  b.time = a.time + std::chrono::seconds(2);
  auto irqs = probe_nic_device(files, "eth1").irqs;
  Json window = counter_delta(a, b, irqs, "dut");
  const Json& m = window["metrics"];
  // Each CPU: busy 30 %, softirq 10 %; four CPUs.
  EXPECT_NEAR(m["dut_cpu_util"].get<double>(), 120.0, 1e-9);
  EXPECT_NEAR(m["dut_softirq_util"].get<double>(), 40.0, 1e-9);
  // Three IRQs (two queues + link) each +200 on CPU 0 over 2 s.
  EXPECT_NEAR(m["dut_irq_per_s"].get<double>(), 300.0, 1e-9);
  EXPECT_EQ(m["dut_softnet_dropped"], 4 * 2);
  EXPECT_EQ(m["dut_time_squeeze"], 4 * 4);
  for (const auto& [name, value] : m.items()) EXPECT_NE(find_metric(name), nullptr) << name;
  const Json& d = window["details"];
  EXPECT_EQ(d["per_cpu"].size(), 4u);
  EXPECT_NEAR(d["per_cpu"][1]["softirq"].get<double>(), 10.0, 1e-9);
  EXPECT_EQ(d["per_cpu"][2]["net_rx_softirqs"], 10);
  EXPECT_EQ(d["irqs"]["61"]["total"], 200);
  EXPECT_EQ(d["irqs"]["61"]["name"], "eth1-TxRx-1");
  EXPECT_EQ(d["irqs"]["61"]["per_cpu"]["0"], 200);
  EXPECT_EQ(d["softnet"][3]["processed"], 2000);
  EXPECT_EQ(d["link"]["rx_packets"], 5000);
  EXPECT_EQ(d["driver"]["rx_queue_0_packets"], 700);
  EXPECT_EQ(d["driver_queues"]["rx-0"]["packets"], 700);
}

TEST(CounterWindow, LgPrefixAndThirtyTwoBitWraps) {
  FakeHost host(1);
  KernelFiles files = host.files();
  SampleOptions options;
  host.write("proc/net/softnet_stat",
             "fffffff0 fffffffe 00000000 00000000 00000000 00000000 00000000 00000000 00000000 "
             "00000000 00000000\n");
  CounterSample a = take_counter_sample(files, options);
  host.write("proc/net/softnet_stat",
             "00000010 00000001 00000000 00000000 00000000 00000000 00000000 00000000 00000000 "
             "00000000 00000000\n");
  CounterSample b = take_counter_sample(files, options);
  Json window = counter_delta(a, b, {}, "lg");
  EXPECT_EQ(window["metrics"]["lg_softnet_dropped"], 3);
  EXPECT_EQ(window["details"]["softnet"][0]["processed"], 0x20);
  EXPECT_TRUE(window["metrics"].contains("lg_cpu_util"));
}

TEST(CounterWindow, QueueStatisticNames) {
  using P = std::pair<std::string, std::string>;
  EXPECT_EQ(split_queue_stat("rx_queue_3_packets"), (P{"rx-3", "packets"}));
  EXPECT_EQ(split_queue_stat("tx_queue_0_xdp_xmit"), (P{"tx-0", "xdp_xmit"}));
  EXPECT_EQ(split_queue_stat("rx12_bytes"), (P{"rx-12", "bytes"}));
  EXPECT_EQ(split_queue_stat("rx-3.packets"), (P{"rx-3", "packets"}));
  EXPECT_EQ(split_queue_stat("tx_packets"), std::nullopt);
  EXPECT_EQ(split_queue_stat("peer_ifindex"), std::nullopt);
  EXPECT_EQ(split_queue_stat("port.rx_bytes"), std::nullopt);
}

TEST(CounterSessionMethods, StartStopWithSamples) {
  FakeHost host(2);
  host.add_nic(testing::ixgbe_like(2, 60));
  CounterSession counters(host.files(), host.ethtool);
  EXPECT_THROW(counters.stop(Json::object()), Error);
  EXPECT_THROW(counters.start({{"sample_interval_ms", 3}}), Error);
  EXPECT_THROW(counters.start({{"sample_interval_ms", "1000"}}), Error);
  EXPECT_THROW(counters.start({{"interface", "../etc"}}), Error);
  EXPECT_THROW(counters.start({{"prefix", "xx"}}), Error);
  EXPECT_EQ(counters.start({{"interface", "eth1"}, {"sample_interval_ms", 20}})["ok"], true);
  host.set_proc_counters(1);
  std::this_thread::sleep_for(std::chrono::milliseconds(120));
  Json result = counters.stop(Json::object());
  EXPECT_TRUE(result["metrics"].contains("dut_cpu_util"));
  EXPECT_GE(result["details"]["samples"].size(), 2u);
  EXPECT_TRUE(result["details"]["samples"][0].contains("t_s"));
  EXPECT_GT(result["details"]["seconds"].get<double>(), 0.1);
  EXPECT_THROW(counters.stop(Json::object()), Error);
  // A window without an interface: host-wide counters only.
  counters.start({{"prefix", "lg"}});
  Json host_only = counters.stop(Json::object());
  EXPECT_TRUE(host_only["metrics"].contains("lg_cpu_util"));
  EXPECT_TRUE(host_only["details"]["link"].empty());
}

// A forwarding DUT's window: the ingress as "interface", the egress link's statistics beside
// it in details.links (its deltas, not its totals); a link that does not exist is refused.
TEST(CounterSessionMethods, FurtherLinksAreCountedBesideTheInterface) {
  FakeHost host(2);
  host.add_nic(testing::ixgbe_like(2, 60));
  host.write("sys/class/net/eth2/statistics/tx_packets", "1000\n");
  host.write("sys/class/net/eth2/statistics/rx_packets", "7\n");
  CounterSession counters(host.files(), host.ethtool);
  try {
    counters.start({{"interface", "eth1"}, {"links", {"eth2", "eth9"}}});
    ADD_FAILURE() << "a missing link was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("eth9"), std::string::npos) << e.what();
  }
  EXPECT_THROW(counters.start({{"links", "eth2"}}), Error);
  counters.start({{"interface", "eth1"}, {"links", {"eth2"}}});
  host.write("sys/class/net/eth2/statistics/tx_packets", "1500\n");
  const Json result = counters.stop(Json::object());
  EXPECT_EQ(result["details"]["links"]["eth2"]["tx_packets"], 500);
  EXPECT_EQ(result["details"]["links"]["eth2"]["rx_packets"], 0);
  // Without "links" the window has no such member.
  counters.start({{"interface", "eth1"}});
  EXPECT_FALSE(counters.stop(Json::object())["details"].contains("links"));
}

}  // namespace
}  // namespace nictune::agent

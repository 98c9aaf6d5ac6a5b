// rx_pps_per_cpu and cpu_ns_per_packet from a captured counter window, against the figures
// worked out by hand from the raw counters.
#include "core/cost_per_packet.hpp"

#include <gtest/gtest.h>

#include "agents/counters/counter_window.hpp"
#include "core/metrics.hpp"
#include "fake_host.hpp"

namespace nictune::agent {
namespace {

using testing::FakeHost;

TEST(CostPerPacket, FromCapturedCountersAgreesWithTheHandComputation) {
  FakeHost host(2);
  host.add_nic(testing::ixgbe_like(2, 60));
  KernelFiles files = host.files();
  SampleOptions options{"eth1", false, nullptr};
  // /proc/stat before and after (user nice system idle iowait irq softirq steal ...), jiffies.
  host.write("proc/stat",
             "cpu  0 0 0 0 0 0 0 0 0 0\n"
             "cpu0 1000 0 500 8000 0 0 300 0 0 0\n"
             "cpu1 2000 0 100 9000 0 0 0 0 0 0\nintr 0\nctxt 0\n");
  host.write("sys/class/net/eth1/statistics/rx_packets", "1000\n");
  CounterSample a = take_counter_sample(files, options);
  host.write("proc/stat",
             "cpu  0 0 0 0 0 0 0 0 0 0\n"
             "cpu0 1060 0 560 8040 0 0 340 0 0 0\n"
             "cpu1 2020 0 110 9170 0 0 0 0 0 0\nintr 0\nctxt 0\n");
  host.write("sys/class/net/eth1/statistics/rx_packets", "4001000\n");
  CounterSample b = take_counter_sample(files, options);
  b.time = a.time + std::chrono::seconds(2);
  Json window = counter_delta(a, b, {}, "dut");

  // By hand: cpu0 busy 60+60+40 = 160 of 200 jiffies (80 %), cpu1 busy 20+10 = 30 of 200 (15 %).
  // Over the 2 s window: 0.80*2 + 0.15*2 = 1.9 busy CPU-seconds. 4,000,000 packets arrived.
  // rx_pps_per_cpu = 4e6 / 1.9 = 2,105,263.16; cpu_ns_per_packet = 1.9e9 / 4e6 = 475 ns.
  auto cost = cost_per_packet(window["details"], 123);
  ASSERT_TRUE(cost.has_value());
  EXPECT_EQ(cost->packets_from, "interface");
  EXPECT_DOUBLE_EQ(cost->packets, 4000000);
  EXPECT_NEAR(cost->cpu_seconds, 1.9, 1e-9);
  EXPECT_NEAR(cost->rx_pps_per_cpu(), 2105263.1579, 1e-3);
  EXPECT_NEAR(cost->cpu_ns_per_packet(), 475.0, 1e-9);
  // The same CPU time seen as dut_cpu_util (95 %) and the packets as a rate agree.
  EXPECT_NEAR(window["metrics"]["dut_cpu_util"].get<double>(), 95.0, 1e-9);
  Json j = cost->to_json();
  EXPECT_NEAR(j["cpu_ns_per_packet"].get<double>(), 475.0, 1e-9);
  for (const char* name : {"rx_pps_per_cpu", "cpu_ns_per_packet"})
    EXPECT_NE(find_metric(name), nullptr) << name;
}

TEST(CostPerPacket, FallsBackToTheSinkCountAndRefusesToDivideByNothing) {
  // No interface counter (rx_packets 0): the sink's 50000 packets/s over the 2 s window.
  Json details = {{"seconds", 2.0},
                  {"per_cpu", Json::array({{{"busy", 50.0}}, {{"busy", 25.0}}})},
                  {"link", {{"rx_packets", 0}}}};
  auto cost = cost_per_packet(details, 50000);
  ASSERT_TRUE(cost.has_value());
  EXPECT_EQ(cost->packets_from, "sink");
  // 1.5 CPU-seconds for 100000 packets: 15000 ns each, 66666.67 packets per CPU-second.
  EXPECT_NEAR(cost->cpu_ns_per_packet(), 15000, 1e-9);
  EXPECT_NEAR(cost->rx_pps_per_cpu(), 66666.6667, 1e-3);
  EXPECT_FALSE(cost_per_packet(details, 0).has_value());
  Json idle = details;
  idle["per_cpu"] = Json::array({{{"busy", 0.0}}});
  EXPECT_FALSE(cost_per_packet(idle, 50000).has_value());
  EXPECT_FALSE(cost_per_packet(Json::object(), 50000).has_value());
}

}  // namespace
}  // namespace nictune::agent

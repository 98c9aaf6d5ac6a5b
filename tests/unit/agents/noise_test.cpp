// The noise diagnosis on captured /proc files (tests/data/agents/noise/README.md tells the
// story): which processes count as background, and the resulting metrics of a window.
#include <gtest/gtest.h>
#include <unistd.h>

#include "agents/counters/counter_window.hpp"
#include "agents/counters/process_times.hpp"
#include "core/errors.hpp"
#include "core/metrics.hpp"

namespace nictune::agent {
namespace {

std::string noise_root(const std::string& which) {
  return std::string(NICTUNE_SOURCE_DIR) + "/tests/data/agents/noise/" + which;
}

TEST(Noise, ParsesPidStatWithAnAwkwardComm) {
  const auto s = parse_pid_stat(
      "601 (a (weird) name) S 1 601 601 0 -1 4194560 100 0 0 0 40 2 0 0 20 0 1 0 26 0 0");
  EXPECT_EQ(s.pid, 601);
  EXPECT_EQ(s.comm, "a (weird) name");
  EXPECT_EQ(s.state, 'S');
  EXPECT_EQ(s.ppid, 1);
  EXPECT_EQ(s.utime, 40u);
  EXPECT_EQ(s.stime, 2u);
  EXPECT_THROW(parse_pid_stat("601 no comm here"), Error);
  EXPECT_THROW(parse_pid_stat("601 (x) S 1 2"), Error);
}

TEST(Noise, OwnWorkAndKernelThreadsAreNotBackground) {
  const auto t = read_process_times(KernelFiles("/nonexistent-sys", noise_root("before")));
  EXPECT_EQ(t.own, 1000u + 2000 + 50 + 70 + 5 + 5) << "the agent, its iperf3 and sockperf";
  EXPECT_EQ(t.other.size(), 3u) << "systemd, stress-ng, the weird one";
  EXPECT_TRUE(t.other.count(600));
  EXPECT_FALSE(t.other.count(2));
  EXPECT_FALSE(t.other.count(15)) << "ksoftirqd is a kernel thread";
  EXPECT_FALSE(t.other.count(501));
}

TEST(Noise, BackgroundTicksCountNewProcessesWhole) {
  const KernelFiles before("/nonexistent-sys", noise_root("before"));
  const KernelFiles after("/nonexistent-sys", noise_root("after"));
  EXPECT_EQ(background_ticks(read_process_times(before), read_process_times(after)), 3u + 288 + 9);
}

TEST(Noise, WindowMetricsSayHowBusyTheHostWas) {
  SampleOptions options;
  options.processes = true;
  CounterSample a =
      take_counter_sample(KernelFiles("/nonexistent-sys", noise_root("before")), options);
  CounterSample b =
      take_counter_sample(KernelFiles("/nonexistent-sys", noise_root("after")), options);
  b.time = a.time + std::chrono::seconds(3);
  const Json m = counter_delta(a, b, {}, "dut")["metrics"];
  // 600 ticks per CPU in the window: 300 background ticks are half a CPU, 100 steal a sixth.
  EXPECT_NEAR(m["dut_background_cpu_util"].get<double>(), 50.0, 1e-9);
  EXPECT_NEAR(m["dut_steal_util"].get<double>(), 100.0 / 6, 1e-9);
  // 3000 interrupts in 3 s, none of them the interface's (no IRQs given).
  EXPECT_NEAR(m["dut_other_irq_per_s"].get<double>(), 1000.0, 1e-9);
  for (const auto& [name, value] : m.items()) EXPECT_NE(find_metric(name), nullptr) << name;

  // The periodic samples do not walk the processes.
  options.processes = false;
  CounterSample light =
      take_counter_sample(KernelFiles("/nonexistent-sys", noise_root("after")), options);
  EXPECT_FALSE(light.processes);
  EXPECT_FALSE(counter_metrics(a, light, {}, "dut").contains("dut_background_cpu_util"));
}

TEST(Noise, TheRealProcIsReadable) {
  // This process is not an agent: it is somebody else's work as far as the diagnosis goes.
  const auto t = read_process_times(KernelFiles("/sys", "/proc"));
  EXPECT_TRUE(t.other.count(static_cast<int>(getpid())));
}

}  // namespace
}  // namespace nictune::agent

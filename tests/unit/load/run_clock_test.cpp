#include <gtest/gtest.h>

#include "agents/load/client_run.hpp"
#include "core/metrics.hpp"

namespace nictune::load {
namespace {

Workload make(double warmup, double duration, int interval_ms) {
  Workload w;
  w.warmup_s = warmup;
  w.duration_s = duration;
  w.interval_ms = interval_ms;
  return w;
}

TEST(RunClock, PhasesAndIntervals) {
  Workload w = make(1, 2.5, 1000);
  RunClock c = RunClock::starting_at(1000, w);
  EXPECT_EQ(c.measure_ns, 1000 + 1000000000);
  EXPECT_EQ(c.end_ns, c.measure_ns + 2500000000);
  EXPECT_EQ(c.intervals, 3u);
  EXPECT_DOUBLE_EQ(c.interval_seconds(0), 1.0);
  EXPECT_DOUBLE_EQ(c.interval_seconds(2), 0.5);

  PhaseTracker t(c);
  EXPECT_FALSE(t.update(1000));
  EXPECT_EQ(t.phase(), Phase::kWarmup);
  EXPECT_FALSE(t.update(c.measure_ns - 1));
  EXPECT_TRUE(t.update(c.measure_ns));
  EXPECT_EQ(t.phase(), Phase::kMeasure);
  EXPECT_EQ(t.interval(), 0u);
  EXPECT_FALSE(t.update(c.measure_ns + 999999999));
  EXPECT_TRUE(t.update(c.measure_ns + 1000000000));
  EXPECT_EQ(t.interval(), 1u);
  EXPECT_TRUE(t.update(c.measure_ns + 2400000000));
  EXPECT_EQ(t.interval(), 2u);
  EXPECT_EQ(t.next_boundary(), c.end_ns);
  EXPECT_TRUE(t.update(c.end_ns));
  EXPECT_EQ(t.phase(), Phase::kDone);
}

TEST(RunClock, ZeroWarmupStartsMeasuringAtOnce) {
  RunClock c = RunClock::starting_at(5, make(0, 1, 100));
  PhaseTracker t(c);
  EXPECT_TRUE(t.update(5));
  EXPECT_EQ(t.phase(), Phase::kMeasure);
  EXPECT_EQ(c.intervals, 10u);
}

TEST(Pacer, UnlimitedGivesFullBursts) {
  Pacer p(0, now_ns(), 32);
  std::int64_t now = now_ns();
  EXPECT_EQ(p.allow(now, now + 1000000), 32u);
}

TEST(Pacer, HoldsTheTargetRateAndSleepsAtLowRates) {
  // 2000 units/s for 0.3 s: about 600 units, and the thread mostly sleeps doing it.
  const std::int64_t start = now_ns();
  const std::int64_t end = start + 300000000;
  Pacer p(2000, start, 64);
  std::uint64_t sent = 0;
  double cpu0 = thread_cpu_seconds();
  for (std::int64_t now = now_ns(); now < end; now = now_ns()) {
    unsigned n = p.allow(now, end);
    p.sent(n);
    sent += n;
  }
  double cpu = thread_cpu_seconds() - cpu0;
  EXPECT_NEAR(static_cast<double>(sent), 600.0, 30.0);
  EXPECT_LT(cpu, 0.15) << "a 2000/s pacer should sleep, not spin";
}

TEST(Pacer, NeverWaitsPastTheLimit) {
  Pacer p(1, now_ns(), 1);  // one unit per second
  std::int64_t now = now_ns();
  EXPECT_EQ(p.allow(now, now + 1000), 1u);  // the first unit is due at the start
  p.sent(1);
  std::int64_t limit = now_ns() + 20000000;
  std::int64_t t = now_ns();
  EXPECT_EQ(p.allow(t, limit), 0u);
  EXPECT_LT(now_ns() - limit, 50000000);
}

TEST(Flows, SplitRoundRobinOverWorkers) {
  Workload w;
  w.flows = 5;
  w.threads = 2;
  EXPECT_EQ(flows_of_worker(w, 0), (std::vector<int>{0, 2, 4}));
  EXPECT_EQ(flows_of_worker(w, 1), (std::vector<int>{1, 3}));
}

TEST(ClientMetrics, NamesComeFromTheCatalog) {
  LatencyHistogram h;
  h.record(10000);
  Counts c;
  c.tx_packets = 10;
  c.rx_packets = 9;
  c.lost = 1;
  for (auto type : {WorkloadType::kUdpStream, WorkloadType::kUdpRr, WorkloadType::kTcpStream,
                    WorkloadType::kTcpRr, WorkloadType::kTcpCrr}) {
    Workload w;
    w.type = type;
    Json m = client_metrics(w, c, 1.0, &h);
    EXPECT_FALSE(m.empty());
    for (const auto& [name, value] : m.items()) EXPECT_NE(find_metric(name), nullptr) << name;
  }
}

}  // namespace
}  // namespace nictune::load

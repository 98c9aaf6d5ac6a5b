// search_bench's one- and two-objective problems: two NIC-shaped ones on 8 CPUs and a
// multi-queue NIC (one objective, and a throughput/latency trade-off), Branin and ZDT1.
#include <algorithm>
#include <cmath>

#include "core/pareto.hpp"
#include "tests/bench/strategies/problem.hpp"

namespace nictune::bench {
namespace {

// ---- NIC-shaped problem: 8 CPUs, a multi-queue NIC ---------------------------------------------
constexpr int kCpus = 8;

Space nic_space() {
  Space s;
  Parameter ch = param("channels.combined", ParamType::kInt);
  ch.min = 1;
  ch.max = 16;
  s.add(ch);
  Parameter irq = param("irq.affinity", ParamType::kCpuPolicy);
  irq.values = {"spread", "single:0", "local-node", "other-node"};
  s.add(irq);
  Parameter rps = param("rps", ParamType::kCpuPolicy);
  rps.values = {"none", "all", "spread", "local-node"};
  s.add(rps);
  Parameter flows = param("rfs.flow_cnt", ParamType::kOrdinal);
  flows.values = {0, 256, 1024, 4096, 32768};
  flows.when = Condition{"rps", {"none"}, true};
  s.add(flows);
  Parameter usecs = param("coalesce.rx_usecs", ParamType::kInt);
  usecs.min = 1;
  usecs.max = 256;
  usecs.log = true;
  s.add(usecs);
  Parameter rings = param("rings.rx", ParamType::kOrdinal);
  rings.values = {256, 512, 1024, 2048, 4096};
  s.add(rings);
  Parameter gro = param("offload.gro", ParamType::kBool);
  gro.values = {false, true};
  s.add(gro);
  return s;
}

struct NicConfig {
  int channels;
  std::string irq, rps;
  int flows, usecs, ring;
  bool gro;
};

NicConfig nic_decode(const Point& p) {
  return {p["channels.combined"].get<int>(), p["irq.affinity"].get<std::string>(),
          p["rps"].get<std::string>(),       p.value("rfs.flow_cnt", 0),
          p["coalesce.rx_usecs"].get<int>(), p["rings.rx"].get<int>(),
          p["offload.gro"].get<bool>()};
}

// rx Mpps and p99 RTT (us). Throughput grows with queues up to the CPU count, RPS spreads the
// softirq work only while queues < CPUs (and costs a little otherwise), RFS matters only with
// RPS, interrupt coalescing has an optimum near 48 us for throughput but adds latency, rings
// trade drops for buffering delay, GRO helps throughput, IRQs on one CPU or the far node hurt.
Vec nic_truth(const NicConfig& c) {
  const double per_queue = 0.25;
  int q = std::min(c.channels, kCpus);
  double queues = c.irq == "single:0" ? 1 + 0.15 * (q - 1) : q;
  double base = per_queue * queues;
  if (c.channels > kCpus) base *= 1 - 0.03 * (c.channels - kCpus);
  bool rps = c.rps != "none";
  if (rps) {
    double eff = c.rps == "spread" ? 0.7 : c.rps == "local-node" ? 0.6 : 0.45;
    if (queues < kCpus)
      base += per_queue * (kCpus - queues) * eff;
    else
      base *= 0.97;
    base *= 1 + 0.08 * std::log2(c.flows / 256.0 + 1) / std::log2(129.0);
  }
  if (c.irq == "local-node") base *= 0.95;
  if (c.irq == "other-node") base *= 0.8;
  double l = std::log(c.usecs / 48.0);
  double coalesce = 0.55 + 0.45 * std::exp(-0.5 * l * l);
  double ring = c.ring == 256    ? 0.85
                : c.ring == 512  ? 0.93
                : c.ring == 1024 ? 0.98
                : c.ring == 2048 ? 1.0
                                 : 0.99;
  double mpps = base * coalesce * ring * (c.gro ? 1.08 : 1.0);
  double p99 = 20 + c.usecs + 6.0 * c.ring / 1024 + (c.gro ? 4 : 0) + (rps ? 5 : 0) +
               30.0 / queues + (c.irq == "other-node" ? 8 : 0) + (c.irq == "single:0" ? 20 : 0);
  return {mpps, p99};
}

template <class Visit>
void for_each_nic(Visit visit) {
  const std::vector<std::string> irqs = {"spread", "single:0", "local-node", "other-node"};
  const std::vector<std::string> rpss = {"none", "all", "spread", "local-node"};
  const std::vector<int> flows = {0, 256, 1024, 4096, 32768}, rings = {256, 512, 1024, 2048, 4096};
  for (int ch = 1; ch <= 16; ++ch)
    for (const auto& irq : irqs)
      for (const auto& rps : rpss)
        for (std::size_t f = 0; f < (rps == "none" ? 1 : flows.size()); ++f)
          for (int us = 1; us <= 256; ++us)
            for (int ring : rings)
              for (bool gro : {false, true})
                visit(NicConfig{ch, irq, rps, flows[f], us, ring, gro});
}

}  // namespace

Problem nic_throughput() {
  Problem p;
  p.name = "nic-throughput";
  p.description =
      "maximise rx Mpps; 7 mixed parameters (int, log-int, CPU policies, conditioned ordinal, "
      "bool), 3% noise";
  p.space = nic_space();
  p.objectives = {{"rx_mpps", Goal::kMaximize}};
  p.truth = [](const Point& pt) { return Vec{nic_truth(nic_decode(pt))[0]}; };
  p.noise = {0.03};
  p.prepare = [](Problem& q) {
    q.reference = {0};
    double best = 0;
    for_each_nic([&](const NicConfig& c) { best = std::max(best, nic_truth(c)[0]); });
    q.best_hv = best;
  };
  return p;
}

Problem nic_tradeoff() {
  Problem p;
  p.name = "nic-tradeoff";
  p.description = "maximise rx Mpps, minimise p99 RTT; same space, 3%/5% noise";
  p.space = nic_space();
  p.objectives = {{"rx_mpps", Goal::kMaximize}, {"p99_rtt_us", Goal::kMinimize}};
  p.truth = [](const Point& pt) { return nic_truth(nic_decode(pt)); };
  p.noise = {0.03, 0.05};
  p.prepare = [](Problem& q) {
    q.reference = {0, 400};
    // The exact front: every configuration, swept by throughput.
    std::vector<Vec> all;
    for_each_nic([&](const NicConfig& c) {
      Vec v = nic_truth(c);
      all.push_back({-v[0], v[1]});
    });
    std::sort(all.begin(), all.end());
    std::vector<Vec> front;
    for (const auto& v : all) {
      if (front.empty() || v[1] < front.back()[1]) front.push_back(v);
    }
    q.best_hv = hypervolume(front, q.reference);
  };
  return p;
}

Problem branin() {
  Problem p;
  p.name = "branin";
  p.description = "minimise Branin on [-5,10]x[0,15], optimum 0.397887; reference 10";
  Parameter x1 = param("x1", ParamType::kFloat);
  x1.min = -5;
  x1.max = 10;
  Parameter x2 = param("x2", ParamType::kFloat);
  x2.min = 0;
  x2.max = 15;
  p.space.add(x1);
  p.space.add(x2);
  p.objectives = {{"f", Goal::kMinimize}};
  p.truth = [](const Point& pt) {
    double a = pt["x1"].get<double>(), b = pt["x2"].get<double>();
    double t = b - 5.1 / (4 * M_PI * M_PI) * a * a + 5 / M_PI * a - 6;
    return Vec{t * t + 10 * (1 - 1 / (8 * M_PI)) * std::cos(a) + 10};
  };
  p.noise = {0};
  p.prepare = [](Problem& q) {
    q.reference = {10};
    q.best_hv = 10 - 0.397887357729738;
  };
  return p;
}

Problem zdt1() {
  Problem p;
  p.name = "zdt1";
  p.description = "ZDT1, 6 variables in [0,1], two objectives; reference (1.1, 11)";
  for (int i = 1; i <= 6; ++i) {
    Parameter x = param("x" + std::to_string(i), ParamType::kFloat);
    x.min = 0;
    x.max = 1;
    p.space.add(x);
  }
  p.objectives = {{"f1", Goal::kMinimize}, {"f2", Goal::kMinimize}};
  p.truth = [](const Point& pt) {
    double f1 = pt["x1"].get<double>(), s = 0;
    for (int i = 2; i <= 6; ++i) s += pt["x" + std::to_string(i)].get<double>();
    double g = 1 + 9 * s / 5;
    return Vec{f1, g * (1 - std::sqrt(f1 / g))};
  };
  p.noise = {0, 0};
  p.prepare = [](Problem& q) {
    q.reference = {1.1, 11};
    // The front f2 = 1 - sqrt(f1): dominated area below the reference, integrated exactly.
    q.best_hv = 1.1 * 11 - (1 - 2.0 / 3.0);
  };
  return p;
}

}  // namespace nictune::bench

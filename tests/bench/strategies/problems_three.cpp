// Three-objective search_bench problems: DTLZ2, and two NIC-shaped ones whose spaces are small
// enough to enumerate, so their true Pareto fronts are exact.
//
// The NIC models are invented, not measured: they only have to pull the three objectives
// (a maximised rate, a minimised p99 latency, a minimised CPU cost) against each other the way
// real knobs do: coalescing buys throughput and CPU with latency, busy polling buys latency
// with CPU, more queues buy throughput with CPU, and the categorical CPU policies interact with
// the queue count.
#include <algorithm>
#include <cmath>

#include "core/pareto.hpp"
#include "tests/bench/strategies/problem.hpp"

namespace nictune::bench {

std::vector<Vec> pareto_front_of(std::vector<Vec> rows) {
  // Lexicographic order: no row can dominate one before it, so one pass against the front
  // found so far decides each row.
  std::sort(rows.begin(), rows.end());
  rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
  std::vector<Vec> front;
  for (const auto& r : rows) {
    bool dominated = false;
    for (const auto& f : front) {
      if (dominates(f, r)) {
        dominated = true;
        break;
      }
    }
    if (!dominated) front.push_back(r);
  }
  return front;
}

void set_front_reference(Problem& p, const std::vector<Vec>& front) {
  const std::size_t m = p.objectives.size();
  p.reference.assign(m, 0);
  for (std::size_t k = 0; k < m; ++k) {
    double lo = INFINITY, hi = -INFINITY;
    for (const auto& f : front) {
      lo = std::min(lo, f[k]);
      hi = std::max(hi, f[k]);
    }
    p.reference[k] = hi + 0.1 * std::max(hi - lo, 1e-9);
  }
  p.best_hv = hypervolume(front, p.reference);
}

namespace {

Vec minimised_truth(const Problem& p, const Point& point) {
  Vec v = p.truth(point);
  for (std::size_t k = 0; k < v.size(); ++k) {
    if (p.objectives[k].goal == Goal::kMaximize) v[k] = -v[k];
  }
  return v;
}

// Every point of a finite space without conditions or constraints, odometer order.
template <class Visit>
void for_each_point(const Space& space, Visit visit) {
  const auto& params = space.parameters();
  std::vector<std::vector<Json>> values;
  for (const auto& p : params) values.push_back(p.grid_values());
  std::vector<std::size_t> at(params.size(), 0);
  Point point = Json::object();
  while (true) {
    for (std::size_t i = 0; i < params.size(); ++i) point[params[i].name] = values[i][at[i]];
    visit(point);
    std::size_t i = 0;
    for (; i < params.size(); ++i) {
      if (++at[i] < values[i].size()) break;
      at[i] = 0;
    }
    if (i == params.size()) return;
  }
}

void prepare_by_enumeration(Problem& p) {
  std::vector<Vec> rows;
  for_each_point(p.space, [&](const Point& point) { rows.push_back(minimised_truth(p, point)); });
  set_front_reference(p, pareto_front_of(std::move(rows)));
}

}  // namespace

Problem dtlz2() {
  Problem p;
  p.name = "dtlz2";
  p.description = "DTLZ2, 6 variables in [0,1], three objectives, no noise; reference 1.1";
  for (int i = 1; i <= 6; ++i) {
    Parameter x = param("x" + std::to_string(i), ParamType::kFloat);
    x.min = 0;
    x.max = 1;
    p.space.add(x);
  }
  p.objectives = {{"f1", Goal::kMinimize}, {"f2", Goal::kMinimize}, {"f3", Goal::kMinimize}};
  p.truth = [](const Point& pt) {
    double x[7];
    for (int i = 1; i <= 6; ++i) x[i] = pt["x" + std::to_string(i)].get<double>();
    double g = 0;
    for (int i = 3; i <= 6; ++i) g += (x[i] - 0.5) * (x[i] - 0.5);
    double a = x[1] * M_PI / 2, b = x[2] * M_PI / 2;
    return Vec{(1 + g) * std::cos(a) * std::cos(b), (1 + g) * std::cos(a) * std::sin(b),
               (1 + g) * std::sin(a)};
  };
  p.noise = {0, 0, 0};
  p.prepare = [](Problem& q) {
    // The front is the unit sphere's positive octant: the cube minus an eighth of the ball.
    q.reference = {1.1, 1.1, 1.1};
    q.best_hv = 1.1 * 1.1 * 1.1 - M_PI / 6;
  };
  return p;
}

// ---- receive side: 8 CPUs on two NUMA nodes ---------------------------------------------------
Problem nic_rx_three() {
  Problem p;
  p.name = "nic-rx3";
  p.description =
      "maximise rx Mpps, minimise p99 us, minimise CPU cores; 9 parameters (int, 3 ordinals, "
      "3 CPU policies, 2 bools), 322560 points, 3% noise";
  Parameter ch = param("channels.combined", ParamType::kInt);
  ch.min = 1;
  ch.max = 16;
  p.space.add(ch);
  p.space.add(policy("irq.affinity", {"spread", "single:0", "local-node", "other-node"}));
  p.space.add(policy("rps", {"none", "all", "spread", "local-node"}));
  p.space.add(policy("xps", {"none", "spread", "local-node"}));
  p.space.add(ordinal("coalesce.rx_usecs", {0, 4, 16, 32, 64, 128, 256}));
  p.space.add(ordinal("rings.rx", {256, 512, 1024, 2048, 4096}));
  p.space.add(boolean("offload.gro"));
  p.space.add(boolean("coalesce.adaptive_rx"));
  p.space.add(ordinal("sysctl.net.core.busy_poll", {0, 50, 100}));
  p.objectives = {
      {"rx_mpps", Goal::kMaximize}, {"p99_us", Goal::kMinimize}, {"cpu_cores", Goal::kMinimize}};
  p.truth = [](const Point& pt) {
    const int cpus = 8;
    int channels = pt["channels.combined"].get<int>();
    std::string irq = pt["irq.affinity"], rps = pt["rps"], xps = pt["xps"];
    double usecs = pt["coalesce.rx_usecs"].get<double>();
    double ring = pt["rings.rx"].get<double>();
    bool gro = pt["offload.gro"], adaptive = pt["coalesce.adaptive_rx"];
    double busy = pt["sysctl.net.core.busy_poll"].get<double>();
    int q = std::min(channels, cpus);
    double queues = irq == "single:0" ? 1 + 0.15 * (q - 1) : q;
    double base = 0.25 * queues;
    if (channels > cpus) base *= 1 - 0.03 * (channels - cpus);
    bool spreads = rps != "none";
    if (spreads) {
      double eff = rps == "spread" ? 0.7 : rps == "local-node" ? 0.6 : 0.45;
      base = queues < cpus ? base + 0.25 * (cpus - queues) * eff : base * 0.97;
    }
    if (irq == "local-node") base *= 0.95;
    if (irq == "other-node") base *= 0.8;
    // Interrupt moderation: more usecs, fewer interrupts, more packets per poll.
    double effective_usecs = adaptive ? std::max(usecs, 24.0) : usecs;
    double coalesce = 0.55 + 0.45 * (1 - std::exp(-(effective_usecs + 1) / 14));
    double ring_factor = ring == 256 ? 0.85 : ring == 512 ? 0.93 : ring == 1024 ? 0.98 : 1.0;
    double mpps = base * coalesce * ring_factor * (gro ? 1.08 : 1.0) * (1 + 0.02 * busy / 100) *
                  (xps == "none" ? 0.97 : 1.0);
    double p99 = 14 + 0.9 * effective_usecs + (adaptive ? 6 : 0) + 5.0 * ring / 1024 +
                 (gro ? 4 : 0) + (spreads ? 5 : 0) + 30.0 / queues + (irq == "other-node" ? 8 : 0) +
                 (irq == "single:0" ? 20 : 0) +
                 (xps == "none"         ? 3
                  : xps == "local-node" ? -2
                                        : 0);
    p99 = std::max(6.0, p99 * (1 - 0.35 * busy / 100));
    double per_mpps = 0.9 * (1 + 3 / (effective_usecs + 2)) * (gro ? 0.85 : 1.0) *
                      (spreads ? 1.15 : 1.0) * (irq == "other-node" ? 1.1 : 1.0) *
                      (xps == "spread" ? 0.97 : 1.0);
    double cpu = mpps * per_mpps + 0.03 * channels + (busy > 0 ? q * busy / 100 * 0.4 : 0);
    return Vec{mpps, p99, cpu};
  };
  p.noise = {0.03, 0.03, 0.03};
  p.prepare = prepare_by_enumeration;
  return p;
}

// ---- transmit side: a 25 Gb/s NIC, bulk TCP ---------------------------------------------------
Problem nic_tx_three() {
  Problem p;
  p.name = "nic-tx3";
  p.description =
      "maximise tx Gb/s, minimise p99 us, minimise CPU cores; 9 parameters (int, 3 ordinals, "
      "2 CPU policies, a qdisc, 2 bools), 294912 points, 3% noise";
  Parameter ch = param("channels.combined", ParamType::kInt);
  ch.min = 1;
  ch.max = 8;
  p.space.add(ch);
  p.space.add(policy("xps", {"none", "spread", "local-node", "single:0"}));
  p.space.add(policy("irq.affinity", {"spread", "local-node", "other-node"}));
  Parameter discipline = param("qdisc", ParamType::kCategorical);
  discipline.values = {"pfifo_fast", "fq", "fq_codel", "mq"};
  p.space.add(discipline);
  p.space.add(ordinal("coalesce.tx_usecs", {0, 8, 32, 128}));
  p.space.add(ordinal("rings.tx", {256, 1024, 4096}));
  p.space.add(boolean("offload.tso"));
  p.space.add(boolean("offload.gso"));
  p.space.add(ordinal("sysctl.net.ipv4.tcp_limit_output_bytes", {65536, 262144, 1048576, 4194304}));
  p.objectives = {
      {"tx_gbps", Goal::kMaximize}, {"p99_us", Goal::kMinimize}, {"cpu_cores", Goal::kMinimize}};
  p.truth = [](const Point& pt) {
    int channels = pt["channels.combined"].get<int>();
    std::string xps = pt["xps"], irq = pt["irq.affinity"], qdisc = pt["qdisc"];
    double usecs = pt["coalesce.tx_usecs"].get<double>();
    double ring = pt["rings.tx"].get<double>();
    bool tso = pt["offload.tso"], gso = pt["offload.gso"];
    double tlob = pt["sysctl.net.ipv4.tcp_limit_output_bytes"].get<double>();
    double queues = xps == "single:0" ? 1 + 0.2 * (channels - 1) : channels;
    double segmentation = tso ? 1.0 : gso ? 0.7 : 0.45;
    double gbps = std::min(25.0, 5.5 * queues * segmentation);
    gbps *= qdisc == "fq" ? 1.0 : qdisc == "fq_codel" ? 0.97 : qdisc == "mq" ? 1.02 : 0.99;
    gbps *= tlob <= 65536 ? 0.78 : tlob <= 262144 ? 0.94 : 1.0;
    gbps *= usecs == 0 ? 0.86 : usecs == 8 ? 0.95 : 1.0;
    gbps *= ring == 256 ? 0.9 : 1.0;
    gbps *= irq == "other-node" ? 0.85 : irq == "spread" ? 0.97 : 1.0;
    gbps *= xps == "none" && channels > 1 ? 0.9 : xps == "local-node" ? 0.98 : 1.0;
    // Bytes queued below TCP wait their turn: TSQ's limit and the ring, less with fq/fq_codel.
    double queued_us = tlob / 4000 + ring / 40;
    double bloat = qdisc == "fq_codel" ? 0.45 : qdisc == "fq" ? 0.6 : 1.0;
    double p99 = 25 + 0.8 * usecs + bloat * queued_us + (irq == "other-node" ? 10 : 0) +
                 (xps == "none" ? 8 : 0) + (tso ? 3 : 0);
    double per_gbps = 0.09 *
                      (tso   ? 1.0
                       : gso ? 1.6
                             : 2.5) *
                      (usecs == 0    ? 1.4
                       : usecs == 8  ? 1.15
                       : usecs == 32 ? 1.0
                                     : 0.95) *
                      (irq == "other-node" ? 1.2 : 1.0);
    double cpu = gbps * per_gbps +
                 (qdisc == "fq"         ? 0.3
                  : qdisc == "fq_codel" ? 0.15
                                        : 0) +
                 (xps == "none" ? 0.05 * channels : 0) + 0.04 * channels;
    return Vec{gbps, p99, cpu};
  };
  p.noise = {0.03, 0.03, 0.03};
  p.prepare = prepare_by_enumeration;
  return p;
}

}  // namespace nictune::bench

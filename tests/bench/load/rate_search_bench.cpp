// rate_search_bench: trial-seconds the rate search spends to reach a precision, against a plain
// binary search with full-length trials on the same simulated link (a token-bucket policer of
// known rate and burst in front of a perfect sink), over link rates spread across the range.
// Prints one row per link rate and the totals; docs/performance.md records the figures.
//
//   rate_search_bench [precision] [full_duration_s] [--steps]   (--steps: every step, as JSON)
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "core/rate_search.hpp"

namespace {

using nictune::RateMeasurement;

// A policer whose rate, with `jitter` > 0, varies from trial to trial (relative standard
// deviation `jitter`, fixed seed): a DUT whose capacity wanders with what else runs on it.
struct Policer {
  double rate;
  double burst;  // packets
  double jitter = 0;
  std::mt19937_64 random{42};
  RateMeasurement operator()(double offered, double duration) {
    double capacity = rate;
    if (jitter > 0) capacity *= 1 + jitter * std::normal_distribution<double>(0, 1)(random);
    RateMeasurement m;
    m.duration_s = duration;
    m.sent = static_cast<std::uint64_t>(std::llround(offered * duration));
    m.received = static_cast<std::uint64_t>(std::min<double>(m.sent, capacity * duration + burst));
    return m;
  }
};

struct Outcome {
  double rate = 0;
  double trial_seconds = 0;
  int trials = 0;
};

// The peer: bisection between min and max, every trial at the full duration; max first.
Outcome binary_search(Policer link, double min_pps, double max_pps, double precision,
                      double duration) {
  Outcome out;
  auto passes = [&](double rate) {
    ++out.trials;
    out.trial_seconds += duration;
    RateMeasurement m = link(rate, duration);
    return m.received >= m.sent;
  };
  if (passes(max_pps)) {
    out.rate = max_pps;
    return out;
  }
  double lo = min_pps, hi = max_pps;
  if (!passes(lo)) return out;
  while ((hi - lo) / hi > precision) {
    double mid = (lo + hi) / 2;
    (passes(mid) ? lo : hi) = mid;
  }
  out.rate = lo;
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  const double precision = argc > 1 ? std::atof(argv[1]) : 0.01;
  const double duration = argc > 2 ? std::atof(argv[2]) : 10;
  const bool show_steps = argc > 3 && std::string(argv[3]) == "--steps";
  nictune::RateSearchSpec spec;
  spec.min_pps = 1e4;
  spec.max_pps = 1e7;
  spec.precision = precision;
  spec.initial_trial_s = 1;
  spec.phases = 3;
  std::printf(
      "rate search vs binary search, precision %.3g, full trial %.3g s, range %.0f-%.0f pps\n",
      precision, duration, spec.min_pps, spec.max_pps);
  int worst_violations = 0;
  for (double jitter : {0.0, 0.003}) {
    std::printf("\nlink: policer, burst 1 ms of traffic, capacity jitter %.1f %% per trial\n",
                jitter * 100);
    std::printf("%12s %10s %7s %10s %10s %7s %10s %7s\n", "link_pps", "search_s", "trials",
                "search_err", "binary_s", "trials", "binary_err", "ratio");
    double search_total = 0, binary_total = 0;
    std::size_t search_trials = 0, binary_trials = 0;
    std::vector<double> rates;
    for (double r = 15000; r < 9.9e6; r *= 1.37) rates.push_back(r);
    for (double rate : rates) {
      // A burst of 1 ms of traffic: what a policer needs to pass a paced stream.
      Policer link{rate, rate * 0.001, jitter};
      auto measure = [&](double offered, double d) { return link(offered, d); };
      nictune::RateSearchResult s = nictune::run_rate_search(spec, duration, false, measure);
      if (show_steps) std::printf("%s\n", s.to_json().dump().c_str());
      Outcome b = binary_search(Policer{rate, rate * 0.001, jitter}, spec.min_pps, spec.max_pps,
                                precision, duration);
      const double search_err = (s.rate_pps - rate) / rate;
      const double binary_err = (b.rate - rate) / rate;
      // Both must land within the precision (the burst lets a rate up to burst/duration above
      // pass).
      const double slack = precision + 0.001 / duration + 3 * jitter;
      if (std::fabs(search_err) > slack || std::fabs(binary_err) > slack || !s.complete)
        ++worst_violations;
      search_total += s.trial_seconds();
      binary_total += b.trial_seconds;
      search_trials += s.steps.size();
      binary_trials += static_cast<std::size_t>(b.trials);
      std::printf("%12.0f %10.1f %7zu %+10.4f %10.1f %7d %+10.4f %7.2f\n", rate, s.trial_seconds(),
                  s.steps.size(), search_err, b.trial_seconds, b.trials, binary_err,
                  s.trial_seconds() / b.trial_seconds);
    }
    std::printf("total trial-seconds: rate search %.1f, binary search %.1f, ratio %.2f\n",
                search_total, binary_total, search_total / binary_total);
    // Each real trial also runs a warm-up and starts and stops a server: 1 s more per trial.
    std::printf("with 1 s of warm-up per trial: rate search %.1f, binary search %.1f, ratio %.2f\n",
                search_total + static_cast<double>(search_trials),
                binary_total + static_cast<double>(binary_trials),
                (search_total + static_cast<double>(search_trials)) /
                    (binary_total + static_cast<double>(binary_trials)));
    std::printf("results outside the precision: %d of %zu\n", worst_violations, rates.size());
  }
  return worst_violations == 0 ? 0 : 1;
}

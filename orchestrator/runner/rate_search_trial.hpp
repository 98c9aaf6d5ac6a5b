// A trial whose workload carries rate_search: the rate search (core/rate_search.hpp)
// driving real load measurements, one full server/counters/load cycle per search step, each at
// the step's offered rate and duration.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "core/json_util.hpp"
#include "core/rate_search.hpp"
#include "core/workload.hpp"

namespace nictune {

// What one load measurement brought back: merged load metrics and the raw answers.
struct LoadRun {
  std::map<std::string, double> metrics;
  Json client = Json::object();
  Json served = Json::object();
  Json dut_counters = Json::object();
  Json lg_counters = Json::object();
  Json profile;  // the DUT's folded stacks, when the measurement was profiled
};

// Runs one measurement of a workload document (rate_pps and duration_s set, no rate_search).
using LoadOnce = std::function<LoadRun(const Json& workload)>;

struct RateSearchTrial {
  RateSearchResult result;
  // The measurement that established the found rate (the full-length pass at it), or the last
  // one when nothing passed: its metrics and counters stand for the trial.
  LoadRun run;
  // rate_search.latency_at: one full-length run per fraction of the found rate, its RTT
  // percentiles as "rtt_p99_us_at_50pct_ndr" and each run's figures in `latency`.
  std::map<std::string, double> latency_metrics;
  Json latency = Json::array();
};

// The workload a search step runs: the spec's workload without rate_search, at `offered_pps` for
// `duration_s`.
Json rate_step_workload(const Json& workload, double offered_pps, double duration_s);

// `workload` parsed (it has rate_search), `document` the same as JSON. After the search, the
// latency runs rate_search.latency_at asks for (none when nothing passed).
RateSearchTrial run_rate_search_trial(const Workload& workload, const Json& document,
                                      const LoadOnce& load_once);

// What one rate-search trial is likely to take, for the plan: 3 steps in the first phase and 2
// in each later one (what rate_search_bench sees on a policer), each with its warm-up and
// `step_overhead_s` of server and counter calls.
double rate_search_seconds_estimate(const Workload& workload, double step_overhead_s);

}  // namespace nictune

// Which metrics only a rate search produces (ndr_pps, pdr_pps, and the RTT percentiles measured
// at fractions of the found rate, "rtt_p99_us_at_50pct_pdr"), and whether a workload document
// produces them: the spec validator refuses an objective the workload can never measure.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/json_util.hpp"

namespace nictune {

// "" when `metric` can come out of `workload` as far as the rate search is concerned; else why
// not (ndr_pps asked of a workload without rate_search, or of one searching for the PDR).
std::string rate_metric_problem(const Json& workload, std::string_view metric);

// The fractions of the found rate rate_search.latency_at may name: CSIT's 10, 50 and 90 % of the
// PDR (its 0 % is an idle link: a plain udp_rr run).
const std::vector<int>& latency_percents();
// The RTT percentiles reported at each fraction.
const std::vector<std::string>& latency_rtt_metrics();
// "rtt_p99_us_at_50pct_ndr".
std::string latency_metric_name(std::string_view rtt_metric, int percent,
                                std::string_view criterion);
// The percents a workload document's rate_search.latency_at asks for (validated already).
std::vector<int> latency_at_percents(const Json& workload);

}  // namespace nictune

// Which metrics only a rate search produces (ndr_pps, pdr_pps), and whether a workload document
// produces them: the spec validator refuses an objective the workload can never measure.
#pragma once

#include <string>
#include <string_view>

#include "core/json_util.hpp"

namespace nictune {

// "" when `metric` can come out of `workload` as far as the rate search is concerned; else why
// not (ndr_pps asked of a workload without rate_search, or of one searching for the PDR).
std::string rate_metric_problem(const Json& workload, std::string_view metric);

}  // namespace nictune

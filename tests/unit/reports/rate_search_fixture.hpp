// An experiment whose workload is an NDR rate search with latency at 50 % and 90 % of the found
// rate, written through the real Store: the baseline and rps=all, two repetitions each, every
// search step a bisection against a link of known capacity (what the rate-search report shows).
#pragma once

#include <cstdint>

#include "orchestrator/store/store.hpp"

namespace nictune::testing {

// The link's capacity in packets/s at each configuration: what each search converges to.
inline constexpr double kBaselineCapacityPps = 412000;
inline constexpr double kRpsAllCapacityPps = 618000;

std::int64_t add_rate_search_experiment(Store& store);

}  // namespace nictune::testing

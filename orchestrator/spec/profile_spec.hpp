// The optional "profile" section of a spec: after the search, measure the best point(s) and the
// baseline once more with the DUT's CPUs sampled by perf (cpu-clock), and keep the folded
// stacks per CPU. Documented in docs/spec.md ("profile").
#pragma once

#include <cstdint>

#include "core/issues.hpp"
#include "core/json_util.hpp"

namespace nictune {

struct ProfileSpec {
  bool enabled = false;   // the section is present
  double duration_s = 5;  // sampling time, within the workload's measured time
  int points = 1;         // "best" = 1: the best configurations profiled (plus baseline)
  int frequency_hz = 99;  // samples per second per CPU
  std::int64_t max_bytes = 16 << 20;  // perf.data cap and folded-stacks cap per profile
};

// Reads doc["profile"] (if present) into `out`; every problem goes to `issues` with its path
// ("profile.duration_s: expected a number from 0.1 to ..."). The workload's duration_s bounds
// the duration: sampling longer than the load would profile an idle host.
void parse_profile(const Json& doc, const Json& workload, ProfileSpec& out, Issues& issues);

}  // namespace nictune

// The workload's "rate_search" object: instead of one run at a fixed offered rate, each trial
// searches the offered rate for the highest one whose loss meets a criterion (RFC 2544
// throughput / FD.io CSIT NDR: no loss; PDR: a loss ratio such as 0.005). Parsed and validated
// here so the spec validator and the runner read it the same way; the search itself is
// core/rate_search.hpp.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/issues.hpp"
#include "core/json_util.hpp"

namespace nictune {

enum class LossCriterion { kNdr, kPdr };
std::string_view to_string(LossCriterion criterion);

struct RateSearchSpec {
  LossCriterion criterion = LossCriterion::kNdr;
  double loss_ratio = 0;       // a trial passes when lost/sent <= this (ndr: 0)
  double precision = 0.01;     // stop when (upper - lower) / upper <= this
  double min_pps = 1000;       // lowest rate tried; failing there reports 0
  double max_pps = 0;          // highest rate tried (required)
  double initial_trial_s = 1;  // first phase's trial duration (at most duration_s)
  int phases = 3;              // durations grow geometrically from initial_trial_s to duration_s
  int max_trials = 60;         // bound on search steps per point

  // "ndr_pps" or "pdr_pps": the metric the found rate is reported as.
  std::string metric_name() const;
  Json to_json() const;
};

// Field names of the rate_search object.
const std::vector<std::string>& rate_search_field_names();

// Reads `doc` (the rate_search object at `path`) into `out`, adding one issue per problem.
// `duration_s` is the workload's (the final trial duration); the caller checks what depends on
// the workload's type and tool.
void read_rate_search(const Json& doc, const std::string& path, double duration_s, Issues& issues,
                      RateSearchSpec& out);

}  // namespace nictune

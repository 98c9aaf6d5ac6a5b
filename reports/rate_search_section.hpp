// The "Rate search" part of a report (workload rate_search: NDR/PDR found per point): for the
// baseline and the best point, each search step (offered against received, passed or not, the
// loss criterion, the found rate) and the latency measured at fractions of the found rate.
// html draws the steps as an inline SVG plot; text, md and json carry the same figures.
#pragma once

#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "core/json_util.hpp"
#include "reports/report.hpp"

namespace nictune::report {

struct RateStepView {
  int phase = 0;
  double offered_pps = 0;
  double received_pps = 0;  // received packets over the measured window
  double loss_ratio = 0;
  double duration_s = 0;
  bool passed = false;
};

// One latency run at a fraction of the found rate.
struct LatencyAtLoad {
  int percent = 0;
  double offered_pps = 0;
  double lost_packets = 0;
  std::map<std::string, double> rtt_us;  // "rtt_p50_us", "rtt_p99_us", ... as measured
};

struct RateSearchEntry {
  std::string label;  // "baseline", "best"
  std::string config;
  std::int64_t trial_id = 0;  // the repetition shown: the one with the median found rate
  std::size_t repetitions = 0;
  double rate_pps = 0;   // found (0: nothing passed)
  double upper_pps = 0;  // lowest failing rate (0: none failed)
  bool complete = false;
  std::vector<RateStepView> steps;
  std::vector<LatencyAtLoad> latency;
};

struct RateSearchSection {
  std::string criterion;  // "ndr" or "pdr"
  double loss_ratio = 0;  // the criterion's bound
  double precision = 0;
  std::vector<RateSearchEntry> entries;  // baseline first, then the best point
  bool empty() const { return entries.empty(); }
};

// Empty when the experiment's workload has no rate_search or no trial recorded one.
RateSearchSection rate_search_section(const Report& report);

// Steps and latency-at-load tables; markdown: pipe tables, otherwise text within 100 columns.
void rate_search_tables(const RateSearchSection& section, std::ostream& out, bool markdown);
Json rate_search_json(const RateSearchSection& section);
// <section id="rate-search"> with one plot per entry (data-plot="rate-search") and the tables.
std::string rate_search_html(const RateSearchSection& section);

}  // namespace nictune::report

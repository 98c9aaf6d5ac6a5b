// The "Profiles" part of a report: for each profile trial (spec "profile": the baseline and the
// best point(s) measured once more under perf), where each DUT CPU's time went by category, and
// in html one flame graph per CPU. Also says why there are none when perf could not sample.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "core/folded_profile.hpp"
#include "core/json_util.hpp"
#include "reports/profile_breakdown.hpp"
#include "reports/report.hpp"

namespace nictune::report {

struct ProfileEntry {
  std::string label;   // "baseline", "best #1"
  std::string config;  // what differs from the baseline ("rps=all app.cpus=single:1")
  bool baseline = false;
  std::string error;  // the profile trial failed: why
  FoldedProfile profile;
  std::vector<CpuBreakdown> cpus;
};

struct ProfileSection {
  bool requested = false;             // the spec has a "profile" section
  std::string perf_unavailable;       // the DUT's probe said perf cannot sample here, and why
  std::vector<ProfileEntry> entries;  // baseline first, then the best points in order
  bool empty() const { return !requested && entries.empty(); }
};

ProfileSection profile_section(const Report& report);

// A table per profiled configuration: one row per CPU, the share of samples per category.
// markdown: pipe tables; otherwise plain text within 100 columns.
void profile_tables(const ProfileSection& section, std::ostream& out, bool markdown);
// {"requested", "perf_unavailable", "profiles": [{"label", "config", "baseline", "error",
//  "samples", "truncated", "cpus": [{"cpu", "samples", "shares": {"net_rx": 0.4, ...}}]}]}
// The stacks themselves are in the store and in json's "profile_trials" details.
Json profile_json(const ProfileSection& section);
// <section id="profiles"> with the tables and per-CPU flame graphs (inline SVG).
std::string profile_html(const ProfileSection& section);

}  // namespace nictune::report

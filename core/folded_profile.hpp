// A CPU profile folded per CPU: for each CPU, distinct call stacks ("comm;outer;...;leaf",
// kernel frames suffixed "_[k]") with how many samples each got. The agent builds it from perf,
// the store keeps it as JSON, reports draw flame graphs and breakdowns from it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/json_util.hpp"

namespace nictune {

struct CpuStacks {
  unsigned cpu = 0;
  std::uint64_t samples = 0;
  std::vector<std::pair<std::string, std::uint64_t>> stacks;  // most sampled first
};

struct FoldedProfile {
  std::vector<CpuStacks> cpus;  // ascending CPU number, only CPUs with samples
  std::uint64_t samples = 0;
  std::uint64_t malformed = 0;  // sample records that did not parse (counted, skipped)
  bool truncated = false;       // a size limit merged or cut stacks
};

// The frame that stands for stacks a size limit merged away.
inline constexpr std::string_view kOtherStacks = "[other stacks]";
// Suffix of kernel frames.
inline constexpr std::string_view kKernelSuffix = "_[k]";

// {"samples", "malformed", "truncated", "cpus": [{"cpu", "samples", "stacks": [[s, n], ...]}]}
Json to_json(const FoldedProfile& profile);
// Throws Error(kInvalid) naming the field when the JSON is not such a profile.
FoldedProfile folded_profile_from_json(const Json& json);

}  // namespace nictune

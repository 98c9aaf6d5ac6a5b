// Folds `perf script` text into a FoldedProfile. The text is what
// `perf script -F comm,pid,tid,cpu,ip,sym` prints (perf's documented text format): a header line
// per sample ("comm pid/tid [cpu]", the command name may hold spaces), then one frame a line
// (whitespace, hex address, symbol or "[unknown]"), leaf first, then a blank line. Frames at
// kernel addresses (upper half) are suffixed "_[k]".
#pragma once

#include <cstddef>
#include <string_view>

#include "core/folded_profile.hpp"

namespace nictune::profile {

struct FoldLimits {
  std::size_t max_depth = 64;            // frames kept per stack (root side), deeper ones cut
  std::size_t max_stacks_per_cpu = 400;  // the most sampled stacks; the rest merge into one
  std::size_t max_bytes = 4u << 20;      // folded text over all CPUs; lowers the above to fit
};

FoldedProfile fold_perf_script(std::string_view text, const FoldLimits& limits = {});

}  // namespace nictune::profile

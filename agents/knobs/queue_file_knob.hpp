// Knobs that are one sysfs file per queue: queues/rx-N/rps_cpus, queues/rx-N/rps_flow_cnt,
// queues/tx-N/xps_cpus. The state is {"rx-0": VALUE, ...} for every queue present: a CPU list
// string for masks, an integer for counts.
#pragma once

#include "agents/knobs/knob.hpp"

namespace nictune::agent {

struct QueueFileSpec {
  const char* direction;  // "rx" or "tx"
  const char* file;       // "rps_cpus"
  enum class Kind { kCpuMask, kCount } kind;
  long long max_count = 0;        // kCount: largest value accepted
  bool rounds_to_pow2 = false;    // kCount: the kernel keeps roundup_pow_of_two(value)
  bool skips_isolated = false;    // kCpuMask: the kernel drops isolated CPUs (RPS, 5.9+)
  const char* missing_hint = "";  // said when the file does not exist
};

std::unique_ptr<Knob> make_queue_file_knob(const KnobInfo& info, const QueueFileSpec& spec);

}  // namespace nictune::agent

// Knobs that are one sysfs file per queue: queues/rx-N/rps_cpus, queues/rx-N/rps_flow_cnt,
// queues/tx-N/xps_cpus, queues/tx-N/xps_rxqs. The state is {"rx-0": VALUE, ...} for every
// queue present: a CPU list string for CPU masks, a queue list string ("0-1") for queue masks,
// an integer for counts.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "agents/knobs/knob.hpp"
#include "core/cpu_set.hpp"

namespace nictune::agent {

struct QueueFileSpec {
  const char* direction;  // "rx" or "tx"
  const char* file;       // "rps_cpus"
  // kQueueMask: a bitmap of the queues of the other direction (xps_rxqs: rx queues), which
  // kernel prints in the same hex format as CPU masks.
  enum class Kind { kCpuMask, kCount, kQueueMask } kind;
  long long max_count = 0;        // kCount: largest value accepted
  bool rounds_to_pow2 = false;    // kCount: the kernel keeps roundup_pow_of_two(value)
  bool skips_isolated = false;    // kCpuMask: the kernel drops isolated CPUs (RPS, 5.9+)
  const char* missing_hint = "";  // said when the file does not exist
  // kQueueMask: the queues of the other direction each of `queues` queues maps to (one set per
  // queue, queue numbers as set members) for a requested value; throws invalid naming `knob`
  // for a value it does not know. Sets naming queues beyond `other_queues` are refused after.
  std::vector<CpuSet> (*map_queues)(const std::string& knob, const Json& requested,
                                    std::size_t queues, unsigned other_queues) = nullptr;
  std::vector<std::string> choices = {};  // kQueueMask: the values, for the range
};

std::unique_ptr<Knob> make_queue_file_knob(const KnobInfo& info, const QueueFileSpec& spec);

}  // namespace nictune::agent

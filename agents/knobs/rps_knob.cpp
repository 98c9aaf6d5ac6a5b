// rps: receive packet steering, one CPU mask per rx queue (queues/rx-N/rps_cpus).
#include "agents/knobs/queue_file_knob.hpp"
#include "agents/knobs/registry.hpp"

namespace nictune::agent {

std::unique_ptr<Knob> make_rps_knob(const KnobInfo& info) {
  return make_queue_file_knob(info, {.direction = "rx",
                                     .file = "rps_cpus",
                                     .kind = QueueFileSpec::Kind::kCpuMask,
                                     .skips_isolated = true,
                                     .missing_hint = "kernel built without CONFIG_RPS"});
}

}  // namespace nictune::agent

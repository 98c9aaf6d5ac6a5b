// xps: transmit packet steering, one CPU mask per tx queue (queues/tx-N/xps_cpus). Single-queue
// devices (lo) have no xps_cpus file.
#include "agents/knobs/queue_file_knob.hpp"
#include "agents/knobs/registry.hpp"

namespace nictune::agent {

std::unique_ptr<Knob> make_xps_knob(const KnobInfo& info) {
  return make_queue_file_knob(
      info, {.direction = "tx",
             .file = "xps_cpus",
             .kind = QueueFileSpec::Kind::kCpuMask,
             .missing_hint = "a single-queue device, or a kernel without CONFIG_XPS"});
}

}  // namespace nictune::agent

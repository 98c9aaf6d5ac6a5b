// rfs.flow_cnt: the per-rx-queue RFS flow table (queues/rx-N/rps_flow_cnt). The kernel keeps
// roundup_pow_of_two(value); the cap keeps one request from allocating gigabytes.
#include "agents/knobs/queue_file_knob.hpp"
#include "agents/knobs/registry.hpp"

namespace nictune::agent {

std::unique_ptr<Knob> make_rfs_flow_cnt_knob(const KnobInfo& info) {
  return make_queue_file_knob(info,
                              {.direction = "rx",
                               .file = "rps_flow_cnt",
                               .kind = QueueFileSpec::Kind::kCount,
                               .max_count = 1 << 20,
                               .rounds_to_pow2 = true,
                               .missing_hint = "kernel built without CONFIG_RFS_ACCEL/CONFIG_RPS"});
}

}  // namespace nictune::agent

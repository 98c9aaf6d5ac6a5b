// Samples every CPU of the host with `perf record -e cpu-clock -a -g` (a software clock: VMs
// without a hardware PMU have it too) for a bounded time and data size, then folds
// `perf script` into per-CPU stacks. One recording at a time; a recording still running when
// the agent ends is killed with it (the child dies with its keeper, see ChildProcess).
#pragma once

#include <memory>
#include <string>

#include "agents/profile/perf_fold.hpp"
#include "core/json_util.hpp"

namespace nictune::load {
class ChildProcess;
}

namespace nictune::profile {

struct RecordRequest {
  double delay_s = 0;                 // from start until sampling begins (the load's warm-up)
  double duration_s = 5;              // sampling time
  int frequency_hz = 99;              // per CPU
  std::size_t max_bytes = 16u << 20;  // perf.data cap (perf --max-size) and folded text cap
};

// Whether perf can sample here: {"available": bool, "perf": path, "paranoid": n, "reason"}.
// Runs a real 0-second system-wide recording, so a refusal (perf_event_paranoid, missing
// CAP_PERFMON, no perf_event_open in a container) shows up as perf's own message.
Json probe_perf(const std::string& search_path = "");

class PerfRecorder {
 public:
  explicit PerfRecorder(std::string search_path = "");
  ~PerfRecorder();
  // Throws Error(kBusy) while a recording runs, kUnsupported when perf is missing.
  void start(const RecordRequest& request);
  // Waits for the recording to end (bounded), folds it, removes its files. Throws Error(kIo)
  // with perf's message when perf failed, kInvalid when nothing was started.
  FoldedProfile stop();
  // Kills a recording still running and removes its files; nothing to do when none runs.
  void abort();
  bool running() const { return child_ != nullptr; }

 private:
  std::string search_path_;
  std::string dir_;
  std::string perf_;
  RecordRequest request_;
  std::unique_ptr<load::ChildProcess> child_;
};

}  // namespace nictune::profile

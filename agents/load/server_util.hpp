// What the built-in servers share when they summarize: receive-side metrics, per-interval
// records aligned with the client's intervals, CPU time over the active window.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "core/json_util.hpp"
#include "core/workload.hpp"

namespace nictune::load {

// CPU time a server thread spent while traffic was flowing: sampled when traffic is seen, at
// most every 50 ms, so the hot path pays one compare per batch.
class CpuWindow {
 public:
  void note(std::int64_t now);
  void merge(const CpuWindow& other);
  bool valid() const { return window_ns_ > 0; }
  // Percent of one CPU (sum over merged threads over the longest window).
  double utilisation() const;

 private:
  std::int64_t first_ns_ = 0;
  std::int64_t last_ns_ = 0;
  double cpu_first_ = 0;
  double cpu_last_ = 0;
  // After merge:
  double cpu_seconds_ = 0;
  std::int64_t window_ns_ = 0;
  void settle();
};

// rx_packets, rx_pps, rx_bps, flow_spread (min/max over the workload's flows) over the nominal
// measured duration.
Json stream_rx_metrics(const Workload& workload, std::uint64_t packets, std::uint64_t bytes,
                       const std::vector<std::uint64_t>& per_flow);

// [{"t", "rx_pps", "rx_bps"}] for the client's intervals.
Json rx_intervals(const Workload& workload, const std::vector<std::uint64_t>& packets,
                  const std::vector<std::uint64_t>& bytes);

// {"0": n, "3": m}
Json cpu_count_json(const std::map<int, std::uint64_t>& counts);

}  // namespace nictune::load

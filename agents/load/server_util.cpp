#include "agents/load/server_util.hpp"

#include <algorithm>

#include "agents/load/client_run.hpp"
#include "agents/load/sys_util.hpp"

namespace nictune::load {

void CpuWindow::note(std::int64_t now) {
  if (first_ns_ == 0) {
    first_ns_ = last_ns_ = now;
    cpu_first_ = cpu_last_ = thread_cpu_seconds();
  } else if (now - last_ns_ > 50000000) {
    last_ns_ = now;
    cpu_last_ = thread_cpu_seconds();
  }
  settle();
}

void CpuWindow::settle() {
  cpu_seconds_ = cpu_last_ - cpu_first_;
  window_ns_ = last_ns_ - first_ns_;
}

void CpuWindow::merge(const CpuWindow& other) {
  cpu_seconds_ += other.cpu_seconds_;
  window_ns_ = std::max(window_ns_, other.window_ns_);
}

double CpuWindow::utilisation() const {
  return window_ns_ > 0 ? cpu_seconds_ / (static_cast<double>(window_ns_) / 1e9) * 100.0 : 0.0;
}

Json stream_rx_metrics(const Workload& w, std::uint64_t packets, std::uint64_t bytes,
                       const std::vector<std::uint64_t>& per_flow) {
  Json m;
  m["rx_packets"] = packets;
  m["rx_pps"] = static_cast<double>(packets) / w.duration_s;
  m["rx_bps"] = static_cast<double>(bytes) * 8 / w.duration_s;
  if (!per_flow.empty()) {
    auto [lo, hi] = std::minmax_element(per_flow.begin(), per_flow.end());
    m["flow_spread"] = *hi ? static_cast<double>(*lo) / static_cast<double>(*hi) : 0.0;
  }
  return m;
}

Json rx_intervals(const Workload& w, const std::vector<std::uint64_t>& packets,
                  const std::vector<std::uint64_t>& bytes) {
  RunClock clock = RunClock::starting_at(0, w);
  Json out = Json::array();
  for (std::uint32_t i = 0; i < clock.intervals && i < packets.size(); ++i) {
    double len = clock.interval_seconds(i);
    out.push_back(Json{{"t", clock.interval_end_s(i)},
                       {"rx_pps", static_cast<double>(packets[i]) / len},
                       {"rx_bps", static_cast<double>(bytes[i]) * 8 / len}});
  }
  return out;
}

Json cpu_count_json(const std::map<int, std::uint64_t>& counts) {
  Json out = Json::object();
  for (const auto& [cpu, n] : counts) out[std::to_string(cpu)] = n;
  return out;
}

}  // namespace nictune::load

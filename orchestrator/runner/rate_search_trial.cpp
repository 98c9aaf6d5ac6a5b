#include "orchestrator/runner/rate_search_trial.hpp"

#include <cmath>
#include <vector>

#include "core/load_tools.hpp"
#include "core/rate_search_metrics.hpp"

namespace nictune {
namespace {

std::uint64_t count(const std::map<std::string, double>& metrics, const char* name) {
  auto it = metrics.find(name);
  return it == metrics.end() || !(it->second > 0)
             ? 0
             : static_cast<std::uint64_t>(std::llround(it->second));
}

}  // namespace

Json rate_step_workload(const Json& workload, double offered_pps, double duration_s) {
  Json step = workload;
  step.erase("rate_search");
  step["rate_pps"] = offered_pps;
  step["duration_s"] = duration_s;
  return step;
}

RateSearchTrial run_rate_search_trial(const Workload& workload, const Json& document,
                                      const LoadOnce& load_once) {
  std::vector<LoadRun> runs;
  auto measure = [&](double offered_pps, double duration_s) {
    runs.push_back(load_once(rate_step_workload(document, offered_pps, duration_s)));
    const LoadRun& run = runs.back();
    RateMeasurement m;
    // Sent and received as the trial counts them (combine_load_results): requests and replies
    // for udp_rr, datagrams stamped in the window and counted by the sink for udp_stream.
    m.sent = count(run.metrics, "tx_packets");
    const std::uint64_t lost = count(run.metrics, "lost_packets");
    // No receive count (the sink never answered) is no evidence of delivery: count it as lost.
    const bool counted = run.metrics.count("rx_packets") > 0;
    m.received = counted && m.sent > lost ? m.sent - lost : 0;
    const double window = run.client.is_object() && run.client.contains("duration_s") &&
                                  run.client["duration_s"].is_number()
                              ? run.client["duration_s"].get<double>()
                              : duration_s;
    m.duration_s = window > 0 ? window : duration_s;
    return m;
  };
  RateSearchTrial trial;
  trial.result = run_rate_search(*workload.rate_search, workload.duration_s,
                                 !workload.tool->duration_flag.empty(), measure);
  if (!runs.empty()) {
    const int index = trial.result.result_step >= 0 ? trial.result.result_step
                                                    : static_cast<int>(runs.size()) - 1;
    trial.run = std::move(runs[static_cast<std::size_t>(index)]);
  }
  if (trial.result.rate_pps > 0) {
    const std::string criterion(to_string(workload.rate_search->criterion));
    for (int percent : latency_at_percents(document)) {
      const double offered = trial.result.rate_pps * percent / 100.0;
      const LoadRun run = load_once(rate_step_workload(document, offered, workload.duration_s));
      Json entry = {{"percent", percent},
                    {"offered_pps", offered},
                    {"tx_packets", count(run.metrics, "tx_packets")},
                    {"lost_packets", count(run.metrics, "lost_packets")}};
      for (const auto& rtt : latency_rtt_metrics()) {
        auto it = run.metrics.find(rtt);
        if (it == run.metrics.end()) continue;
        trial.latency_metrics[latency_metric_name(rtt, percent, criterion)] = it->second;
        entry[rtt] = it->second;
      }
      trial.latency.push_back(std::move(entry));
    }
  }
  return trial;
}

double rate_search_seconds_estimate(const Workload& workload, double step_overhead_s) {
  if (!workload.rate_search) return workload.warmup_s + workload.duration_s + step_overhead_s;
  const std::vector<double> durations = phase_durations(*workload.rate_search, workload.duration_s,
                                                        !workload.tool->duration_flag.empty());
  double seconds = 0;
  for (std::size_t i = 0; i < durations.size(); ++i)
    seconds += (i == 0 ? 3 : 2) * (workload.warmup_s + durations[i] + step_overhead_s);
  return seconds;
}

}  // namespace nictune

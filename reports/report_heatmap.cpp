// The heat map of which CPUs did the work: the DUT agent's per-CPU counters, softnet and
// per-queue interrupts, averaged over the complete trials of the baseline and of the best point.
// One of build_report's steps.
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "reports/report_steps.hpp"

namespace nictune::report::detail {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

using CellSums = std::map<std::string, std::map<std::size_t, std::pair<double, int>>>;  // row, cpu

void add_cell(CellSums& sums, const std::string& row, long long cpu, double value,
              std::size_t& cpus) {
  if (cpu < 0 || cpu > 65535) return;
  auto& cell = sums[row][static_cast<std::size_t>(cpu)];
  cell.first += value;
  cell.second += 1;
  cpus = std::max(cpus, static_cast<std::size_t>(cpu) + 1);
}

// Mean per cell over the trials that reported it, or, with `row_trials`, over the trials that
// reported the row at all (an absent cell then counts as 0).
std::vector<CpuLoad> averaged(const CellSums& sums, const std::vector<std::string>& order,
                              const std::map<std::string, int>* row_trials = nullptr) {
  std::vector<CpuLoad> out;
  for (const auto& name : order) {
    auto it = sums.find(name);
    if (it == sums.end()) continue;
    CpuLoad load;
    load.series = name;
    for (const auto& [cpu, cell] : it->second) {
      if (load.per_cpu.size() <= cpu) load.per_cpu.resize(cpu + 1, kNaN);
      load.per_cpu[cpu] = cell.first / (row_trials ? row_trials->at(name) : cell.second);
    }
    out.push_back(std::move(load));
  }
  return out;
}

// The DUT agent's counters of one point, averaged over its complete trials.
void counter_loads(const std::vector<TrialRecord>& trials, const PointResult& point,
                   std::size_t& cpus, std::vector<CpuLoad>& series_out,
                   std::vector<CpuLoad>& queues_out) {
  CellSums series, queues;
  std::map<long long, std::string> queue_names;  // irq number -> row name, in irq order
  std::map<std::string, int> queue_trials;
  const std::set<std::int64_t> ids(point.trial_ids.begin(), point.trial_ids.end());
  for (const auto& t : trials) {
    if (!ids.count(t.id) || t.outcome.state != TrialState::kComplete) continue;
    const Json& details = t.outcome.details;
    if (!details.is_object() || !details.contains("counters") ||
        !details.at("counters").is_object())
      continue;
    const Json& counters = details.at("counters");
    if (counters.contains("per_cpu") && counters.at("per_cpu").is_array()) {
      for (const auto& row : counters.at("per_cpu")) {
        if (!row.is_object() || !row.contains("cpu") || !row.at("cpu").is_number_integer())
          continue;
        for (const auto& item : row.items()) {
          if (item.key() == "cpu" || !item.value().is_number()) continue;
          add_cell(series, item.key(), row.at("cpu").get<long long>(), item.value().get<double>(),
                   cpus);
        }
      }
    }
    if (counters.contains("softnet") && counters.at("softnet").is_array()) {
      for (const auto& row : counters.at("softnet")) {
        if (!row.is_object() || !row.contains("cpu") || !row.at("cpu").is_number_integer())
          continue;
        if (!row.contains("processed") || !row.at("processed").is_number()) continue;
        add_cell(series, "softnet_processed", row.at("cpu").get<long long>(),
                 row.at("processed").get<double>(), cpus);
      }
    }
    if (counters.contains("irqs") && counters.at("irqs").is_object()) {
      for (const auto& item : counters.at("irqs").items()) {
        const Json& irq = item.value();
        if (!irq.is_object() || !irq.contains("per_cpu") || !irq.at("per_cpu").is_object())
          continue;
        long long number = 0;
        try {
          number = std::stoll(item.key());
        } catch (const std::exception&) {
          continue;
        }
        std::string name = irq.contains("queue") && irq.at("queue").is_string()
                               ? irq.at("queue").get<std::string>()
                               : "";
        if (name.empty() && irq.contains("name") && irq.at("name").is_string())
          name = irq.at("name").get<std::string>();
        name = (name.empty() ? "irq " : name + " (irq ") + item.key() + (name.empty() ? "" : ")");
        queue_names[number] = name;
        ++queue_trials[name];
        // CPUs that serviced none are absent: count them as 0 once the queue is known.
        for (const auto& cell : irq.at("per_cpu").items()) {
          if (!cell.value().is_number()) continue;
          try {
            add_cell(queues, name, std::stoll(cell.key()), cell.value().get<double>(), cpus);
          } catch (const std::exception&) {
          }
        }
      }
    }
  }
  std::vector<std::string> order;
  for (const auto& name : kPreferredCpuSeries) {
    if (series.count(name)) order.push_back(name);
  }
  if (order.empty()) {
    for (const auto& [name, unused] : series) order.push_back(name);
  }
  series_out = averaged(series, order);
  std::vector<std::string> queue_order;
  for (const auto& [number, name] : queue_names) {
    if (std::find(queue_order.begin(), queue_order.end(), name) == queue_order.end())
      queue_order.push_back(name);
  }
  queues_out = averaged(queues, queue_order, &queue_trials);
}

}  // namespace

void add_cpu_heatmaps(Report& r) {
  // Which CPUs did the work: the best point against the baseline, from what the agent recorded.
  auto add_heat = [&](std::optional<std::size_t> index, const std::string& label) {
    if (!index) return;
    std::vector<CpuLoad> series, queues;
    counter_loads(r.trials, r.points[*index], r.heatmap.cpus, series, queues);
    if (series.empty() && queues.empty()) return;
    r.heatmap.labels.push_back(label);
    r.heatmap.point_ids.push_back(r.points[*index].point_id);
    r.heatmap.loads.push_back(std::move(series));
    r.heatmap.queues.push_back(std::move(queues));
  };
  add_heat(r.baseline, "baseline");
  if (r.best) add_heat(r.best, "best (point " + std::to_string(r.points[*r.best].point_id) + ")");
  // Rows cover every CPU seen; a queue's interrupts on a CPU no trial mentioned were 0.
  for (auto& loads : r.heatmap.loads) {
    for (auto& load : loads) load.per_cpu.resize(r.heatmap.cpus, kNaN);
  }
  for (auto& queues : r.heatmap.queues) {
    for (auto& q : queues) {
      q.per_cpu.resize(r.heatmap.cpus, 0);
      for (double& v : q.per_cpu) v = std::isnan(v) ? 0 : v;
    }
  }
}

}  // namespace nictune::report::detail

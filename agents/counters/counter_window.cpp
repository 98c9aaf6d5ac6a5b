#include "agents/counters/counter_window.hpp"

#include <algorithm>
#include <cctype>

#include "core/errors.hpp"

namespace nictune::agent {
namespace {

// Counters printed as 32 bits (softnet_stat, older /proc/interrupts) wrap; 64-bit ones only go
// backwards when reset (driver reload), which counts as 0.
std::uint64_t delta(std::uint64_t before, std::uint64_t after, bool may_wrap32) {
  if (after >= before) return after - before;
  if (may_wrap32 && before <= 0xffffffffULL) return after + (std::uint64_t{1} << 32) - before;
  return 0;
}

double percent(std::uint64_t part, std::uint64_t total) {
  return total == 0 ? 0.0 : 100.0 * static_cast<double>(part) / static_cast<double>(total);
}

double seconds_between(const CounterSample& a, const CounterSample& b) {
  return std::chrono::duration<double>(b.time - a.time).count();
}

CpuTimes times_delta(const CpuTimes& a, const CpuTimes& b) {
  return {delta(a.user, b.user, false),       delta(a.nice, b.nice, false),
          delta(a.system, b.system, false),   delta(a.idle, b.idle, false),
          delta(a.iowait, b.iowait, false),   delta(a.irq, b.irq, false),
          delta(a.softirq, b.softirq, false), delta(a.steal, b.steal, false),
          delta(a.guest, b.guest, false),     delta(a.guest_nice, b.guest_nice, false)};
}

// Per-CPU count of one /proc/interrupts or /proc/softirqs row, by CPU number.
std::map<unsigned, std::uint64_t> by_cpu(const std::vector<unsigned>& cpus,
                                         const std::vector<std::uint64_t>& counts) {
  std::map<unsigned, std::uint64_t> out;
  for (std::size_t i = 0; i < cpus.size() && i < counts.size(); ++i) out[cpus[i]] = counts[i];
  return out;
}

std::map<unsigned, std::uint64_t> row_delta(const std::map<unsigned, std::uint64_t>& a,
                                            const std::map<unsigned, std::uint64_t>& b) {
  std::map<unsigned, std::uint64_t> out;
  for (const auto& [cpu, after] : b) {
    auto it = a.find(cpu);
    out[cpu] = delta(it == a.end() ? 0 : it->second, after, true);
  }
  return out;
}

struct IrqDelta {
  const InterfaceIrq* irq;
  std::string name;
  std::map<unsigned, std::uint64_t> per_cpu;
  std::uint64_t total = 0;
};

std::vector<IrqDelta> irq_deltas(const CounterSample& a, const CounterSample& b,
                                 const std::vector<InterfaceIrq>& irqs) {
  std::vector<IrqDelta> out;
  if (!a.interrupts || !b.interrupts) return out;
  for (const auto& irq : irqs) {
    const InterruptLine* before = a.interrupts->find_irq(irq.irq);
    const InterruptLine* after = b.interrupts->find_irq(irq.irq);
    if (!after) continue;
    IrqDelta d{&irq, after->names.empty() ? irq.name : after->names.back(), {}, 0};
    auto after_cpu = by_cpu(b.interrupts->cpus, after->counts);
    auto before_cpu =
        before ? by_cpu(a.interrupts->cpus, before->counts) : std::map<unsigned, std::uint64_t>();
    d.per_cpu = row_delta(before_cpu, after_cpu);
    for (const auto& [cpu, n] : d.per_cpu) d.total += n;
    out.push_back(std::move(d));
  }
  return out;
}

struct SoftnetDelta {
  unsigned cpu;
  std::uint64_t processed, dropped, time_squeeze, received_rps, flow_limit;
};

std::vector<SoftnetDelta> softnet_deltas(const CounterSample& a, const CounterSample& b) {
  std::vector<SoftnetDelta> out;
  for (const auto& after : b.softnet) {
    const SoftnetRow* before = nullptr;
    for (const auto& row : a.softnet) {
      if (row.cpu == after.cpu) before = &row;
    }
    SoftnetRow zero;
    if (!before) before = &zero;
    out.push_back({after.cpu, delta(before->processed, after.processed, true),
                   delta(before->dropped, after.dropped, true),
                   delta(before->time_squeeze, after.time_squeeze, true),
                   delta(before->received_rps, after.received_rps, true),
                   delta(before->flow_limit, after.flow_limit, true)});
  }
  return out;
}

}  // namespace

namespace {

// What else used the host in the window: steal time, interrupts other than the interface's,
// and the CPU time of processes that are not the agents' own work. Ticks are turned into a
// share of one CPU with the window's length in ticks per CPU from /proc/stat itself, so no
// clock-tick rate is assumed.
void add_noise_metrics(const CounterSample& a, const CounterSample& b, std::uint64_t irq_count,
                       const std::string& prefix, Json& metrics) {
  const CpuTimes all = times_delta(a.stat.all, b.stat.all);
  const std::size_t cpus = std::max<std::size_t>(1, b.stat.per_cpu.size());
  const double ticks_per_cpu = static_cast<double>(all.total()) / static_cast<double>(cpus);
  const auto share = [&](std::uint64_t ticks) {
    return ticks_per_cpu > 0 ? 100.0 * static_cast<double>(ticks) / ticks_per_cpu : 0.0;
  };
  metrics[prefix + "_steal_util"] = share(all.steal);
  const double seconds = seconds_between(a, b);
  const std::uint64_t interrupts = delta(a.stat.interrupts, b.stat.interrupts, false);
  const std::uint64_t other = interrupts > irq_count ? interrupts - irq_count : 0;
  metrics[prefix + "_other_irq_per_s"] = seconds > 0 ? static_cast<double>(other) / seconds : 0.0;
  if (a.processes && b.processes)
    metrics[prefix + "_background_cpu_util"] = share(background_ticks(*a.processes, *b.processes));
}

}  // namespace

CounterSample take_counter_sample(const KernelFiles& files, const SampleOptions& options) {
  CounterSample s;
  s.time = std::chrono::steady_clock::now();
  std::string text;
  if (int error = read_text(files.proc("stat"), text))
    throw errno_error(error, "reading " + files.proc("stat"));
  s.stat = parse_proc_stat(text);
  CpuSet online;
  for (const auto& [cpu, times] : s.stat.per_cpu) online.add(cpu);
  if (read_text(files.proc("interrupts"), text) == 0) {
    try {
      s.interrupts = parse_interrupts(text);
    } catch (const Error&) {
    }
  }
  if (read_text(files.proc("softirqs"), text) == 0) {
    try {
      s.softirqs = parse_softirqs(text);
    } catch (const Error&) {
    }
  }
  if (read_text(files.proc("net/softnet_stat"), text) == 0) {
    try {
      s.softnet = parse_softnet_stat(text, online);
    } catch (const Error&) {
    }
  }
  if (options.processes) {
    try {
      s.processes = read_process_times(files);
    } catch (const Error&) {
      // No process list (an unusual procfs root): the diagnosis goes without background CPU.
    }
  }
  for (const auto& name : options.links)
    s.links[name] = read_link_statistics(files.net(name, "statistics"));
  if (!options.interface.empty()) {
    s.link = read_link_statistics(files.net(options.interface, "statistics"));
    if (options.driver_stats && options.ethtool) {
      std::vector<EthtoolStat> stats;
      if (int error = options.ethtool->get_stats(options.interface, stats)) {
        s.driver_error = "ETHTOOL_GSTATS: " + describe_errno(error);
      } else {
        for (const auto& stat : stats) s.driver[stat.name] += stat.value;
      }
    }
  }
  return s;
}

Json counter_metrics(const CounterSample& a, const CounterSample& b,
                     const std::vector<InterfaceIrq>& irqs, const std::string& prefix) {
  double cpu_util = 0, softirq_util = 0;
  for (const auto& [cpu, after] : b.stat.per_cpu) {
    auto it = a.stat.per_cpu.find(cpu);
    if (it == a.stat.per_cpu.end()) continue;
    CpuTimes d = times_delta(it->second, after);
    cpu_util += percent(d.busy(), d.total());
    softirq_util += percent(d.softirq, d.total());
  }
  std::uint64_t irq_count = 0;
  for (const auto& d : irq_deltas(a, b, irqs)) irq_count += d.total;
  std::uint64_t dropped = 0, squeeze = 0;
  for (const auto& d : softnet_deltas(a, b)) {
    dropped += d.dropped;
    squeeze += d.time_squeeze;
  }
  double seconds = seconds_between(a, b);
  Json metrics = {
      {prefix + "_cpu_util", cpu_util},
      {prefix + "_softirq_util", softirq_util},
      {prefix + "_irq_per_s", seconds > 0 ? static_cast<double>(irq_count) / seconds : 0.0},
      {prefix + "_softnet_dropped", dropped},
      {prefix + "_time_squeeze", squeeze}};
  add_noise_metrics(a, b, irq_count, prefix, metrics);
  return metrics;
}

Json counter_delta(const CounterSample& a, const CounterSample& b,
                   const std::vector<InterfaceIrq>& irqs, const std::string& prefix) {
  double seconds = seconds_between(a, b);
  std::map<std::string, std::map<unsigned, std::uint64_t>> softirq;
  if (a.softirqs && b.softirqs) {
    for (const char* name : {"NET_RX", "NET_TX"}) {
      auto before = a.softirqs->rows.find(name);
      auto after = b.softirqs->rows.find(name);
      if (before == a.softirqs->rows.end() || after == b.softirqs->rows.end()) continue;
      softirq[name] = row_delta(by_cpu(a.softirqs->cpus, before->second),
                                by_cpu(b.softirqs->cpus, after->second));
    }
  }
  Json per_cpu = Json::array();
  for (const auto& [cpu, after] : b.stat.per_cpu) {
    auto it = a.stat.per_cpu.find(cpu);
    if (it == a.stat.per_cpu.end()) continue;
    CpuTimes d = times_delta(it->second, after);
    std::uint64_t total = d.total();
    Json row = {{"cpu", cpu},
                {"busy", percent(d.busy(), total)},
                {"user", percent(d.user + d.nice, total)},
                {"system", percent(d.system, total)},
                {"irq", percent(d.irq, total)},
                {"softirq", percent(d.softirq, total)},
                {"iowait", percent(d.iowait, total)},
                {"steal", percent(d.steal, total)},
                {"idle", percent(d.idle, total)}};
    for (const auto& [name, counts] : softirq) {
      auto c = counts.find(cpu);
      row[name == "NET_RX" ? "net_rx_softirqs" : "net_tx_softirqs"] =
          c == counts.end() ? 0 : c->second;
    }
    per_cpu.push_back(row);
  }
  Json irq_json = Json::object();
  for (const auto& d : irq_deltas(a, b, irqs)) {
    Json cpus = Json::object();
    for (const auto& [cpu, n] : d.per_cpu) {
      if (n) cpus[std::to_string(cpu)] = n;
    }
    irq_json[std::to_string(d.irq->irq)] = {
        {"name", d.name},
        {"queue", d.irq->queue},
        {"total", d.total},
        {"per_s", seconds > 0 ? static_cast<double>(d.total) / seconds : 0.0},
        {"per_cpu", cpus}};
  }
  Json softnet = Json::array();
  for (const auto& d : softnet_deltas(a, b)) {
    softnet.push_back({{"cpu", d.cpu},
                       {"processed", d.processed},
                       {"dropped", d.dropped},
                       {"time_squeeze", d.time_squeeze},
                       {"received_rps", d.received_rps},
                       {"flow_limit", d.flow_limit}});
  }
  Json link = Json::object();
  for (const auto& [name, after] : b.link) {
    auto it = a.link.find(name);
    link[name] = delta(it == a.link.end() ? 0 : it->second, after, false);
  }
  Json links = Json::object();
  for (const auto& [dev, stats] : b.links) {
    const auto before = a.links.find(dev);
    Json one = Json::object();
    for (const auto& [name, after] : stats) {
      std::uint64_t first = 0;
      if (before != a.links.end()) {
        auto it = before->second.find(name);
        if (it != before->second.end()) first = it->second;
      }
      one[name] = delta(first, after, false);
    }
    links[dev] = std::move(one);
  }
  Json driver = Json::object();
  Json driver_queues = Json::object();
  for (const auto& [name, after] : b.driver) {
    auto it = a.driver.find(name);
    std::uint64_t d = delta(it == a.driver.end() ? 0 : it->second, after, false);
    driver[name] = d;
    if (auto split = split_queue_stat(name)) driver_queues[split->first][split->second] = d;
  }
  Json details = {{"seconds", seconds},
                  {"per_cpu", per_cpu},
                  {"irqs", irq_json},
                  {"softnet", softnet},
                  {"link", link},
                  {"driver", driver},
                  {"driver_queues", driver_queues}};
  if (!links.empty()) details["links"] = std::move(links);
  if (!b.driver_error.empty()) details["driver_error"] = b.driver_error;
  return {{"metrics", counter_metrics(a, b, irqs, prefix)}, {"details", details}};
}

std::optional<std::pair<std::string, std::string>> split_queue_stat(const std::string& name) {
  for (const char* direction : {"rx", "tx"}) {
    std::size_t pos = 0;
    while ((pos = name.find(direction, pos)) != std::string::npos) {
      // The direction must start the name or follow a separator ("port.rx_..." is not a queue).
      if (pos > 0 && std::isalnum(static_cast<unsigned char>(name[pos - 1]))) {
        ++pos;
        continue;
      }
      std::size_t i = pos + 2;
      if (name.compare(i, 7, "_queue_") == 0) {
        i += 7;
      } else if (i < name.size() && (name[i] == '-' || name[i] == '_')) {
        ++i;
      }
      std::size_t digits = i;
      while (digits < name.size() && std::isdigit(static_cast<unsigned char>(name[digits])))
        ++digits;
      if (digits > i && digits - i <= 5 && digits < name.size() &&
          (name[digits] == '_' || name[digits] == '.')) {
        std::string field = name.substr(digits + 1);
        std::string prefix = name.substr(0, pos);
        if (!field.empty()) {
          return std::make_pair(std::string(direction) + "-" + name.substr(i, digits - i),
                                prefix + field);
        }
      }
      ++pos;
    }
  }
  return std::nullopt;
}

}  // namespace nictune::agent

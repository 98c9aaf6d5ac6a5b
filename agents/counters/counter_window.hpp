// Counter samples and the deltas between two of them: per-CPU time from /proc/stat, the
// interface's IRQs from /proc/interrupts, NET_RX/NET_TX from /proc/softirqs,
// /proc/net/softnet_stat, link statistics and driver statistics (ETHTOOL_GSTATS).
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agents/counters/proc_parsers.hpp"
#include "agents/counters/process_times.hpp"
#include "agents/knobs/ethtool.hpp"
#include "agents/knobs/kernel_files.hpp"
#include "agents/topology/nic_device.hpp"
#include "core/json_util.hpp"

namespace nictune::agent {

struct CounterSample {
  std::chrono::steady_clock::time_point time;
  ProcStat stat;
  std::optional<InterruptsTable> interrupts;
  std::optional<SoftirqsTable> softirqs;
  std::vector<SoftnetRow> softnet;
  std::map<std::string, std::uint64_t> link;
  // SampleOptions::links: the statistics of further links (a forwarding DUT's egress).
  std::map<std::string, std::map<std::string, std::uint64_t>> links;
  std::map<std::string, std::uint64_t> driver;
  std::string driver_error;  // why there are no driver statistics
  // Every process's CPU time (SampleOptions::processes): the window's first and last sample
  // only, since reading every /proc/<pid>/stat is too slow for the periodic samples.
  std::optional<ProcessTimes> processes;
};

struct SampleOptions {
  std::string interface;  // "" for host-wide counters only
  bool driver_stats = true;
  Ethtool* ethtool = nullptr;
  bool processes = false;  // read every process's CPU time (noise diagnosis)
  // Further links whose statistics files the window also takes (no IRQs, no driver stats):
  // a forwarding DUT's egress link beside the ingress `interface`.
  std::vector<std::string> links;
};

// Throws Error(kIo) when /proc/stat cannot be read; every other source is optional.
CounterSample take_counter_sample(const KernelFiles& files, const SampleOptions& options);

// {"metrics": {...}, "details": {...}} for the window a..b. `irqs` are the interface's IRQs;
// metric names are "<prefix>_cpu_util" and so on (prefix "dut" or "lg"). The noise diagnosis
// adds "<prefix>_steal_util" (percent, sum over CPUs), "<prefix>_other_irq_per_s" (interrupts
// outside the interface's IRQs) and, when both samples read the processes,
// "<prefix>_background_cpu_util" (CPU of processes other than the agents' own work, 100 = one
// CPU).
Json counter_delta(const CounterSample& a, const CounterSample& b,
                   const std::vector<InterfaceIrq>& irqs, const std::string& prefix);

// Just the metrics (no details), for time-series samples.
Json counter_metrics(const CounterSample& a, const CounterSample& b,
                     const std::vector<InterfaceIrq>& irqs, const std::string& prefix);

// "rx_queue_3_packets", "rx3_bytes", "rx-3.packets", "tx_queue_0_drops" -> {"rx-3", "packets"};
// nullopt for counters that are not per queue.
std::optional<std::pair<std::string, std::string>> split_queue_stat(const std::string& name);

}  // namespace nictune::agent

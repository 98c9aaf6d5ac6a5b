// Parsers for the kernel's counter files. Each takes the file's text (so tests feed captured
// files from many kernels and drivers) and throws Error(kIo) naming the file and line when the
// text is not what any kernel writes.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/cpu_set.hpp"

namespace nictune::agent {

// One "cpuN" line of /proc/stat, in USER_HZ ticks. Older kernels have fewer columns; missing
// ones are 0.
struct CpuTimes {
  std::uint64_t user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0,
                steal = 0, guest = 0, guest_nice = 0;
  // guest and guest_nice are already inside user and nice.
  std::uint64_t total() const {
    return user + nice + system + idle + iowait + irq + softirq + steal;
  }
  std::uint64_t busy() const { return total() - idle - iowait; }
};

struct ProcStat {
  CpuTimes all;                          // the "cpu" line
  std::map<unsigned, CpuTimes> per_cpu;  // "cpuN" lines (online CPUs only)
  std::uint64_t interrupts = 0;          // first number of "intr"
  std::uint64_t context_switches = 0;    // "ctxt"
};
ProcStat parse_proc_stat(std::string_view text);

// One row of /proc/interrupts. Numbered IRQs have `irq`; the arch rows (NMI, LOC, ...) not.
struct InterruptLine {
  std::string id;  // "24", "NMI"
  std::optional<unsigned> irq;
  std::vector<std::uint64_t> counts;  // one per column of the header (missing: 0)
  std::string chip;                   // "PCI-MSIX-0000:00:03.0", "IR-PCI-MSI", "IO-APIC"
  std::vector<std::string> names;     // action names: "eth1-TxRx-0"; shared IRQs have several
  std::string description;            // the arch rows' text ("Local timer interrupts")
  std::uint64_t total() const;
};

struct InterruptsTable {
  std::vector<unsigned> cpus;  // the header's CPU numbers, in column order
  std::vector<InterruptLine> lines;
  const InterruptLine* find_irq(unsigned irq) const;
};
InterruptsTable parse_interrupts(std::string_view text);

// /proc/softirqs: counts per CPU for each softirq ("NET_RX", "NET_TX", ...).
struct SoftirqsTable {
  std::vector<unsigned> cpus;
  std::map<std::string, std::vector<std::uint64_t>> rows;
};
SoftirqsTable parse_softirqs(std::string_view text);

// One row of /proc/net/softnet_stat. The column count changed across kernels (10 before 3.11,
// 11 to 5.9, 13 from 5.10, 15 from 6.x); columns a kernel does not print stay empty.
struct SoftnetRow {
  unsigned cpu = 0;
  bool cpu_from_file = false;  // column 12 (5.10+) names the CPU; otherwise rows follow `online`
  std::uint64_t processed = 0, dropped = 0, time_squeeze = 0, cpu_collision = 0, received_rps = 0,
                flow_limit = 0;
  std::optional<std::uint64_t> backlog_len;
  std::vector<std::uint64_t> columns;  // every column as printed
};
// Rows are printed for online CPUs only; without the CPU column, row i is the i-th CPU of
// `online` (or i itself when `online` is empty).
std::vector<SoftnetRow> parse_softnet_stat(std::string_view text, const CpuSet& online);

// Every counter file of /sys/class/net/IF/statistics: name -> value.
std::map<std::string, std::uint64_t> read_link_statistics(const std::string& statistics_dir);

}  // namespace nictune::agent

// What else used the host during a trial: CPU time of every process that is not the agents' own
// work, read from /proc/<pid>/stat. "Own" is every nictune-agent process (the DUT's and the LG's
// may share a host) and their descendants (iperf3 / sockperf started by the load adapters);
// kernel threads (children of kthreadd, pid 2) are left out too, since softirq and ksoftirqd work
// is mostly the trial's own traffic and /proc/stat already shows it.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "agents/knobs/kernel_files.hpp"

namespace nictune::agent {

// The fields of /proc/<pid>/stat the diagnosis needs. comm may hold spaces and parentheses:
// the fields after it are found from the last ')'.
struct PidStat {
  int pid = 0;
  std::string comm;
  char state = '?';
  int ppid = 0;
  std::uint64_t utime = 0, stime = 0;  // clock ticks (USER_HZ)
};
// Throws Error(kIo) naming `what` when the line is not a /proc/<pid>/stat line.
PidStat parse_pid_stat(std::string_view text, const std::string& what = "/proc/<pid>/stat");

// Every process's CPU ticks at one moment, split into the agents' own and everyone else's.
struct ProcessTimes {
  std::map<int, std::uint64_t> other;  // pid -> utime + stime, processes not ours
  std::uint64_t own = 0;               // sum over the agents and their descendants
};
// Reads every /proc/<pid>/stat below the procfs root; processes that vanish meanwhile are
// skipped. `own_name` is the agents' comm ("nictune-agent").
ProcessTimes read_process_times(const KernelFiles& files,
                                const std::string& own_name = "nictune-agent");

// Ticks other processes used between two readings: processes in both count their difference,
// processes that appeared count all their time (they started inside the window); processes
// that ended inside the window are not seen (their time is lost, an undercount).
std::uint64_t background_ticks(const ProcessTimes& before, const ProcessTimes& after);

}  // namespace nictune::agent

#include "agents/counters/process_times.hpp"

#include <dirent.h>

#include <cctype>
#include <cstdlib>
#include <memory>
#include <set>
#include <sstream>
#include <vector>

#include "core/errors.hpp"

namespace nictune::agent {
namespace {

constexpr int kKthreadd = 2;

bool all_digits(const char* s) {
  if (!*s) return false;
  for (; *s; ++s) {
    if (!std::isdigit(static_cast<unsigned char>(*s))) return false;
  }
  return true;
}

}  // namespace

PidStat parse_pid_stat(std::string_view text, const std::string& what) {
  const auto open = text.find('(');
  const auto close = text.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open)
    throw Error(ErrorCode::kIo, what + ": not a process stat line (no \"(comm)\")");
  PidStat s;
  s.pid = std::atoi(std::string(text.substr(0, open)).c_str());
  s.comm = std::string(text.substr(open + 1, close - open - 1));
  // After ") ": state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime
  // stime ... (proc(5), fields 3-15).
  std::istringstream rest{std::string(text.substr(close + 1))};
  std::string state;
  std::vector<std::uint64_t> fields;
  rest >> state;
  std::int64_t value = 0;
  for (int i = 0; i < 12 && rest >> value; ++i) fields.push_back(static_cast<std::uint64_t>(value));
  if (state.size() != 1 || fields.size() < 12 || s.pid <= 0)
    throw Error(ErrorCode::kIo, what +
                                    ": expected pid (comm) state and at least 13 numeric "
                                    "fields (proc(5))");
  s.state = state[0];
  s.ppid = static_cast<int>(fields[0]);
  s.utime = fields[10];
  s.stime = fields[11];
  return s;
}

ProcessTimes read_process_times(const KernelFiles& files, const std::string& own_name) {
  std::map<int, PidStat> all;
  std::unique_ptr<DIR, int (*)(DIR*)> dir(opendir(files.procfs_root().c_str()), closedir);
  if (!dir) throw Error(ErrorCode::kIo, "cannot list " + files.procfs_root());
  while (const dirent* entry = readdir(dir.get())) {
    if (!all_digits(entry->d_name)) continue;
    std::string text;
    const std::string path = files.proc(std::string(entry->d_name) + "/stat");
    if (read_text(path, text) != 0) continue;  // the process ended meanwhile
    try {
      PidStat s = parse_pid_stat(text, path);
      all[s.pid] = std::move(s);
    } catch (const Error&) {
      // A process that ended mid-read can leave a short line; it no longer uses the CPU.
    }
  }
  // Own: the agents and everything below them.
  std::set<int> own;
  bool grew = true;
  while (grew) {
    grew = false;
    for (const auto& [pid, s] : all) {
      if (own.count(pid)) continue;
      if (s.comm == own_name || own.count(s.ppid)) {
        own.insert(pid);
        grew = true;
      }
    }
  }
  ProcessTimes t;
  for (const auto& [pid, s] : all) {
    const std::uint64_t ticks = s.utime + s.stime;
    if (own.count(pid)) {
      t.own += ticks;
    } else if (pid != kKthreadd && s.ppid != kKthreadd) {
      t.other[pid] = ticks;
    }
  }
  return t;
}

std::uint64_t background_ticks(const ProcessTimes& before, const ProcessTimes& after) {
  std::uint64_t total = 0;
  for (const auto& [pid, ticks] : after.other) {
    auto it = before.other.find(pid);
    if (it == before.other.end()) {
      total += ticks;
    } else if (ticks > it->second) {
      total += ticks - it->second;
    }
  }
  return total;
}

}  // namespace nictune::agent

// Runs an external tool (iperf3, sockperf) as a child: stdin from /dev/null (never the agent's
// JSON-RPC input), stdout and stderr captured in memory files (no pipe to fill up and block the
// tool), pinned to a CPU list, killed if the agent dies (PR_SET_PDEATHSIG) and always bounded
// in time by the caller.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "agents/load/sys_util.hpp"

namespace nictune::load {

// The full path of `tool` in the ':'-separated `search_path` ("" = $PATH). Throws
// Error(kUnsupported) naming the Debian package when it is not there:
// "iperf3 is not installed (not found in /usr/bin:/bin); install the Debian package iperf3".
std::string find_tool(const std::string& tool, const std::string& package,
                      const std::string& search_path);

class ChildProcess {
 public:
  ChildProcess(const std::vector<std::string>& argv, const std::vector<unsigned>& cpus);
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();  // kills and reaps a child still running

  // Waits up to `timeout_ms` for the child to exit; returns its wait status, or nullopt if it
  // is still running.
  std::optional<int> wait_for(int timeout_ms);
  // Sends `signal`, waits up to `grace_ms`, then SIGKILL. Returns the wait status.
  int stop(int signal, int grace_ms);
  bool running() const { return pid_ > 0 && !status_; }
  pid_t pid() const { return pid_; }

  std::string output() const;  // stdout
  std::string errors() const;  // stderr
  // "exited with status 1" / "killed by signal 9"
  static std::string describe(int status);

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
  Fd out_;
  Fd err_;
};

}  // namespace nictune::load

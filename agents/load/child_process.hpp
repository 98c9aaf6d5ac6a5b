// Runs an external tool (iperf3, sockperf) as a child: stdin from /dev/null (never the agent's
// JSON-RPC input), stdout and stderr captured in memory files (no pipe to fill up and block the
// tool), pinned to a CPU list, killed if the agent dies and always bounded in time by the caller.
// The child is forked and reaped by a keeper thread of its own: PR_SET_PDEATHSIG fires when the
// *thread* that forked ends, so forking from a caller's short-lived thread would kill a server
// that must outlive the call.
#pragma once

#include <sys/types.h>

#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
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
  bool running();
  pid_t pid() const { return pid_; }

  std::string output() const;  // stdout
  std::string errors() const;  // stderr
  // "exited with status 1" / "killed by signal 9"
  static std::string describe(int status);

 private:
  void keep(std::vector<std::string> argv, std::vector<unsigned> cpus);
  std::mutex mutex_;
  std::condition_variable changed_;
  bool started_ = false;
  int spawn_errno_ = 0;
  pid_t pid_ = -1;
  std::optional<int> status_;
  Fd out_;
  Fd err_;
  std::thread keeper_;
};

}  // namespace nictune::load

// Running helper programs (ip, ssh-keygen, sshd) from argument vectors — never through a shell —
// and ending processes by PID within a bounded time. Used by the local transport, the lab and
// the tests.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace nictune::subprocess {

struct RunResult {
  int exit_code = -1;      // -1 when killed by a signal or not started
  int signal = 0;          // the signal that ended it, 0 if it exited
  bool timed_out = false;  // killed because it ran longer than the timeout
  std::string out;
  std::string err;

  bool ok() const { return exit_code == 0 && !timed_out; }
  // "exit 2: RTNETLINK answers: File exists" (the first lines of stderr, on one line).
  std::string failure() const;
};

// Runs argv[0] (looked up in PATH when it has no '/') with stdin from `input` (or /dev/null),
// captures stdout and stderr, and kills it with SIGKILL after `timeout`. Throws
// Error(kIo) only when the program cannot be started at all.
RunResult run(const std::vector<std::string>& argv,
              std::chrono::milliseconds timeout = std::chrono::seconds(30),
              const std::string& input = "");

// run() that throws Error(kIo, "<what>: `argv...` failed (exit 2): <stderr>") unless it succeeded.
RunResult run_checked(const std::vector<std::string>& argv, const std::string& what,
                      std::chrono::milliseconds timeout = std::chrono::seconds(30));

// Starts argv in a new session with stdin from /dev/null and stdout/stderr appended to
// `log_path` (or /dev/null when empty); does not wait. Returns its PID. Throws Error(kIo)
// when it cannot be started.
pid_t spawn_detached(const std::vector<std::string>& argv, const std::string& log_path);

// True while `pid` exists and is not a zombie. Reaps it when it is our child and has ended.
bool alive(pid_t pid);

// Waits until `pid` is gone (reaping it when it is our child); false on timeout.
bool wait_gone(pid_t pid, std::chrono::milliseconds timeout);

// SIGTERM, up to `term_grace` for it to end, then SIGKILL and up to `kill_grace`. Returns
// whether it is gone. Only ever signals this one PID.
bool stop(pid_t pid, std::chrono::milliseconds term_grace = std::chrono::seconds(3),
          std::chrono::milliseconds kill_grace = std::chrono::seconds(2));

// /proc/PID/cmdline with NULs turned into spaces; "" when the process is gone.
std::string cmdline(pid_t pid);

// PIDs whose parent is `pid`, from /proc.
std::vector<pid_t> children_of(pid_t pid);

// "a b 'c d'": an argv rendered for messages (and only for messages).
std::string render(const std::vector<std::string>& argv);

// argv[0] resolved against PATH; "" when not found.
std::string find_program(const std::string& name);

}  // namespace nictune::subprocess

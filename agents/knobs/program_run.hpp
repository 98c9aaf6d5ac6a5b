// Running another program for a knob (the service manager): posix_spawnp with the argument
// vector as given (no shell), stdin and stdout on /dev/null (stdout is the agent's JSON-RPC
// channel), stderr captured for error messages, and a bounded wait.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace nictune::agent {

struct ProgramRun {
  int exit_status = -1;    // 0-255; 128 + N when killed by signal N
  std::string error_text;  // the first 4 KiB of what it wrote to stderr
  std::string first_error_line() const;
};

// Runs argv (argv[0] looked up in PATH unless it holds a '/') and waits at most `timeout`.
// Throws Error(kUnsupported) when the program cannot be started (not found, not executable),
// Error(kIo) when it does not end in time (it is killed and reaped first).
ProgramRun run_program(const std::vector<std::string>& argv, std::chrono::milliseconds timeout);

}  // namespace nictune::agent

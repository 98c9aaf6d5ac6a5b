// Serves a MethodTable over a pair of file descriptors, one JSON object per line, until EOF,
// a termination signal (SIGTERM/SIGINT/SIGHUP) or a `shutdown` request.
#pragma once

#include <string>

#include "agents/rpc/json_rpc.hpp"

namespace nictune::agent {

enum class StopReason { kEof, kSignal, kShutdownRequest, kIoError };

struct ServeResult {
  StopReason reason;
  int signal = 0;  // for kSignal
};

// Blocks SIGTERM/SIGINT/SIGHUP for the calling thread and receives them through a signalfd,
// so a signal ends the loop cleanly and the caller can restore before exiting.
ServeResult serve_stdio(rpc::MethodTable& methods, int in_fd, int out_fd);

std::string to_string(StopReason reason);

}  // namespace nictune::agent

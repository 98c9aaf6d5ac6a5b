// The built-in generators, one pair (server, client) per workload family, and the builtin
// tool's entry points (builtin.cpp) that pick among them by workload type.
#pragma once

#include <memory>

#include "agents/load/load_runner.hpp"

namespace nictune::load {

// UDP sink (udp_stream) or echo (udp_rr): one SO_REUSEPORT socket per server thread.
std::unique_ptr<LoadServer> start_udp_server(const Workload& workload, const ServeOptions& options);
// TCP sink (tcp_stream), echo (tcp_rr) or accept-reply-close (tcp_crr).
std::unique_ptr<LoadServer> start_tcp_server(const Workload& workload, const ServeOptions& options);

Json run_udp_stream(const Workload& workload, const RunOptions& options);
Json run_udp_rr(const Workload& workload, const RunOptions& options);
Json run_tcp_stream(const Workload& workload, const RunOptions& options);
Json run_tcp_rr(const Workload& workload, const RunOptions& options);  // tcp_rr and tcp_crr
// The builtin tool's entry points, start_builtin_server and run_builtin (the server and client of
// `workload.type`), are declared by its row in core/load_tool_table.hpp.

}  // namespace nictune::load

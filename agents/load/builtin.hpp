// The built-in generators, one pair (server, client) per workload family. load_runner.cpp picks
// among these and the external-tool adapters.
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

}  // namespace nictune::load

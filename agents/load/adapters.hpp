// Adapters for iperf3 and sockperf: the same methods and metric names as the built-in
// generators, measured by the external tool. Running and parsing are separate so the parsers are
// tested against recorded outputs (tests/data/load/) as well as the real tools. Their entry points
// (start_iperf3_server, run_iperf3, ...) are declared by their rows in core/load_tool_table.hpp.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "agents/load/load_runner.hpp"

namespace nictune::load {

// ---- iperf3 (Debian package iperf3): read only through -J.
std::vector<std::string> iperf3_client_args(const Workload& workload, const RunOptions& options,
                                            const std::string& exe);
// The load.run result from `iperf3 -c ... -J` output. Throws Error(kIo) with iperf3's own
// "error" text, or when the output is not iperf3 JSON.
Json parse_iperf3_client(const Workload& workload, const std::string& json_text);
// The serve.stop result from `iperf3 -s -1 -J` output ("" when no test ran).
Json parse_iperf3_server(const Workload& workload, const std::string& json_text);

// ---- sockperf (Debian package sockperf): ping-pong through --full-log (every sample's send
// and receive time, CSV), throughput through its summary lines (it has no other output).
std::vector<std::string> sockperf_client_args(const Workload& workload, const RunOptions& options,
                                              const std::string& exe, const std::string& full_log);
// ping-pong (udp_rr, tcp_rr): from the --full-log file; samples whose send time is in the first
// warmup_s are discarded, the next duration_s are kept.
Json parse_sockperf_pingpong(const Workload& workload, const std::string& full_log,
                             const std::string& output);
// throughput (udp_stream, tcp_stream): from the client's output.
Json parse_sockperf_throughput(const Workload& workload, const std::string& output);
// The server's "Total N messages received" at exit.
Json parse_sockperf_server(const Workload& workload, const std::string& output);

// ---- shared by both
// A port free for both TCP and UDP on `bind` (the tools cannot be given port 0).
int pick_free_port(const std::string& bind);
// Waits until a socket of `protocol` ("tcp" or "udp") is bound to `port` in this network
// namespace (/proc/net); false after `timeout_ms`.
bool wait_for_bound_port(const std::string& protocol, int port, int timeout_ms);
// The text with ANSI colour sequences removed (sockperf colours some lines).
std::string strip_ansi(const std::string& text);

}  // namespace nictune::load

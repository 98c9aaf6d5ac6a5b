// Every load tool, one row each: the whole registration of a load tool besides its adapter in
// agents/load/. The first row is the default (a workload without "tool").
//
// The table is read twice, through a macro the includer defines (no include guard on purpose):
// core/load_tools.cpp makes the LoadTool rows (what the tool can run and measure), which the spec
// parser, the plan and the runner read without linking the generators; agents/load/
// load_tool_entries.cpp declares and maps the tool's entry points, which its adapter defines:
//   std::unique_ptr<LoadServer> start_<stem>_server(const Workload&, const ServeOptions&);
//   Json run_<stem>(const Workload&, const RunOptions&);
// Core only carries the stem as an opaque token it never expands, so it links and includes
// nothing of agents/ (ARCHITECTURE.md, "Boundaries").
//
//   NICTUNE_LOAD_TOOL(stem, name, fields...)
//     fields: LoadTool's designated initialisers after .name, in declaration order
//     (core/load_tools.hpp says what each means); T is WorkloadType, P is PollMode.

NICTUNE_LOAD_TOOL(builtin, "builtin",
                  .description =
                      "nictune's own generators (agents/load): every workload type, paced or "
                      "flat out, per-interval counts at both ends, RTT histograms",
                  .types = {T::kUdpStream, T::kUdpRr, T::kTcpStream, T::kTcpRr, T::kTcpCrr},
                  .poll_modes = {P::kBlocking, P::kBusyPoll, P::kSpin}, .gso = true,
                  .batching = true, .timestamps = true, .incoming_cpu = true,
                  .address_spread = true)
NICTUNE_LOAD_TOOL(
    iperf3, "iperf3",
    .description = "iperf3 (Debian package iperf3), read through -J: stream throughput",
    .program = "iperf3", .types = {T::kUdpStream, T::kTcpStream}, .poll_modes = {P::kBlocking},
    .duration_flag = "-t", .warmup_flag = "-O", .min_interval_ms = 100, .max_interval_ms = 60000,
    .interval_flag = "-i", .busy_poll = false)
NICTUNE_LOAD_TOOL(sockperf, "sockperf",
                  .description =
                      "sockperf (Debian package sockperf): ping-pong latency from its full "
                      "log, throughput from its summary",
                  .program = "sockperf",
                  .types = {T::kUdpStream, T::kUdpRr, T::kTcpStream, T::kTcpRr},
                  .poll_modes = {P::kBlocking, P::kBusyPoll, P::kSpin}, .duration_flag = "-t",
                  .max_payload = 65507, .many_flows = false, .many_threads = false,
                  .no_rate_search =
                      "its throughput count includes its own warm-up, so the loss at an "
                      "offered rate is not known")

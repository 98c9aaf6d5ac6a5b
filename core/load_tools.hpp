// The load tools a workload may name (workload.tool), one row each of core/load_tool_table.hpp:
// what the tool can run and measure. The spec parser validates a workload against its tool's row
// (core/workload.cpp), the runner reads the row where a tool's limits matter (whole-second trials
// of a rate search), and the agent reads the same row for the tool's entry points
// (agents/load/load_tool_entries.cpp). No code outside the table and the tool's own
// implementation spells a tool's name or asks which tool it is.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/workload.hpp"

namespace nictune {

struct LoadTool {
  std::string name{};
  std::string description{};  // one line for docs and errors
  std::string program{};      // the executable it runs, found on the agent's PATH; "" = none
  std::vector<WorkloadType> types{};   // the workload types it runs
  std::vector<PollMode> poll_modes{};  // how its receivers may wait
  // The tool's option for the duration when it takes whole seconds only ("-t"; "" when
  // fractional seconds are fine; rate-search trials then last whole seconds too), and for the
  // warm-up ("-O"; "" when the warm-up may be fractional). Named in the error messages.
  std::string duration_flag{};
  std::string warmup_flag{};
  // Interval reports the tool can give (0 = the workload's own range); `interval_flag` names the
  // tool's option in the error message.
  int min_interval_ms = 0;
  int max_interval_ms = 0;
  std::string interval_flag{};
  // The largest payload it sends in one message (sockperf: 65507, for TCP too); 0 = the
  // workload's own limits.
  int max_payload = 0;
  bool busy_poll = true;     // sets SO_BUSY_POLL (busy_poll_us)
  bool many_flows = true;    // flows > 1
  bool many_threads = true;  // threads > 1
  // Why it cannot take part in a rate search (which judges each offered rate by its loss); ""
  // when it can.
  std::string no_rate_search{};
  bool gso = false;             // UDP_SEGMENT sends
  bool batching = false;        // sendmmsg/recvmmsg vectors (workload.batch)
  bool timestamps = false;      // SO_TIMESTAMPNS receive times
  bool incoming_cpu = false;    // SO_INCOMING_CPU
  bool address_spread = false;  // source_prefix/source_addresses (udp_stream)

  bool runs(WorkloadType type) const;
  bool waits(PollMode mode) const;
};

// Every tool, the default (a workload without "tool") first.
const std::vector<LoadTool>& load_tools();
const LoadTool& default_load_tool();
std::vector<std::string> load_tool_names();
// nullptr for an unknown name (the workload parser reports it with the names).
const LoadTool* find_load_tool(std::string_view name);

// "\"builtin\" or \"sockperf\"": the tools that run `type` and pass `can`, for "use tool ..."
// hints; "" when none does.
std::string load_tools_that(WorkloadType type, bool (*can)(const LoadTool&));

}  // namespace nictune

// What load a trial runs: the workload object of an experiment spec and of the agent's
// serve.start / load.run requests. Shared by the spec validator (orchestrator) and the load
// generators (agents/load), so both accept exactly the same documents and say the same things
// about the ones they refuse.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/issues.hpp"
#include "core/json_util.hpp"
#include "core/rate_search_spec.hpp"

namespace nictune {

enum class WorkloadType { kUdpStream, kUdpRr, kTcpStream, kTcpRr, kTcpCrr };
// A row of core/load_tools.hpp: which tool runs the workload and what it can do.
struct LoadTool;
const LoadTool& default_load_tool();
// How receivers wait: blocking syscalls, blocking with SO_BUSY_POLL, or a user-space spin on
// MSG_DONTWAIT / zero-timeout polls.
enum class PollMode { kBlocking, kBusyPoll, kSpin };

std::string_view to_string(WorkloadType type);
std::string_view to_string(PollMode mode);

struct Workload {
  WorkloadType type = WorkloadType::kUdpStream;
  const LoadTool* tool = &default_load_tool();  // never null: a row of load_tools()
  int payload = 64;                             // bytes per datagram / request / response / write
  int flows = 1;           // distinct 5-tuples (source ports) or TCP connections
  int threads = 1;         // generator threads; server threads for UDP and tcp_crr
  double rate_pps = 0;     // open-loop target over all flows, packets (or transactions)/s; 0 = max
  double duration_s = 10;  // measured time
  double warmup_s = 1;     // run before the measurement, discarded
  int interval_ms = 1000;  // per-interval samples
  int busy_poll_us = 0;    // SO_BUSY_POLL; poll_mode busy_poll uses 50 when this is 0
  PollMode poll_mode = PollMode::kBlocking;
  int batch = 64;              // sendmmsg/recvmmsg vector length
  bool gso = false;            // udp_stream: UDP_SEGMENT, one send of `batch` datagrams
  bool timestamps = false;     // SO_TIMESTAMPNS: kernel receive times
  bool incoming_cpu = false;   // SO_INCOMING_CPU: which CPU the packets landed on
  int reply_timeout_ms = 500;  // request/response: a reply later than this counts as lost
  double peer_timeout_s = 3;   // no progress for this long: the peer is declared dead
  // Set: each trial searches the offered rate (rate_pps) instead of running one rate.
  std::optional<RateSearchSpec> rate_search;

  bool is_udp() const { return type == WorkloadType::kUdpStream || type == WorkloadType::kUdpRr; }
  bool is_stream() const {
    return type == WorkloadType::kUdpStream || type == WorkloadType::kTcpStream;
  }
  // request/response kinds (udp_rr, tcp_rr, tcp_crr): closed loop, RTT histogram.
  bool is_rr() const { return !is_stream(); }
  // busy_poll_us as applied to sockets (the poll_mode default included).
  int effective_busy_poll_us() const {
    return busy_poll_us == 0 && poll_mode == PollMode::kBusyPoll ? 50 : busy_poll_us;
  }
  // Number of per-interval records a full run has (the last one may be shorter).
  std::size_t interval_count() const;

  Json to_json() const;
};

// Every workload type, in the order the docs list them.
const std::vector<WorkloadType>& workload_types();
// The metric keys a measurement of `type` has whichever tool ran it (combine_load_results of
// both halves): what objectives over this workload can count on. tests/integration/load's
// contract suite holds every tool to it.
const std::vector<std::string>& promised_metrics(WorkloadType type);

// Every field name a workload object may have.
const std::vector<std::string>& workload_field_names();

// Checks a workload object and adds one issue per problem, each with its JSON path below `path`
// ("workload.payload: expected an integer from 18 to 65507, found \"64\""). Unknown fields are
// issues with a did-you-mean. Cross-field rules (tool/type support) are checked too.
void validate_workload(const Json& doc, const std::string& path, Issues& issues);

// Validates and converts; throws Error(kInvalid) listing every issue.
Workload parse_workload(const Json& doc, const std::string& path = "workload");

}  // namespace nictune

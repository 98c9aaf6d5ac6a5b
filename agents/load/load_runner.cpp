#include "agents/load/load_runner.hpp"

#include "agents/load/adapters.hpp"
#include "agents/load/builtin.hpp"
#include "agents/load/sys_util.hpp"
#include "core/errors.hpp"

namespace nictune::load {

std::unique_ptr<LoadServer> start_server(const Workload& w, const ServeOptions& options) {
  check_cpus_usable(options.cpus, "cpus");
  parse_address(options.bind, options.port, "bind");
  switch (w.tool) {
    case LoadTool::kIperf3:
      return start_iperf3_server(w, options);
    case LoadTool::kSockperf:
      return start_sockperf_server(w, options);
    case LoadTool::kBuiltin:
      break;
  }
  return w.is_udp() ? start_udp_server(w, options) : start_tcp_server(w, options);
}

Json run_load(const Workload& w, const RunOptions& options) {
  check_cpus_usable(options.cpus, "cpus");
  if (options.port <= 0 || options.port > 65535) {
    throw invalid(
        "port: expected the server's port from 1 to 65535 (serve.start returns it), found " +
        std::to_string(options.port));
  }
  parse_address(options.target, options.port, "target");
  if (!options.bind.empty()) parse_address(options.bind, 0, "bind");
  switch (w.tool) {
    case LoadTool::kIperf3:
      return run_iperf3(w, options);
    case LoadTool::kSockperf:
      return run_sockperf(w, options);
    case LoadTool::kBuiltin:
      break;
  }
  switch (w.type) {
    case WorkloadType::kUdpStream:
      return run_udp_stream(w, options);
    case WorkloadType::kUdpRr:
      return run_udp_rr(w, options);
    case WorkloadType::kTcpStream:
      return run_tcp_stream(w, options);
    case WorkloadType::kTcpRr:
    case WorkloadType::kTcpCrr:
      return run_tcp_rr(w, options);
  }
  throw Error(ErrorCode::kInternal, "unknown workload type");
}

}  // namespace nictune::load

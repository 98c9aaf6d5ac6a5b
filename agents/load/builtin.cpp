// The builtin tool's own dispatch: which generator and server run each workload type.
#include "agents/load/builtin.hpp"

#include "core/errors.hpp"

namespace nictune::load {

std::unique_ptr<LoadServer> start_builtin_server(const Workload& w, const ServeOptions& options) {
  return w.is_udp() ? start_udp_server(w, options) : start_tcp_server(w, options);
}

Json run_builtin(const Workload& w, const RunOptions& options) {
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

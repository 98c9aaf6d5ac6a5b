// Merging the two halves of a load measurement: what the generator (load.run) and the server
// (serve.stop) each saw. A pure function, linked by the orchestrator.
#pragma once

#include "core/json_util.hpp"
#include "core/workload.hpp"

namespace nictune {

// {"metrics": {...}, "counts": {...}, "intervals": [...], "histogram": {...}}: every metric
// named in core/metrics.hpp. For udp_stream: received packets come from the server (or from the
// tool's own report when the server side has none, as with iperf3), lost = sent - received, so
// sent = received + lost; rates use the client's measured duration. Request/response kinds take
// RTT and transactions from the client. `server_result` may be null or {} (server unreachable).
Json combine_load_results(const Workload& workload, const Json& client_result,
                          const Json& server_result);

}  // namespace nictune

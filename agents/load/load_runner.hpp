// The load generators' entry points, whatever the tool: start a server (sink, echo) that runs in
// its own threads until stopped, or run the client side of a workload to completion. The agent
// methods (serve.start, serve.stop, load.run) are thin wrappers around these.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/json_util.hpp"
#include "core/workload.hpp"

namespace nictune::load {

struct ServeOptions {
  std::string bind = "0.0.0.0";  // numeric address to listen on
  int port = 0;                  // 0: the kernel picks
  std::vector<unsigned> cpus;    // server threads pinned round-robin; empty: not pinned
  std::string search_path;       // PATH for iperf3/sockperf; "" = the agent's own PATH
};

struct RunOptions {
  std::string target = "127.0.0.1";  // numeric address of the server
  int port = 0;
  std::string bind;  // source address; "" = chosen by routing
  // Address-spread flows (workload source_prefix/source_addresses): flow i binds to
  // flow_sources[i mod size] instead of `bind`. Empty: every flow uses `bind`.
  std::vector<std::string> flow_sources;
  std::vector<unsigned> cpus;  // generator threads pinned round-robin; empty: not pinned
  std::string search_path;     // PATH for iperf3/sockperf; "" = the agent's own PATH
};

class LoadServer {
 public:
  virtual ~LoadServer() = default;
  virtual int port() const = 0;
  // Stops the server and returns {"metrics": {...}, "counts": {...}, "intervals": [...],
  // "details": {...}}. Called once; bounded in time.
  virtual Json stop() = 0;
};

// Throws nictune::Error: kInvalid (bad options), kUnsupported (tool missing), kIo (bind...).
std::unique_ptr<LoadServer> start_server(const Workload& workload, const ServeOptions& options);

// Runs warm-up plus duration against a server and returns {"tool", "type", "duration_s",
// "metrics", "counts", "intervals", "histogram" (request/response kinds), "details"}. Bounded in
// time even when the peer dies: throws Error(kIo) naming what happened.
Json run_load(const Workload& workload, const RunOptions& options);

}  // namespace nictune::load

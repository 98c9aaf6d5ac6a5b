#include "agents/load/load_runner.hpp"

#include "agents/load/load_tool_entries.hpp"
#include "agents/load/sys_util.hpp"
#include "core/errors.hpp"

namespace nictune::load {

std::unique_ptr<LoadServer> start_server(const Workload& w, const ServeOptions& options) {
  check_cpus_usable(options.cpus, "cpus");
  parse_address(options.bind, options.port, "bind");
  return load_tool_entry(w).start_server(w, options);
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
  return load_tool_entry(w).run(w, options);
}

}  // namespace nictune::load

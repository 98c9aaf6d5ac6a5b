// A load tool's server and client entry points under its name: core/load_tool_table.hpp's rows,
// read here for `start_<stem>_server` and `run_<stem>` (defined in the tool's adapter), while core
// reads the same rows for what the tool can do without linking the generators.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "agents/load/load_runner.hpp"

namespace nictune::load {

struct LoadToolEntry {
  std::unique_ptr<LoadServer> (*start_server)(const Workload&, const ServeOptions&);
  Json (*run)(const Workload&, const RunOptions&);
};

// Tool name -> entry points.
const std::map<std::string, LoadToolEntry>& load_tool_entries();
// The entry of the workload's tool; throws Error(kInternal) when the table lacks it.
const LoadToolEntry& load_tool_entry(const Workload& workload);

}  // namespace nictune::load

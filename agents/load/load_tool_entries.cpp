#include "agents/load/load_tool_entries.hpp"

#include "core/errors.hpp"
#include "core/load_tools.hpp"

namespace nictune::load {

// Each row's entry points, defined in its adapter.
#define NICTUNE_LOAD_TOOL(stem, ...)                                                       \
  std::unique_ptr<LoadServer> start_##stem##_server(const Workload&, const ServeOptions&); \
  Json run_##stem(const Workload&, const RunOptions&);
#include "core/load_tool_table.hpp"
#undef NICTUNE_LOAD_TOOL

const std::map<std::string, LoadToolEntry>& load_tool_entries() {
  static const std::map<std::string, LoadToolEntry> table = {
#define NICTUNE_LOAD_TOOL(stem, tool_name, ...) {tool_name, {start_##stem##_server, run_##stem}},
#include "core/load_tool_table.hpp"
#undef NICTUNE_LOAD_TOOL
  };
  return table;
}

const LoadToolEntry& load_tool_entry(const Workload& workload) {
  auto it = load_tool_entries().find(workload.tool->name);
  if (it == load_tool_entries().end()) {
    throw Error(ErrorCode::kInternal,
                "load tool \"" + workload.tool->name + "\" has no entry points in this agent");
  }
  return it->second;
}

}  // namespace nictune::load

#include "core/load_tools.hpp"

#include <algorithm>

namespace nictune {

namespace {
using T = WorkloadType;  // the table's shorthand
using P = PollMode;
}  // namespace

const std::vector<LoadTool>& load_tools() {
  static const std::vector<LoadTool> tools = {
#define NICTUNE_LOAD_TOOL(stem, tool_name, ...) LoadTool{.name = tool_name, __VA_ARGS__},
#include "core/load_tool_table.hpp"
#undef NICTUNE_LOAD_TOOL
  };
  return tools;
}

const LoadTool& default_load_tool() {
  return load_tools().front();
}

std::vector<std::string> load_tool_names() {
  std::vector<std::string> names;
  for (const LoadTool& tool : load_tools()) names.push_back(tool.name);
  return names;
}

const LoadTool* find_load_tool(std::string_view name) {
  for (const LoadTool& tool : load_tools()) {
    if (tool.name == name) return &tool;
  }
  return nullptr;
}

bool LoadTool::runs(WorkloadType type) const {
  return std::find(types.begin(), types.end(), type) != types.end();
}

bool LoadTool::waits(PollMode mode) const {
  return std::find(poll_modes.begin(), poll_modes.end(), mode) != poll_modes.end();
}

std::string load_tools_that(WorkloadType type, bool (*can)(const LoadTool&)) {
  std::vector<std::string> quoted;
  for (const LoadTool& tool : load_tools()) {
    if (tool.runs(type) && can(tool)) quoted.push_back("\"" + tool.name + "\"");
  }
  std::string out;
  for (std::size_t i = 0; i < quoted.size(); ++i) {
    if (i > 0) out += i + 1 == quoted.size() ? " or " : ", ";
    out += quoted[i];
  }
  return out;
}

}  // namespace nictune

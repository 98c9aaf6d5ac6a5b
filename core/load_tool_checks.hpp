// The workload validator's questions to the load-tool rows (core/load_tools.hpp): which tool a
// workload names, and whether that tool can do what the workload asks. Each refusal is an issue
// at the field's JSON path that names the tools that could.
#pragma once

#include <string>

#include "core/issues.hpp"
#include "core/json_util.hpp"
#include "core/load_tools.hpp"

namespace nictune {

// workload.tool: a registered name, else an issue listing them (with a did-you-mean).
void read_load_tool(const Json& value, const std::string& path, Issues& issues,
                    const LoadTool*& tool);

// What `workload`'s tool cannot do, for the fields `doc` (the workload object at `path`) sets: a
// field left out asks for nothing, so a workload's own to_json() always validates.
void check_load_tool_limits(const Json& doc, const std::string& path, const Workload& workload,
                            Issues& issues);

}  // namespace nictune

// Space parameters that vary the trial's workload instead of a knob: "workload.<field>" (seed
// 002's table is layouts x packet sizes, so "workload.payload": [64, 512, 1472]). Such a
// parameter is a dimension of the search like any other (stored in the point, shown in reports)
// but is applied by the orchestrator to the workload it sends, never to a host.
#pragma once

#include <optional>
#include <string>

#include "core/issues.hpp"
#include "core/json_util.hpp"
#include "core/space.hpp"

namespace nictune {

// The workload field a space key names ("payload" for "workload.payload"), or nullopt when the
// key is not a workload parameter.
std::optional<std::string> workload_param_field(const std::string& key);

// Whether a workload field may be a search dimension; when not, `why` says so. The type, tool
// and rate search decide what a trial measures (its metrics), so they stay fixed per spec.
bool workload_field_searchable(const std::string& field, std::string* why);

// `workload` with the point's workload.* values applied (the point's other keys ignored).
Json workload_for_point(const Json& workload, const Point& point);

// Every value a workload parameter can take, applied to `workload`, must be a workload the agent
// accepts: problems are issues under "space.parameters.<key>" (".values[i]", ".min", ".max").
void validate_workload_params(const Space& space, const Json& workload, Issues& issues);

}  // namespace nictune

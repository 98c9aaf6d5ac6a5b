// The check script's read-back of the two ethtool settings whose query output is not
// "Field: value": the RSS indirection table (`ethtool -x`) and a flow type's hash fields
// (`ethtool -n IF rx-flow-hash FLOW`). Parsed with sh + awk, which a busybox guest has too.
#pragma once

#include <string>

#include "reports/export_commands.hpp"

namespace nictune::report {

// The sh functions nictune_check_rss and nictune_check_flow_hash (they use the check script's
// nictune_compare and nictune_cannot).
std::string rss_check_functions();

// The check line for an `ethtool -X` (equal N / weight W...) or `ethtool -N rx-flow-hash FLOW
// FIELDS` command; "" when the command is some other form of -X/-N, which the script cannot read.
std::string rss_check_line(const ExportCommand& command);

}  // namespace nictune::report

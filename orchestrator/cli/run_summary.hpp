// What `nictune run` prints when it ends: the Pareto-best configurations and where the database
// and the full report are.
#pragma once

#include <ostream>
#include <string>

#include "orchestrator/runner/runner.hpp"
#include "orchestrator/store/store.hpp"

namespace nictune::cli {

void print_run_summary(Store& store, const RunResult& result, const std::string& db_path,
                       std::ostream& out);

}  // namespace nictune::cli

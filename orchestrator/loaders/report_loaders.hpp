// Reading what reports/ works on out of a Store: reports/ itself takes plain records
// (core/records.hpp, core/trial.hpp) and knows nothing of the store, so the report, export,
// compare, check and models commands (and `run`'s closing summary) read through here. The
// functions keep their reports/ namespace: they are the report model's loaders, kept where the
// store may be seen.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "orchestrator/store/store.hpp"
#include "reports/compare.hpp"
#include "reports/export.hpp"
#include "reports/models.hpp"
#include "reports/report.hpp"

namespace nictune::report {

// Opens a database a reader was pointed at (--db), only if it exists: a reader must not create
// an empty database from a typo. Throws Error(kInvalid) naming the path when there is no such
// file or it is a directory.
std::unique_ptr<Store> open_existing_store(const std::string& path);

// `id_or_name` empty: the newest experiment. Throws Error(kInvalid) naming what was asked for
// (and what the database holds) when there is no such experiment.
ExperimentRecord resolve_experiment(Store& store, const std::string& id_or_name);
// The experiment's report, with its profile trials.
Report load_report(Store& store, const std::string& id_or_name);

// Finds the experiment holding `point_id` (newest first, or only `experiment` when given) and
// builds its export input.
ExportInput load_export_input(Store& store, std::int64_t point_id,
                              const std::string& experiment = "");

// compare_experiments over two experiments of one database, by id or name.
ComparisonResult compare_experiments(Store& store, const std::string& first,
                                     const std::string& second, const CompareOptions& options);

// The experiments of one database that recorded their DUT NIC, each with its report, shown as
// `database`.
ModelSource load_model_source(Store& store, const std::string& database);

}  // namespace nictune::report

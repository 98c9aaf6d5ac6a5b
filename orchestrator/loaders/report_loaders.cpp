#include "orchestrator/loaders/report_loaders.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <vector>

#include "core/errors.hpp"
#include "core/text_util.hpp"
#include "orchestrator/store/store_backends.hpp"
#include "reports/cli_support.hpp"

namespace nictune::report {

std::unique_ptr<Store> open_existing_store(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    throw invalid(
        "no database at \"" + path + "\"; --db names the file `nictune run` wrote" +
        (path == kDefaultDatabase ? " (the default is nictune.db in the current directory)" : ""));
  }
  if (fs::is_directory(path, ec))
    throw invalid("--db \"" + path + "\" is a directory, not a database file");
  return open_store(path);
}

ExperimentRecord resolve_experiment(Store& store, const std::string& id_or_name) {
  if (id_or_name.empty()) {
    auto all = store.experiments();
    if (all.empty())
      throw invalid("the database holds no experiment yet; `nictune run SPEC` makes one");
    return all.back();
  }
  if (auto e = store.find_experiment(id_or_name)) return *e;
  std::vector<std::string> names;
  std::string known;
  for (const auto& e : store.experiments()) {
    names.push_back(e.name);
    known += (known.empty() ? "" : ", ") + std::to_string(e.id) + " (" + e.name + ")";
  }
  throw invalid("no experiment \"" + id_or_name + "\" in the database" +
                did_you_mean(id_or_name, names) +
                (known.empty() ? "; it holds none" : "; it holds " + known));
}

Report load_report(Store& store, const std::string& id_or_name) {
  const ExperimentRecord e = resolve_experiment(store, id_or_name);
  Report r = build_report(e, store.hosts(e.id), store.trials(e.id));
  r.profile_trials = store.profile_trials(e.id);
  return r;
}

ExportInput load_export_input(Store& store, std::int64_t point_id, const std::string& experiment) {
  std::vector<ExperimentRecord> candidates;
  if (!experiment.empty()) {
    candidates.push_back(resolve_experiment(store, experiment));
  } else {
    candidates = store.experiments();
    std::reverse(candidates.begin(), candidates.end());
  }
  for (const auto& e : candidates) {
    auto trials = store.trials(e.id);
    for (const auto& t : trials) {
      if (t.point_id != point_id) continue;
      return export_input(build_report(e, store.hosts(e.id), trials), point_id);
    }
  }
  if (!experiment.empty()) {
    throw invalid("experiment \"" + experiment + "\" has no trial of point " +
                  std::to_string(point_id) + "; `nictune report` lists the point ids");
  }
  throw invalid("no experiment in the database measured point " + std::to_string(point_id) +
                (store.point(point_id) ? " (it was proposed but never run)" : "") +
                "; `nictune report` lists the point ids");
}

ComparisonResult compare_experiments(Store& store, const std::string& first,
                                     const std::string& second, const CompareOptions& options) {
  const Report a = load_report(store, first);
  const Report b = load_report(store, second);
  return compare_experiments(a, b, options);
}

ModelSource load_model_source(Store& store, const std::string& database) {
  std::map<std::int64_t, std::vector<ExperimentNic>> nics;
  for (auto& row : store.experiment_nics()) nics[row.experiment_id].push_back(std::move(row));
  ModelSource source;
  source.database = database;
  for (const auto& e : store.experiments()) {
    auto it = nics.find(e.id);
    if (it == nics.end()) continue;  // no DUT NIC recorded: it belongs to no model
    source.experiments.push_back(
        {e, std::move(it->second), load_report(store, std::to_string(e.id))});
  }
  return source;
}

}  // namespace nictune::report

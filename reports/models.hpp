// What the lab knows per NIC model (`nictune models`): every experiment grouped by its DUT NIC's
// model (core/nic_identity.hpp), and the best configurations across those experiments and
// kernels, each with its figures and where it was measured.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "core/nic_identity.hpp"
#include "core/objective.hpp"
#include "core/records.hpp"
#include "core/statistics.hpp"
#include "reports/report.hpp"

namespace nictune::report {

// One experiment on the model, and where it ran.
struct ModelExperiment {
  std::string database;
  std::int64_t id = 0;
  std::string name;
  std::string bench;
  std::string status;
  double created_at = 0;
  NicIdentity nic;                 // firmware, speed, kernel and host of this measurement
  std::size_t configurations = 0;  // distinct points with a complete trial
};

// A configuration on its experiment's Pareto front.
struct ModelConfiguration {
  std::size_t experiment = 0;  // index into ModelSummary::experiments
  Json config = Json::object();
  std::string label;  // "rps=all", "(baseline)"
  bool baseline = false;
  std::vector<stats::Summary> figures;  // per objective of its group
  // Not beaten by any other configuration of the group, whichever experiment measured it.
  bool best_across = false;
};

// Configurations of the experiments that share one set of objectives (same metrics and goals).
struct ObjectiveGroup {
  std::vector<Objective> objectives;
  std::vector<ModelConfiguration> configurations;  // best_across first, then first objective
};

struct ModelSummary {
  std::string model;  // NicIdentity::model_key()
  std::string driver, pci_id;
  std::vector<ModelExperiment> experiments;  // by database, then id
  std::vector<ObjectiveGroup> groups;
};

// One experiment as its database holds it: the record, the DUT NIC of each bench, the report.
struct StoredExperiment {
  ExperimentRecord record;
  std::vector<ExperimentNic> nics;
  Report report;
};

// One database's experiments, read by orchestrator/loaders (load_model_source).
struct ModelSource {
  std::string database;                       // the name shown ("nictune.db")
  std::vector<StoredExperiment> experiments;  // in the database's order
};

// Models sorted by key. Experiments without a recorded NIC are left out (none since migration 4
// filled in every DUT).
std::vector<ModelSummary> build_model_summaries(const std::vector<ModelSource>& sources);

// "warm start (NIC model veth): 5 point(s) of experiment(s) 1, 2 measured first, 24
// observation(s) for the model", or "" for an experiment that started cold.
std::string warm_start_text(const ExperimentRecord& experiment);

void render_models_text(const std::vector<ModelSummary>& models, std::ostream& out);
void render_models_md(const std::vector<ModelSummary>& models, std::ostream& out);
void render_models_json(const std::vector<ModelSummary>& models, std::ostream& out);

}  // namespace nictune::report

// Where every experiment, host, point, trial, metric and sample lives: the interface alone. The
// runner, the commands and the report loaders see `Store&` only; which implementation keeps a
// location is chosen in one place (store_backends.hpp), and every row there passes
// tests/unit/orchestrator's store contract suite.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/json_util.hpp"
#include "core/records.hpp"
#include "core/trial.hpp"

namespace nictune {

class Store {
 public:
  virtual ~Store() = default;

  virtual std::int64_t create_experiment(const std::string& name, const Json& spec,
                                         const std::string& tool_version) = 0;
  virtual std::optional<ExperimentRecord> experiment(std::int64_t id) = 0;
  // By numeric id or by name (the newest experiment with that name).
  virtual std::optional<ExperimentRecord> find_experiment(const std::string& id_or_name) = 0;
  virtual std::vector<ExperimentRecord> experiments() = 0;
  virtual void set_experiment_status(std::int64_t id, ExperimentStatus status) = 0;
  virtual void set_warm_start(std::int64_t id, const Json& reused) = 0;

  virtual std::int64_t record_host(std::int64_t experiment, const std::string& role,
                                   const std::string& bench, const Json& facts) = 0;
  // Recording a "dut" also records its NIC's identity (nic_identity_from_facts) for the bench.
  virtual std::vector<HostRecord> hosts(std::int64_t experiment) = 0;
  // Every experiment's DUT NIC, by experiment id then bench.
  virtual std::vector<ExperimentNic> experiment_nics() = 0;

  // The id of a canonical point, inserting it once: the same configuration is one row.
  virtual std::int64_t intern_point(std::int64_t experiment, const Json& canonical_point) = 0;
  virtual std::optional<Json> point(std::int64_t point_id) = 0;

  virtual std::int64_t begin_trial(std::int64_t experiment, std::int64_t point, int repetition,
                                   bool baseline, const std::string& bench) = 0;
  virtual void heartbeat(std::int64_t trial) = 0;
  // Commits state, metrics (units from the metric catalog) and details at once.
  virtual void finish_trial(std::int64_t trial, const Outcome& outcome) = 0;
  virtual void add_samples(std::int64_t trial, const std::vector<SampleRecord>& samples) = 0;

  virtual std::vector<TrialRecord> trials(std::int64_t experiment) = 0;
  virtual std::vector<SampleRecord> samples(std::int64_t trial) = 0;

  // Profile trials (spec "profile"): a point measured once more with the DUT sampled by perf;
  // outcome.details["profile"] holds the folded stacks. Kept apart from trials(): the search's
  // statistics never see them. `record.id` is ignored; returns the new id.
  virtual std::int64_t record_profile_trial(const TrialRecord& record) = 0;
  virtual std::vector<TrialRecord> profile_trials(std::int64_t experiment) = 0;

  // Marks trials still "running" whose heartbeat is older than `stale_after_s` as failed
  // ("interrupted: no heartbeat since ..."). Returns how many.
  virtual int recover_stale_trials(std::int64_t experiment, double stale_after_s) = 0;
};

}  // namespace nictune

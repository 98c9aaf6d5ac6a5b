// Rows the store keeps besides trials: experiments, hosts, samples. Plain data, shared by the
// store, the runner and reports.
#pragma once

#include <cstdint>
#include <string>

#include "core/json_util.hpp"
#include "core/nic_identity.hpp"

namespace nictune {

// Where an experiment's run stands. kInterrupted: stopped by the user (Ctrl-C) or lost with its
// orchestrator; `--resume` continues it.
enum class ExperimentStatus { kRunning, kComplete, kInterrupted, kFailed };

// The words the store keeps in its status column and reports show.
inline std::string to_string(ExperimentStatus status) {
  switch (status) {
    case ExperimentStatus::kRunning:
      return "running";
    case ExperimentStatus::kComplete:
      return "complete";
    case ExperimentStatus::kInterrupted:
      return "interrupted";
    case ExperimentStatus::kFailed:
      return "failed";
  }
  return "failed";
}

struct ExperimentRecord {
  std::int64_t id = 0;
  std::string name;
  Json spec;  // the resolved spec as run
  std::string spec_hash;
  // to_string(ExperimentStatus) as stored; kept as text because reports show whatever an older
  // database holds (or "unknown" when empty).
  std::string status;
  std::string tool_version;
  double created_at = 0;  // unix seconds
  // What a warm start reused (orchestrator/runner/warm_start.hpp); {} when it was cold.
  Json warm_start = Json::object();
};

// The DUT NIC an experiment measured, per bench.
struct ExperimentNic {
  std::int64_t experiment_id = 0;
  std::string bench;
  NicIdentity nic;
};

struct HostRecord {
  std::int64_t id = 0;
  std::int64_t experiment_id = 0;
  std::string role;   // "dut" or "lg"
  std::string bench;  // bench name ("" for the only one)
  Json facts;         // the agent's probe: kernel, driver, firmware, CPU, NUMA, knobs
};

struct SampleRecord {
  double t = 0;  // seconds since the trial's measurement started
  std::string name;
  double value = 0;
};

}  // namespace nictune

// Rows the store keeps besides trials: experiments, hosts, samples. Plain data, shared by the
// store, the runner and reports.
#pragma once

#include <cstdint>
#include <string>

#include "core/json_util.hpp"
#include "core/nic_identity.hpp"

namespace nictune {

struct ExperimentRecord {
  std::int64_t id = 0;
  std::string name;
  Json spec;  // the resolved spec as run
  std::string spec_hash;
  std::string status;  // "running", "complete", "interrupted", "failed"
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

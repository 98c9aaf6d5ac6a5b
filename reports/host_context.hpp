// Where an experiment was measured, as every report format and export header states it: the
// host facts the agents probed (kernel, driver, firmware, NIC, CPU, NUMA) plus the tool version
// and the spec. Facts that a probe did not record say so instead of disappearing.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/json_util.hpp"
#include "core/records.hpp"

namespace nictune::report {

inline constexpr const char* kNotRecorded = "not recorded";

struct HostContext {
  std::string role;   // "dut", "lg"
  std::string bench;  // "" for the only pair
  // In a fixed order: hostname, kernel, driver, firmware, nic, cpu, numa; values are
  // kNotRecorded when the facts do not have them.
  std::vector<std::pair<std::string, std::string>> fields;
  std::string get(const std::string& key) const;
};

// Reads the facts leniently: each field is looked up under several names because probes of
// different agent versions nest them differently (facts.driver, facts.interface.driver, ...).
HostContext host_context(const HostRecord& host);

// The DUT first (then LG), in bench order.
std::vector<HostContext> host_contexts(const std::vector<HostRecord>& hosts);

// "2024-05-01 12:00:00 UTC"; "" for 0.
std::string format_utc(double unix_seconds);

}  // namespace nictune::report

// The host's CPU topology as sysfs describes it: online CPUs, SMT siblings, cores, packages,
// NUMA nodes, isolated CPUs. Any CPU count; everything is a CpuSet.
#pragma once

#include <map>
#include <string>

#include "agents/knobs/kernel_files.hpp"
#include "core/cpu_set.hpp"
#include "core/json_util.hpp"

namespace nictune::agent {

struct Topology {
  CpuSet online;
  CpuSet possible;
  CpuSet isolated;  // isolcpus= (sched domain isolation)
  CpuSet nohz_full;
  unsigned nr_cpu_ids = 0;               // bits in a kernel CPU mask: highest possible CPU + 1
  std::map<unsigned, CpuSet> nodes;      // NUMA node -> its online CPUs (one node 0 when absent)
  std::map<unsigned, CpuSet> siblings;   // online CPU -> its SMT thread siblings (itself included)
  std::map<unsigned, unsigned> core;     // online CPU -> core id
  std::map<unsigned, unsigned> package;  // online CPU -> physical package id

  // Online CPUs of a node; all online CPUs for node -1 (unknown) or a node without CPUs.
  CpuSet node_cpus(int node) const;
  int node_of(unsigned cpu) const;  // -1 when unknown
  unsigned threads_per_core() const;
  std::size_t core_count() const;  // distinct (package, core) pairs
  std::size_t package_count() const;
  Json to_json() const;
};

// Reads <sysfs>/devices/system/cpu and node. Throws Error(kIo) when the online CPU list cannot
// be read; every other file is optional (containers and old kernels lack some).
Topology probe_topology(const KernelFiles& files);

}  // namespace nictune::agent

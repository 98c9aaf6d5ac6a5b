#include "agents/topology/topology.hpp"

#include <set>
#include <utility>

#include "core/errors.hpp"

namespace nictune::agent {
namespace {

// A CPU list file, or `fallback` when it is missing or unreadable.
CpuSet read_cpu_list(const std::string& path, const CpuSet& fallback) {
  std::string text;
  if (read_text(path, text) != 0) return fallback;
  try {
    return CpuSet::parse_list(text);
  } catch (const Error&) {
    return fallback;
  }
}

bool read_unsigned(const std::string& path, unsigned& out) {
  std::string text;
  long long value = 0;
  if (read_text(path, text) != 0 || !parse_int64(text, value) || value < 0) return false;
  out = static_cast<unsigned>(value);
  return true;
}

}  // namespace

CpuSet Topology::node_cpus(int node) const {
  if (node < 0) return online;
  auto it = nodes.find(static_cast<unsigned>(node));
  if (it == nodes.end() || it->second.empty()) return online;
  return it->second;
}

int Topology::node_of(unsigned cpu) const {
  for (const auto& [node, cpus] : nodes) {
    if (cpus.contains(cpu)) return static_cast<int>(node);
  }
  return -1;
}

unsigned Topology::threads_per_core() const {
  std::size_t most = 1;
  for (const auto& [cpu, set] : siblings) most = std::max(most, set.count());
  return static_cast<unsigned>(most);
}

std::size_t Topology::core_count() const {
  std::set<std::pair<unsigned, unsigned>> cores;
  for (const auto& [cpu, id] : core) {
    auto p = package.find(cpu);
    cores.insert({p == package.end() ? 0 : p->second, id});
  }
  return cores.empty() ? online.count() : cores.size();
}

std::size_t Topology::package_count() const {
  std::set<unsigned> packages;
  for (const auto& [cpu, id] : package) packages.insert(id);
  return packages.empty() ? 1 : packages.size();
}

Json Topology::to_json() const {
  Json node_json = Json::object();
  for (const auto& [node, cpus] : nodes) node_json[std::to_string(node)] = cpus.to_list();
  // SMT groups once each, by their lowest CPU.
  std::set<std::string> groups;
  Json smt = Json::array();
  for (const auto& [cpu, set] : siblings) {
    if (set.count() > 1 && groups.insert(set.to_list()).second) smt.push_back(set.to_list());
  }
  return {{"cpus_online", online.to_list()},
          {"cpus_possible", possible.to_list()},
          {"nr_cpu_ids", nr_cpu_ids},
          {"isolated", isolated.to_list()},
          {"nohz_full", nohz_full.to_list()},
          {"numa_nodes", node_json},
          {"threads_per_core", threads_per_core()},
          {"smt_groups", smt},
          {"cores", core_count()},
          {"packages", package_count()}};
}

Topology probe_topology(const KernelFiles& files) {
  Topology t;
  std::string online_text;
  if (int error = read_text(files.sys("devices/system/cpu/online"), online_text)) {
    throw errno_error(error, "reading " + files.sys("devices/system/cpu/online"));
  }
  t.online = CpuSet::parse_list(online_text);
  if (t.online.empty())
    throw Error(ErrorCode::kIo, files.sys("devices/system/cpu/online") + ": no CPU online");
  t.possible = read_cpu_list(files.sys("devices/system/cpu/possible"), t.online) | t.online;
  t.isolated = read_cpu_list(files.sys("devices/system/cpu/isolated"), CpuSet());
  t.nohz_full = read_cpu_list(files.sys("devices/system/cpu/nohz_full"), CpuSet());
  t.nr_cpu_ids = t.possible.span();

  for (unsigned cpu : t.online.cpus()) {
    std::string dir = files.sys("devices/system/cpu/cpu" + std::to_string(cpu) + "/topology/");
    CpuSet self;
    self.add(cpu);
    CpuSet siblings = read_cpu_list(dir + "thread_siblings_list", self);
    if (siblings.empty()) siblings = read_cpu_list(dir + "core_cpus_list", self);
    t.siblings[cpu] = (siblings & t.online) | self;
    unsigned id = 0;
    if (read_unsigned(dir + "core_id", id)) t.core[cpu] = id;
    if (read_unsigned(dir + "physical_package_id", id)) t.package[cpu] = id;
  }

  for (const auto& entry : list_directory(files.sys("devices/system/node"))) {
    unsigned node = 0;
    long long value = 0;
    if (!entry.starts_with("node") || !parse_int64(entry.substr(4), value) || value < 0) continue;
    node = static_cast<unsigned>(value);
    CpuSet cpus = read_cpu_list(files.sys("devices/system/node/" + entry + "/cpulist"), CpuSet());
    t.nodes[node] = cpus & t.online;
  }
  if (t.nodes.empty()) t.nodes[0] = t.online;
  return t;
}

}  // namespace nictune::agent

#include "reports/host_context.hpp"

#include <algorithm>
#include <ctime>
#include <initializer_list>

namespace nictune::report {
namespace {

// facts at a dotted path ("interface.driver"), or nullptr.
const Json* at_path(const Json& facts, const std::string& path) {
  const Json* node = &facts;
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t dot = path.find('.', start);
    const std::string key =
        path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!node->is_object()) return nullptr;
    auto it = node->find(key);
    if (it == node->end()) return nullptr;
    node = &*it;
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return node->is_null() ? nullptr : node;
}

std::string scalar_text(const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return value.get<bool>() ? "yes" : "no";
  if (value.is_number_integer()) return std::to_string(value.get<long long>());
  if (value.is_number()) return value.dump();
  if (value.is_array()) {
    std::string out;
    for (const auto& item : value) out += (out.empty() ? "" : ",") + scalar_text(item);
    return out;
  }
  return value.dump();
}

std::string first_text(const Json& facts, std::initializer_list<const char*> paths) {
  for (const char* path : paths) {
    const Json* value = at_path(facts, path);
    if (!value || value->is_object()) continue;
    std::string text = scalar_text(*value);
    if (!text.empty()) return text;
  }
  return "";
}

std::string join_present(std::initializer_list<std::string> parts, const std::string& sep) {
  std::string out;
  for (const auto& part : parts) {
    if (part.empty()) continue;
    out += (out.empty() ? "" : sep) + part;
  }
  return out;
}

std::string or_not_recorded(std::string text) {
  return text.empty() ? kNotRecorded : text;
}

std::string numa_text(const Json& facts) {
  std::string nodes;
  for (const char* path : {"numa.nodes", "numa_nodes", "numa", "topology.numa_nodes"}) {
    const Json* value = at_path(facts, path);
    if (!value) continue;
    if (value->is_number_integer()) nodes = std::to_string(value->get<long long>());
    if (value->is_array()) nodes = std::to_string(value->size());
    if (!nodes.empty()) break;
  }
  std::string nic_node =
      first_text(facts, {"interface.numa_node", "nic.numa_node", "numa.nic_node"});
  std::string out;
  if (!nodes.empty()) out = nodes + (nodes == "1" ? " node" : " nodes");
  if (!nic_node.empty() && nic_node != "-1") {
    out += (out.empty() ? "" : ", ") + std::string("NIC on node ") + nic_node;
  }
  return out;
}

}  // namespace

std::string HostContext::get(const std::string& key) const {
  for (const auto& [k, v] : fields) {
    if (k == key) return v;
  }
  return kNotRecorded;
}

HostContext host_context(const HostRecord& host) {
  const Json& f = host.facts;
  HostContext c;
  c.role = host.role;
  c.bench = host.bench;
  c.fields.emplace_back("hostname",
                        or_not_recorded(first_text(f, {"hostname", "host", "nodename"})));
  c.fields.emplace_back(
      "kernel", or_not_recorded(first_text(f, {"kernel", "kernel.release", "uname.release"})));
  c.fields.emplace_back(
      "driver", or_not_recorded(join_present(
                    {first_text(f, {"driver", "interface.driver", "nic.driver", "ethtool.driver"}),
                     first_text(f, {"driver_version", "interface.driver_version",
                                    "nic.driver_version", "ethtool.version"})},
                    " ")));
  c.fields.emplace_back("firmware", or_not_recorded(first_text(
                                        f, {"firmware", "firmware_version", "interface.firmware",
                                            "nic.firmware", "ethtool.firmware"})));
  const std::string interface = first_text(f, {"interface.name", "interface", "nic.interface"});
  const std::string bus = first_text(f, {"interface.bus_info", "nic.bus_info", "bus_info"});
  c.fields.emplace_back(
      "nic",
      or_not_recorded(join_present(
          {first_text(f, {"nic.model", "nic.name", "nic", "interface.model", "nic_model"}),
           interface.empty() && bus.empty() ? std::string()
                                            : "(" + join_present({interface, bus}, " at ") + ")"},
          " ")));
  std::string cpus = first_text(f, {"cpu.count", "cpu.cpus", "cpus", "online_cpus", "nproc"});
  if (!cpus.empty()) cpus = cpus + (cpus == "1" ? " CPU" : " CPUs");
  c.fields.emplace_back("cpu", or_not_recorded(join_present(
                                   {first_text(f, {"cpu.model", "cpu_model", "cpu", "machine"}),
                                    cpus.empty() ? std::string() : "(" + cpus + ")"},
                                   " ")));
  c.fields.emplace_back("numa", or_not_recorded(numa_text(f)));
  return c;
}

std::vector<HostContext> host_contexts(const std::vector<HostRecord>& hosts) {
  std::vector<HostContext> out;
  for (const auto& h : hosts) out.push_back(host_context(h));
  std::stable_sort(out.begin(), out.end(), [](const HostContext& a, const HostContext& b) {
    if (a.bench != b.bench) return a.bench < b.bench;
    return (a.role == "dut" ? 0 : 1) < (b.role == "dut" ? 0 : 1);
  });
  return out;
}

std::string format_utc(double unix_seconds) {
  if (unix_seconds <= 0) return "";
  const auto t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

}  // namespace nictune::report

#include "agents/topology/host_facts.hpp"

#include <sys/utsname.h>

#include <sstream>

#include "core/nic_identity.hpp"

namespace nictune::agent {
namespace {

std::string trim(std::string s) {
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
    s.pop_back();
  std::size_t start = s.find_first_not_of(" \t");
  return start == std::string::npos ? std::string() : s.substr(start);
}

std::string unquote(std::string s) {
  s = trim(s);
  if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'') && s.back() == s.front())
    s = s.substr(1, s.size() - 2);
  return s;
}

std::string read_or_empty(const std::string& path) {
  std::string text;
  if (read_text(path, text) != 0) return std::string();
  return trim(text);
}

}  // namespace

std::string cpu_model_from_cpuinfo(const std::string& cpuinfo) {
  std::istringstream in(cpuinfo);
  std::string line, fallback;
  while (std::getline(in, line)) {
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string key = trim(line.substr(0, colon));
    std::string value = trim(line.substr(colon + 1));
    if (key == "model name" && !value.empty()) return value;
    if ((key == "Model" || key == "Hardware") && fallback.empty()) fallback = value;
    if (key == "CPU part" && fallback.empty()) fallback = "CPU part " + value;
  }
  return fallback;
}

std::string distro_from_os_release(const std::string& text) {
  std::istringstream in(text);
  std::string line, name, version;
  while (std::getline(in, line)) {
    auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string key = trim(line.substr(0, eq));
    std::string value = unquote(line.substr(eq + 1));
    if (key == "PRETTY_NAME" && !value.empty()) return value;
    if (key == "NAME") name = value;
    if (key == "VERSION_ID") version = value;
  }
  return trim(name + " " + version);
}

Json host_facts(const KernelFiles& files, const Topology& topology, const std::string& os_release) {
  utsname uts{};
  uname(&uts);
  std::string cpuinfo, release;
  read_text(files.proc("cpuinfo"), cpuinfo);
  read_text(os_release, release);
  std::size_t nodes_with_cpus = 0;
  for (const auto& [node, cpus] : topology.nodes) nodes_with_cpus += cpus.empty() ? 0 : 1;
  return {{"hostname", uts.nodename},
          {"kernel", uts.release},
          {"kernel_version", uts.version},
          {"machine", uts.machine},
          {"distro", distro_from_os_release(release)},
          {"cpu_model", cpu_model_from_cpuinfo(cpuinfo)},
          {"cpus_online", topology.online.count()},
          {"cpu_list", topology.online.to_list()},
          {"numa_nodes", nodes_with_cpus},
          {"smt_siblings", topology.threads_per_core()},
          {"cores", topology.core_count()},
          {"packages", topology.package_count()},
          {"isolated", topology.isolated.to_list()},
          {"cmdline", read_or_empty(files.proc("cmdline"))}};
}

Json nic_facts(const KernelFiles& files, Ethtool& ethtool, const std::string& interface,
               const NicDevice& device) {
  Json nic = {{"interface", interface},
              {"numa_node", device.numa_node},
              {"bus_info", device.bus_info},
              {"driver", device.driver},
              {"version", ""},
              {"firmware", ""},
              {"pci_id", ""}};
  // The model half of the NIC's identity (core/nic_identity.hpp); virtio-net's bus_dir is
  // already its PCI function.
  if (device.has_device) {
    nic["pci_id"] = pci_id_from_sysfs(read_or_empty(device.bus_dir + "/vendor"),
                                      read_or_empty(device.bus_dir + "/device"));
  }
  ethtool_drvinfo info{};
  if (int error = ethtool.get_drvinfo(interface, info); error == 0) {
    nic["driver"] = ethtool_string(info.driver, sizeof info.driver);
    nic["version"] = ethtool_string(info.version, sizeof info.version);
    nic["firmware"] = ethtool_string(info.fw_version, sizeof info.fw_version);
    std::string bus = ethtool_string(info.bus_info, sizeof info.bus_info);
    if (!bus.empty()) nic["bus_info"] = bus;
  } else {
    nic["drvinfo_error"] = describe_errno(error);
  }
  long long speed = -1;
  std::string text;
  // sysfs answers EINVAL while the link is down; -1 then.
  if (read_text(files.net(interface, "speed"), text) == 0 && parse_int64(text, speed) &&
      speed >= 0) {
    nic["speed_mbps"] = speed;
  } else {
    nic["speed_mbps"] = nullptr;
  }
  nic["operstate"] = read_or_empty(files.net(interface, "operstate"));
  long long mtu = 0;
  nic["mtu"] = parse_int64(read_or_empty(files.net(interface, "mtu")), mtu) ? Json(mtu) : Json();
  // The MAC identifies the interface across renames (exports match it: `--match mac`).
  nic["address"] = read_or_empty(files.net(interface, "address"));
  nic["local_cpus"] = device.local_cpus.to_list();
  return nic;
}

}  // namespace nictune::agent

#include "agents/topology/nic_device.hpp"

#include <limits.h>
#include <stdlib.h>

#include <algorithm>
#include <cctype>
#include <tuple>

#include "core/errors.hpp"

namespace nictune::agent {
namespace {

std::string basename_of(const std::string& path) {
  auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string real_path(const std::string& path) {
  char buffer[PATH_MAX];
  if (!::realpath(path.c_str(), buffer)) return std::string();
  return buffer;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool contains_word_of(const std::string& text, const std::vector<const char*>& words) {
  for (const char* w : words) {
    if (text.find(w) != std::string::npos) return true;
  }
  return false;
}

// Does an action name belong to the interface (used when the device has no msi_irqs list)?
bool name_matches(const std::string& name, const std::vector<std::string>& owners) {
  for (const auto& owner : owners) {
    if (owner.empty()) continue;
    if (name == owner || name.starts_with(owner + "-") || name.starts_with(owner + "@") ||
        name.find("-" + owner + "-") != std::string::npos || name.ends_with("-" + owner) ||
        name.find("@" + owner) != std::string::npos) {
      return true;
    }
  }
  return false;
}

}  // namespace

InterfaceIrq classify_irq_name(unsigned irq, const std::string& name,
                               const std::vector<std::string>& strip) {
  InterfaceIrq out;
  out.irq = irq;
  out.name = name;
  std::string base = name.substr(0, name.find('@'));  // mlx5_comp2@pci:0000:3b:00.0
  for (const auto& s : strip) {
    if (s.empty()) continue;
    for (auto pos = base.find(s); pos != std::string::npos; pos = base.find(s))
      base.erase(pos, s.size());
  }
  std::string text = lower(base);
  if (contains_word_of(text, {"config", "async", "mgmnt", "mgmt", "ctrl", "other", "misc", "event",
                              "link", "lsc", "cmd", "mbx", "mailbox", "admin", "err"})) {
    return out;
  }
  std::size_t end = text.size();
  std::size_t start = end;
  while (start > 0 && std::isdigit(static_cast<unsigned char>(text[start - 1]))) --start;
  if (start == end || end - start > 6) return out;
  out.queue = std::stoi(text.substr(start));
  bool says_rx = text.find("rx") != std::string::npos || text.find("input") != std::string::npos;
  bool says_tx = text.find("tx") != std::string::npos || text.find("output") != std::string::npos;
  out.rx = says_rx || !says_tx;
  out.tx = says_tx || !says_rx;
  return out;
}

std::vector<InterfaceIrq> NicDevice::queue_irqs() const {
  std::vector<InterfaceIrq> out;
  for (const auto& irq : irqs) {
    if (irq.queue >= 0) out.push_back(irq);
  }
  return out;
}

const InterfaceIrq* NicDevice::irq_for_queue(unsigned queue, bool rx) const {
  for (const auto& irq : irqs) {
    if (irq.queue == static_cast<int>(queue) && (rx ? irq.rx : irq.tx)) return &irq;
  }
  return nullptr;
}

std::string NicDevice::no_irq_reason(const std::string& interface) const {
  if (!queue_irqs().empty()) return std::string();
  if (!has_device)
    return "no IRQs: virtual device (/sys/class/net/" + interface + "/device is absent)";
  if (irqs.empty()) return "no IRQs found for " + interface + " (" + irq_source + ")";
  return "no queue IRQs: " + interface + "'s IRQs name no queue";
}

Json NicDevice::to_json() const {
  Json list = Json::array();
  for (const auto& irq : irqs) {
    list.push_back({{"irq", irq.irq},
                    {"name", irq.name},
                    {"queue", irq.queue},
                    {"rx", irq.rx},
                    {"tx", irq.tx}});
  }
  return {{"has_device", has_device},
          {"bus_info", bus_info},
          {"driver", driver},
          {"numa_node", numa_node},
          {"local_cpus", local_cpus.to_list()},
          {"irqs", list},
          {"irq_source", irq_source}};
}

NicDevice probe_nic_device(const KernelFiles& files, const std::string& interface,
                           const InterruptsTable* interrupts) {
  NicDevice nic;
  std::string device = files.net(interface, "device");
  if (!is_directory(device)) return nic;
  nic.has_device = true;
  nic.driver = basename_of(real_path(device + "/driver"));
  // virtio-net's device is the virtio device; the PCI function with msi_irqs is its parent.
  nic.bus_dir = device;
  if (!path_exists(device + "/msi_irqs") && !path_exists(device + "/numa_node") &&
      (path_exists(device + "/../msi_irqs") || path_exists(device + "/../numa_node"))) {
    nic.bus_dir = device + "/..";
  }
  std::string bus_real = real_path(nic.bus_dir);
  nic.bus_info = basename_of(bus_real);
  std::string virtio_name = basename_of(real_path(device));
  if (!virtio_name.starts_with("virtio")) virtio_name.clear();

  std::string text;
  long long node = -1;
  if (read_text(nic.bus_dir + "/numa_node", text) == 0 && parse_int64(text, node)) {
    nic.numa_node = node < 0 ? -1 : static_cast<int>(node);
  }
  if (read_text(nic.bus_dir + "/local_cpulist", text) == 0) {
    try {
      nic.local_cpus = CpuSet::parse_list(text);
    } catch (const Error&) {
    }
  }

  InterruptsTable own;
  if (!interrupts) {
    std::string table_text;
    if (read_text(files.proc("interrupts"), table_text) == 0) {
      try {
        own = parse_interrupts(table_text);
      } catch (const Error&) {
      }
    }
    interrupts = &own;
  }

  std::vector<std::string> strip = {interface, virtio_name};
  std::vector<std::pair<unsigned, std::string>> found;
  std::string msi = nic.bus_dir + "/msi_irqs";
  if (is_directory(msi)) {
    nic.irq_source = "msi_irqs";
    for (const auto& entry : list_directory(msi)) {
      long long irq = 0;
      if (!parse_int64(entry, irq) || irq < 0) continue;
      const InterruptLine* line = interrupts->find_irq(static_cast<unsigned>(irq));
      std::string name = line && !line->names.empty() ? line->names.back() : std::string();
      found.push_back({static_cast<unsigned>(irq), name});
    }
  } else {
    nic.irq_source = "/proc/interrupts names";
    std::vector<std::string> owners = {interface, virtio_name, nic.bus_info};
    for (const auto& line : interrupts->lines) {
      if (!line.irq) continue;
      for (const auto& name : line.names) {
        if (name_matches(name, owners)) {
          found.push_back({*line.irq, name});
          break;
        }
      }
    }
  }
  for (const auto& [irq, name] : found) nic.irqs.push_back(classify_irq_name(irq, name, strip));
  std::stable_sort(nic.irqs.begin(), nic.irqs.end(),
                   [](const InterfaceIrq& a, const InterfaceIrq& b) {
                     auto key = [](const InterfaceIrq& x) {
                       return std::make_tuple(x.queue < 0 ? 1 : 0, x.queue, x.rx ? 0 : 1, x.irq);
                     };
                     return key(a) < key(b);
                   });
  return nic;
}

CpuSet read_irq_affinity(const KernelFiles& files, unsigned irq, bool effective) {
  std::string path = files.proc("irq/" + std::to_string(irq) +
                                (effective ? "/effective_affinity_list" : "/smp_affinity_list"));
  return CpuSet::parse_list(read_trimmed(path));
}

bool has_effective_affinity(const KernelFiles& files, unsigned irq) {
  return path_exists(files.proc("irq/" + std::to_string(irq) + "/effective_affinity_list"));
}

}  // namespace nictune::agent

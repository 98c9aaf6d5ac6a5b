#include "agents/topology/managed_irqs.hpp"

#include <cerrno>

namespace nictune::agent {
namespace {

// 1: managed, 0: not, -1: cannot tell.
int managed_by_debugfs(const KernelFiles& files, unsigned irq, std::string& evidence) {
  std::string path = files.sys("kernel/debug/irq/irqs/" + std::to_string(irq));
  std::string text;
  if (read_text(path, text) != 0) return -1;
  if (text.find("IRQD_AFFINITY_MANAGED") == std::string::npos) return 0;
  evidence = "IRQD_AFFINITY_MANAGED in " + path;
  return 1;
}

int managed_by_write_back(const KernelFiles& files, unsigned irq, std::string& evidence) {
  std::string path = files.proc("irq/" + std::to_string(irq) + "/smp_affinity_list");
  std::string text;
  if (read_text(path, text) != 0) return -1;
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  int error = files.write(path, text);
  if (error == 0) return 0;
  if (error != EIO) return -1;
  evidence = "writing its own affinity \"" + text + "\" back to " + path + " gives EIO";
  return 1;
}

}  // namespace

std::vector<ManagedIrq> find_managed_irqs(const KernelFiles& files,
                                          const std::vector<InterfaceIrq>& irqs) {
  std::vector<ManagedIrq> out;
  for (const auto& irq : irqs) {
    std::string evidence;
    int managed = managed_by_debugfs(files, irq.irq, evidence);
    if (managed < 0) managed = managed_by_write_back(files, irq.irq, evidence);
    if (managed == 1) out.push_back({irq.irq, irq.name, evidence});
  }
  return out;
}

std::string managed_irqs_reason(const std::vector<ManagedIrq>& managed) {
  if (managed.empty()) return std::string();
  std::string list;
  for (const auto& m : managed) {
    if (!list.empty()) list += ", ";
    list += std::to_string(m.irq) + " (" + m.name + ")";
  }
  return std::string(managed.size() == 1 ? "IRQ " : "IRQs ") + list +
         ": the kernel manages the affinity (" + managed.front().evidence +
         "); it places them itself and refuses every smp_affinity write";
}

Json managed_irqs_json(const std::vector<ManagedIrq>& managed) {
  Json out = Json::array();
  for (const auto& m : managed)
    out.push_back({{"irq", m.irq}, {"name", m.name}, {"evidence", m.evidence}});
  return out;
}

}  // namespace nictune::agent

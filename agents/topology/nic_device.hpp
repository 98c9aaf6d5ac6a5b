// What sysfs and /proc/interrupts say about the device behind a network interface: its bus
// address, driver, NUMA node, and its IRQs with the queue each one serves ("eth1-TxRx-3",
// "virtio6-input.0", "mlx5_comp2@pci:0000:3b:00.0", ...).
#pragma once

#include <string>
#include <vector>

#include "agents/counters/proc_parsers.hpp"
#include "agents/knobs/kernel_files.hpp"
#include "core/cpu_set.hpp"
#include "core/json_util.hpp"

namespace nictune::agent {

struct InterfaceIrq {
  unsigned irq = 0;
  std::string name;  // the action name in /proc/interrupts
  int queue = -1;    // the queue it serves, -1 for link/config/async/mailbox IRQs
  bool rx = false;
  bool tx = false;
};

struct NicDevice {
  bool has_device = false;  // false: a virtual device (veth, lo, bridge) without a bus device
  std::string bus_dir;      // sysfs directory with numa_node / msi_irqs (the PCI function)
  std::string bus_info;     // "0000:3b:00.0"; "" when unknown
  std::string driver;       // from the device's driver link
  int numa_node = -1;
  CpuSet local_cpus;               // the device's local_cpulist (empty when unknown)
  std::vector<InterfaceIrq> irqs;  // queue IRQs by queue (rx before tx), then the others
  std::string irq_source;          // "msi_irqs" or "/proc/interrupts names"

  std::vector<InterfaceIrq> queue_irqs() const;
  // The IRQ serving rx (or tx) queue `queue`, or nullptr.
  const InterfaceIrq* irq_for_queue(unsigned queue, bool rx) const;
  // Why there are no queue IRQs ("no IRQs: virtual device"), "" when there are some.
  std::string no_irq_reason(const std::string& interface) const;
  Json to_json() const;
};

// Classifies one /proc/interrupts action name of an interface's IRQ. `strip` are names
// (interface, virtio device) removed before looking for keywords and the queue number.
InterfaceIrq classify_irq_name(unsigned irq, const std::string& name,
                               const std::vector<std::string>& strip);

// `interrupts` may be null (then /proc/interrupts is read).
NicDevice probe_nic_device(const KernelFiles& files, const std::string& interface,
                           const InterruptsTable* interrupts = nullptr);

// Reads /proc/irq/N/smp_affinity_list (or effective_affinity_list).
CpuSet read_irq_affinity(const KernelFiles& files, unsigned irq, bool effective = false);
bool has_effective_affinity(const KernelFiles& files, unsigned irq);

}  // namespace nictune::agent

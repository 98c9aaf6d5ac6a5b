// Interrupts whose affinity the kernel manages: drivers that allocate their vectors with
// PCI_IRQ_AFFINITY (nvme, virtio-blk, some NIC drivers) let the kernel spread them over the CPUs,
// and every smp_affinity write to them fails with EIO. The files stay mode 0644, so only the
// kernel tells: the IRQD_AFFINITY_MANAGED state in debugfs (/sys/kernel/debug/irq/irqs/N, with
// CONFIG_GENERIC_IRQ_DEBUGFS), else the answer to writing an IRQ's own affinity back to it. That
// write-back changes nothing for an unmanaged IRQ: the kernel keeps the vector on its current
// CPU when that CPU stays in the mask (x86's vector allocator does exactly that).
#pragma once

#include <string>
#include <vector>

#include "agents/knobs/kernel_files.hpp"
#include "agents/topology/nic_device.hpp"
#include "core/json_util.hpp"

namespace nictune::agent {

struct ManagedIrq {
  unsigned irq = 0;
  std::string name;
  std::string evidence;  // what showed it: the debugfs state or the EIO
};

std::vector<ManagedIrq> find_managed_irqs(const KernelFiles& files,
                                          const std::vector<InterfaceIrq>& irqs);
// "IRQ 45 (nvme0q1) ...: the kernel manages its affinity" for a probe reason or an error.
std::string managed_irqs_reason(const std::vector<ManagedIrq>& managed);
Json managed_irqs_json(const std::vector<ManagedIrq>& managed);

}  // namespace nictune::agent

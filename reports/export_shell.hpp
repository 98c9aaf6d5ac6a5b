// POSIX sh functions the exported scripts share (sh, check, the .link's companion unit, tuned):
// finding the interface by name, MAC or PCI address, and finding a queue's IRQs on the target the
// way the agent's topology discovery does (msi_irqs of the device, else /proc/interrupts names
// that carry the interface, virtio device or PCI address; the queue number and direction from the
// action name, control vectors skipped). Plain sh + cat/tr so a busybox guest runs them too.
// NICTUNE_SYSFS / NICTUNE_PROCFS (default /sys, /proc) let a test point them at a fake tree.
#pragma once

#include <string>

#include <vector>

#include "reports/export.hpp"

namespace nictune::report {

// The definitions: nictune_find_iface ARG (sets IFACE; exit 2 when nothing or several match),
// nictune_driver, nictune_queue_irqs QUEUE DIRECTION, nictune_irq_affinity QUEUE DIRECTION CPUS.
std::string shell_functions();

// The lines that pick the interface: from "$1" (a name, mac=..., pci=...) or $IFACE, else the
// default the export was asked for (--match), else usage and exit 2; then a warning on stderr
// when the driver is not the measured one (queue IRQ names are the driver's).
std::string shell_select_interface(const ExportInput& in);

// "# Usage: ..." lines for the same.
std::string shell_usage_comment(const ExportInput& in, const std::string& script_name);

// The sh format's script for `commands` (also the .link export's companion script).
std::string apply_script(const ExportInput& in, const std::vector<ExportCommand>& commands,
                         const std::string& name, const std::string& intro);

// "# WARNING ..." lines when some IRQ lines kept their measured numbers (no queue recorded).
std::string irq_number_warning(const std::vector<ExportCommand>& commands);

}  // namespace nictune::report

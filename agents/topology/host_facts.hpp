// Facts about the host and the NIC that go into every trial record: kernel, distro, CPU model,
// topology summary; driver, version, firmware and bus address (ETHTOOL_GDRVINFO), link speed,
// NUMA node.
#pragma once

#include <string>

#include "agents/knobs/ethtool.hpp"
#include "agents/knobs/kernel_files.hpp"
#include "agents/topology/nic_device.hpp"
#include "agents/topology/topology.hpp"
#include "core/json_util.hpp"

namespace nictune::agent {

// `os_release` is the os-release file to read the distribution from (/etc/os-release).
Json host_facts(const KernelFiles& files, const Topology& topology,
                const std::string& os_release = "/etc/os-release");

Json nic_facts(const KernelFiles& files, Ethtool& ethtool, const std::string& interface,
               const NicDevice& device);

// "model name" (x86), "Model"/"Hardware" or "CPU part" (Arm) from /proc/cpuinfo text.
std::string cpu_model_from_cpuinfo(const std::string& cpuinfo);
// PRETTY_NAME (else NAME VERSION_ID) from os-release text.
std::string distro_from_os_release(const std::string& text);

}  // namespace nictune::agent

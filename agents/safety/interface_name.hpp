// Interface names from requests are used to build sysfs paths and ioctl requests, so they are
// checked exactly like the kernel's dev_valid_name() before anything else: no "..", no "/", no
// whitespace, shorter than IFNAMSIZ.
#pragma once

#include <string>

#include "agents/knobs/kernel_files.hpp"
#include "core/json_util.hpp"

namespace nictune::agent {

// Throws Error(kInvalid) naming the problem.
void check_interface_name(const std::string& name);

// params[field] must be a valid name of an interface present under <sysfs>/class/net.
std::string require_interface(const KernelFiles& files, const Json& params,
                              const char* field = "interface");

}  // namespace nictune::agent

// `nictune lab up --vm`, and `lab down`/`lab status` of a VM lab (cmd_lab.cpp parses).
#pragma once

#include "orchestrator/lab/lab.hpp"
#include "orchestrator/lab/vm_lab.hpp"

namespace nictune::cli {

int run_vm_up(lab::LabConfig config, const lab::VmConfig& vm);
int run_vm_down(const lab::LabConfig& config);
int run_vm_status(const lab::LabConfig& config, bool json, bool ssh);

}  // namespace nictune::cli

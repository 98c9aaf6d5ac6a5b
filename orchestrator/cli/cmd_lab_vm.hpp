// `nictune lab up --vm`, and `lab down`/`lab status` of a VM lab (cmd_lab.cpp parses); what
// `lab status` does the same for either lab (defined in cmd_lab.cpp).
#pragma once

#include <string>
#include <vector>

#include "core/host_spec.hpp"
#include "core/json_util.hpp"
#include "orchestrator/lab/lab.hpp"
#include "orchestrator/lab/vm_lab.hpp"
#include "orchestrator/transport/transport_registry.hpp"

namespace nictune::cli {

int run_vm_up(lab::LabConfig config, const lab::VmConfig& vm);
int run_vm_down(const lab::LabConfig& config);
int run_vm_status(const lab::LabConfig& config, bool json, bool ssh);

// `lab status --ssh`: each host's agent reached the way an experiment reaches it, by role:
// {"ok": true, "describe", "facts"} or {"ok": false, "error"}. `all_ok` turns false when one
// could not be reached.
Json lab_agents(const std::vector<HostSpec>& hosts, const TransportOptions& options, bool& all_ok);
// Prints a lab's status: its JSON (with `agents` under "agents" when `with_agents`), or its
// text followed by one line per agent.
void print_lab_status(Json status_json, const std::string& status_text, const Json& agents,
                      bool json, bool with_agents);

}  // namespace nictune::cli

#include "orchestrator/cli/cmd_lab_vm.hpp"

#include <iomanip>
#include <iostream>

#include "core/errors.hpp"
#include "orchestrator/cli/command_table.hpp"
#include "orchestrator/transport/agent_client.hpp"
#include "orchestrator/transport/transport_registry.hpp"

namespace nictune::cli {

int run_vm_up(lab::LabConfig config, const lab::VmConfig& vm) {
  config.log = [](const std::string& line) { std::cerr << "lab: " << line << "\n"; };
  // The LG is a namespace on this machine and runs the local agent; the guest gets the agent
  // uploaded over SFTP by the ssh transport, as any remote host does.
  config.agent_path = find_local_agent_binary();
  lab::VmLabState state = lab::vm_lab_up(config, vm);
  std::cout << std::fixed << std::setprecision(1) << "VM lab \"" << state.name
            << "\" is up: " << state.kernel_release << " under " << state.accel << ", booted in "
            << state.boot_seconds << " s (qemu pid " << state.qemu_pid << ")\n"
            << "  guest ssh root@" << state.guest_mgmt_address << " (" << state.guest_mgmt_interface
            << ", never tuned)\n";
  for (const auto& nic : state.nics) {
    std::cout << "  " << std::left << std::setw(8) << nic.kind << " guest " << nic.guest_interface
              << " " << nic.guest_address << "  <->  lg " << nic.lg_interface << " "
              << nic.lg_address << "\n";
  }
  if (state.forwarding.is_object()) {
    const Json& f = state.forwarding;
    std::cout << "  forwarding: lg " << f.value("lg_egress", "?") << " -> guest "
              << f.value("dut_ingress", "?") << " / " << f.value("dut_egress", "?") << " -> lg "
              << f.value("lg_sink", "?") << ", sink " << f.value("sink_address", "?")
              << ", sources " << f.value("source_prefix", "?") << "\n";
  }
  std::cout << "  lg  netns " << state.lg.netns << ", ssh root@" << state.lg.mgmt_address << "\n"
            << "  keys and known_hosts in " << state.dir << "\n"
            << "  experiment template: " << state.template_path << "\n"
            << "next: nictune probe " << state.template_path << "   (and `nictune lab down"
            << (state.name == "default" ? std::string() : " --name " + state.name)
            << "` when done)\n";
  return kExitOk;
}

int run_vm_down(const lab::LabConfig& config) {
  auto removed = lab::vm_lab_down(config);
  if (removed.empty()) {
    std::cout << "VM lab \"" << config.name << "\": nothing to remove\n";
  } else {
    std::cout << "VM lab \"" << config.name << "\" removed:\n";
    for (const auto& line : removed) std::cout << "  " << line << "\n";
  }
  return kExitOk;
}

int run_vm_status(const lab::LabConfig& config, bool json, bool ssh) {
  auto status = lab::vm_lab_status(config);
  Json agents = Json::object();
  bool agents_ok = true;
  if (ssh && status.exists) {
    TransportOptions options;
    options.agent_binary = find_local_agent_binary();
    agents = lab_agents({status.state.dut_spec(), status.state.lg_spec()}, options, agents_ok);
  }
  print_lab_status(status.to_json(), status.render(), agents, json, ssh);
  return status.healthy && agents_ok ? kExitOk : kExitFailed;
}

}  // namespace nictune::cli

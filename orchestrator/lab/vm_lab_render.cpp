// What `lab status` shows of a VM lab: its JSON (the state plus health) and its text.
#include <sstream>

#include "orchestrator/lab/vm_lab.hpp"

namespace nictune::lab {

Json VmLabStatus::to_json() const {
  Json out = state.to_json();
  out.update({{"exists", exists},
              {"healthy", healthy},
              {"qemu_running", qemu_running},
              {"guest_ssh", guest_ssh},
              {"lg_sshd", lg_sshd},
              {"tap_tx_dropped", tap_tx_dropped},
              {"problems", problems}});
  return out;
}

std::string VmLabStatus::render() const {
  std::ostringstream out;
  const auto& s = state;
  if (!exists) {
    out << "VM lab \"" << s.name << "\" is not up (`nictune lab up --vm --name " << s.name
        << "` makes it)\n";
    return out.str();
  }
  out.precision(1);
  out << std::fixed;
  out << "VM lab \"" << s.name << "\" is " << (healthy ? "up" : "DAMAGED") << " (state in " << s.dir
      << ")\n"
      << "  guest   kernel " << s.kernel_release << " (" << s.kernel_package << " "
      << s.kernel_version << "), accelerator " << s.accel << " (" << s.accel_reason
      << "), booted in " << s.boot_seconds << " s" << (s.udev ? " (with udev)" : "")
      << ", qemu pid " << s.qemu_pid << (qemu_running ? "" : " (not running)") << "\n"
      << "          ssh root@" << s.guest_mgmt_address << " (" << s.guest_mgmt_interface << ") "
      << (guest_ssh ? "answers" : "NO ANSWER") << ", console " << s.console_log << "\n";
  for (const auto& n : s.nics) {
    out << "  nic     " << n.kind << " (" << n.device
        << (n.queues > 1 ? ", " + std::to_string(n.queues) + " queues" : "") << "): guest "
        << n.guest_interface << " " << n.guest_address << "/28 <-> lg " << n.lg_interface << " "
        << n.lg_address << "/28";
    if (auto it = tap_tx_dropped.find(n.kind); it != tap_tx_dropped.end())
      out << ", host tap dropped " << it->second;
    out << "\n";
  }
  if (s.forwarding.is_object()) {
    const Json& f = s.forwarding;
    out << "  forward lg " << f.value("lg_egress", "?") << " -> guest "
        << f.value("dut_ingress", "?") << " / " << f.value("dut_egress", "?") << " -> lg "
        << f.value("lg_sink", "?") << ", sink " << f.value("sink_address", "?") << " (routed "
        << f.value("destination_prefix", "?") << "), sources " << f.value("source_prefix", "?")
        << "\n";
  }
  out << "  lg      netns " << s.lg.netns << ", ssh root@" << s.lg.mgmt_address << " "
      << (lg_sshd ? "answers" : "NO ANSWER") << "\n"
      << "  identity " << s.identity_file << ", known_hosts " << s.known_hosts << "\n"
      << "  experiment template: " << s.template_path << "\n";
  for (const auto& problem : problems) out << "  problem: " << problem << "\n";
  return out.str();
}

}  // namespace nictune::lab

// What `nictune lab status` shows of a namespace lab: its JSON and its text.
#include <filesystem>
#include <sstream>

#include "orchestrator/lab/lab.hpp"

namespace nictune::lab {
namespace {

namespace fs = std::filesystem;

}  // namespace

Json LabStatus::to_json() const {
  Json hosts_json = Json::array();
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    const auto& h = hosts[i];
    Json entry = state.hosts.size() > i ? state.hosts[i].to_json() : Json::object();
    entry.update({{"role", h.role},
                  {"netns_exists", h.netns},
                  {"data_link_up", h.data_link_up},
                  {"data_queues", h.data_queues},
                  {"mgmt_link_up", h.mgmt_link_up},
                  {"sshd_running", h.sshd_running},
                  {"ssh_port_open", h.ssh_port_open}});
    hosts_json.push_back(entry);
  }
  return {{"name", name},
          {"dir", dir},
          {"exists", exists},
          {"healthy", healthy},
          {"state_file", state_file},
          {"queues", state.queues},
          {"index", state.index},
          {"identity_file", state.identity_file},
          {"known_hosts", state.known_hosts},
          {"template", state.template_path},
          {"problems", problems},
          {"hosts", hosts_json}};
}

std::string LabStatus::render() const {
  std::ostringstream out;
  if (!exists) {
    out << "lab \"" << name << "\" is not up (nothing of it exists; `nictune lab up --name " << name
        << "` makes it)\n";
    return out.str();
  }
  out << "lab \"" << name << "\" is " << (healthy ? "up" : "DAMAGED") << " (" << state.queues
      << " queues, state in " << dir << ")\n";
  for (std::size_t i = 0; i < hosts.size() && i < state.hosts.size(); ++i) {
    const auto& h = hosts[i];
    const auto& s = state.hosts[i];
    out << "  " << h.role << (h.role.size() < 3 ? " " : "") << "  netns " << s.netns
        << (h.netns ? "" : " (missing)") << "  data " << s.data_interface << " " << s.data_address
        << "/24 " << (h.data_link_up ? "up" : "DOWN") << " " << h.data_queues << "q"
        << "  ssh root@" << s.mgmt_address << " " << (h.ssh_port_open ? "answers" : "NO ANSWER")
        << " (sshd pid " << h.sshd_pid << (h.sshd_running ? "" : ", not running") << ")\n";
  }
  out << "  identity " << state.identity_file << ", known_hosts " << state.known_hosts << "\n";
  out << "  experiment template: " << state.template_path
      << (fs::exists(state.template_path) ? "" : " (missing)") << "\n";
  for (const auto& problem : problems) out << "  problem: " << problem << "\n";
  if (!healthy)
    out << "`nictune lab up --name " << name << "` rebuilds it; `nictune lab down --name " << name
        << "` removes it\n";
  return out.str();
}

}  // namespace nictune::lab

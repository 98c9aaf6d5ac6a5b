// The namespace lab's state as recorded in its state file: hosts and names, to and from JSON,
// and the host spec an experiment uses to reach each host.
#include "core/errors.hpp"
#include "orchestrator/lab/lab.hpp"
#include "orchestrator/lab/state_json.hpp"

namespace nictune::lab {

namespace {

constexpr TextField<LabHost> kLabHostText[] = {{"role", &LabHost::role},
                                               {"netns", &LabHost::netns},
                                               {"data_interface", &LabHost::data_interface},
                                               {"data_address", &LabHost::data_address},
                                               {"mgmt_interface", &LabHost::mgmt_interface},
                                               {"mgmt_address", &LabHost::mgmt_address},
                                               {"root_interface", &LabHost::root_interface},
                                               {"root_address", &LabHost::root_address},
                                               {"sshd_dir", &LabHost::sshd_dir}};

constexpr TextField<LabState> kLabStateText[] = {{"name", &LabState::name},
                                                 {"dir", &LabState::dir},
                                                 {"identity_file", &LabState::identity_file},
                                                 {"known_hosts", &LabState::known_hosts},
                                                 {"template_path", &LabState::template_path, false},
                                                 {"agent_path", &LabState::agent_path, false}};

}  // namespace

Json LabHost::to_json() const {
  Json out = {{"sshd_pid", sshd_pid}};
  put_text_fields(out, *this, kLabHostText);
  return out;
}

LabHost LabHost::from_json(const Json& json) {
  LabHost host;
  get_text_fields(json, host, kLabHostText);
  host.sshd_pid = json.value("sshd_pid", 0);
  return host;
}

HostSpec LabState::host_spec(const std::string& role) const {
  for (const auto& host : hosts) {
    if (host.role != role) continue;
    HostSpec spec;
    spec.role = role;
    spec.transport = "ssh";
    spec.host = host.mgmt_address;
    spec.port = 22;
    spec.user = "root";
    spec.identity_file = identity_file;
    spec.known_hosts = known_hosts;
    spec.interface = host.data_interface;
    spec.address = host.data_address;
    spec.agent_path = agent_path;
    return spec;
  }
  throw Error(ErrorCode::kInternal, "lab " + name + " has no host \"" + role + "\"");
}

Json LabState::to_json() const {
  Json out = {{"queues", queues}, {"index", index}, {"hosts", Json::array()}};
  put_text_fields(out, *this, kLabStateText);
  for (const auto& host : hosts) out["hosts"].push_back(host.to_json());
  if (!forwarding.is_null()) out["forwarding"] = forwarding;
  return out;
}

LabState LabState::from_json(const Json& json) {
  LabState state;
  get_text_fields(json, state, kLabStateText);
  state.queues = json.at("queues").get<int>();
  state.index = json.at("index").get<int>();
  for (const auto& host : json.at("hosts")) state.hosts.push_back(LabHost::from_json(host));
  state.forwarding = json.value("forwarding", Json());
  return state;
}

}  // namespace nictune::lab

// The VM lab's state: the JSON of VmNic and VmLabState, the host specs a spec's `hosts` takes
// from it, and the state file they are kept in.
#include <filesystem>

#include "core/errors.hpp"
#include "orchestrator/lab/lab_files.hpp"
#include "orchestrator/lab/vm_lab.hpp"
#include "orchestrator/lab/vm_state_file.hpp"

namespace nictune::lab {

namespace fs = std::filesystem;

std::optional<VmLabState> read_vm_state(const std::string& path) {
  if (!fs::exists(path)) return std::nullopt;
  try {
    return VmLabState::from_json(load_json_file(path));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

void record_vm_state(const VmLabState& state) {
  write_private_file(state.dir + "/" + kVmStateFile, state.to_json().dump(2) + "\n",
                     fs::perms::owner_read | fs::perms::owner_write);
}

Json VmNic::to_json() const {
  return {{"kind", kind},
          {"device", device},
          {"queues", queues},
          {"mac", mac},
          {"guest_interface", guest_interface},
          {"guest_address", guest_address},
          {"tap", tap},
          {"bridge", bridge},
          {"wire_veth", wire_veth},
          {"lg_interface", lg_interface},
          {"lg_address", lg_address}};
}

VmNic VmNic::from_json(const Json& json) {
  VmNic nic;
  nic.kind = json.at("kind").get<std::string>();
  nic.device = json.at("device").get<std::string>();
  nic.queues = json.at("queues").get<int>();
  nic.mac = json.at("mac").get<std::string>();
  nic.guest_interface = json.at("guest_interface").get<std::string>();
  nic.guest_address = json.at("guest_address").get<std::string>();
  nic.tap = json.at("tap").get<std::string>();
  nic.bridge = json.at("bridge").get<std::string>();
  nic.wire_veth = json.at("wire_veth").get<std::string>();
  nic.lg_interface = json.at("lg_interface").get<std::string>();
  nic.lg_address = json.at("lg_address").get<std::string>();
  return nic;
}

const VmNic& VmLabState::nic(const std::string& kind) const {
  for (const auto& n : nics) {
    if (kind.empty() || n.kind == kind) return n;
  }
  throw invalid("lab " + name + " has no " + (kind.empty() ? "data" : kind) + " NIC");
}

HostSpec VmLabState::dut_spec(const std::string& kind) const {
  const VmNic& n = nic(kind);
  HostSpec spec;
  spec.role = "dut";
  spec.transport = "ssh";
  spec.host = guest_mgmt_address;
  spec.user = "root";
  spec.identity_file = identity_file;
  spec.known_hosts = known_hosts;
  spec.interface = n.guest_interface;
  spec.address = n.guest_address;
  return spec;  // no agent_path: the transport uploads the static agent by SFTP
}

HostSpec VmLabState::lg_spec(const std::string& kind) const {
  const VmNic& n = nic(kind);
  HostSpec spec;
  spec.role = "lg";
  spec.transport = "ssh";
  spec.host = lg.mgmt_address;
  spec.user = "root";
  spec.identity_file = identity_file;
  spec.known_hosts = known_hosts;
  spec.interface = n.lg_interface;
  spec.address = n.lg_address;
  spec.agent_path = agent_path;
  return spec;
}

Json VmLabState::to_json() const {
  Json out = {
      {"kind", "vm"},
      {"name", name},
      {"dir", dir},
      {"index", index},
      {"identity_file", identity_file},
      {"known_hosts", known_hosts},
      {"template_path", template_path},
      {"agent_path", agent_path},
      {"wire_netns", wire_netns},
      {"kernel",
       {{"package", kernel_package}, {"version", kernel_version}, {"release", kernel_release}}},
      {"accel", accel},
      {"accel_reason", accel_reason},
      {"boot_seconds", boot_seconds},
      {"qemu_pid", qemu_pid},
      {"pid_file", pid_file},
      {"console_log", console_log},
      {"guest_mgmt_interface", guest_mgmt_interface},
      {"guest_mgmt_address", guest_mgmt_address},
      {"root_interface", root_interface},
      {"root_address", root_address},
      {"mgmt_mac", mgmt_mac},
      {"nics", Json::array()},
      {"lg", lg.to_json()}};
  for (const auto& n : nics) out["nics"].push_back(n.to_json());
  return out;
}

VmLabState VmLabState::from_json(const Json& json) {
  VmLabState s;
  s.name = json.at("name").get<std::string>();
  s.dir = json.at("dir").get<std::string>();
  s.index = json.at("index").get<int>();
  s.identity_file = json.at("identity_file").get<std::string>();
  s.known_hosts = json.at("known_hosts").get<std::string>();
  s.template_path = json.value("template_path", "");
  s.agent_path = json.value("agent_path", "");
  s.wire_netns = json.at("wire_netns").get<std::string>();
  s.kernel_package = json.at("kernel").value("package", "");
  s.kernel_version = json.at("kernel").value("version", "");
  s.kernel_release = json.at("kernel").value("release", "");
  s.accel = json.value("accel", "");
  s.accel_reason = json.value("accel_reason", "");
  s.boot_seconds = json.value("boot_seconds", 0.0);
  s.qemu_pid = json.value("qemu_pid", 0);
  s.pid_file = json.at("pid_file").get<std::string>();
  s.console_log = json.at("console_log").get<std::string>();
  s.guest_mgmt_address = json.at("guest_mgmt_address").get<std::string>();
  s.root_interface = json.at("root_interface").get<std::string>();
  s.root_address = json.at("root_address").get<std::string>();
  s.mgmt_mac = json.value("mgmt_mac", "");
  for (const auto& n : json.at("nics")) s.nics.push_back(VmNic::from_json(n));
  s.lg = LabHost::from_json(json.at("lg"));
  return s;
}

std::string vm_state_path(const LabConfig& config) {
  return fs::absolute(config.resolved_dir()).lexically_normal().string() + "/" + kVmStateFile;
}

bool is_vm_lab(const LabConfig& config) {
  // A failed `lab up --vm` leaves only the console log, kept to say why.
  auto dir = fs::path(vm_state_path(config)).parent_path();
  return fs::exists(dir / kVmStateFile) ||
         (fs::exists(dir / "console.log") && !fs::exists(dir / "state.json"));
}

}  // namespace nictune::lab

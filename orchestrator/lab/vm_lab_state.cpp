// The VM lab's state: the JSON of VmNic and VmLabState, the host specs a spec's `hosts` takes
// from it, and the state file they are kept in.
#include <filesystem>

#include "core/errors.hpp"
#include "orchestrator/lab/lab_files.hpp"
#include "orchestrator/lab/state_json.hpp"
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

namespace {

constexpr TextField<VmNic> kVmNicText[] = {{"kind", &VmNic::kind},
                                           {"device", &VmNic::device},
                                           {"mac", &VmNic::mac},
                                           {"guest_interface", &VmNic::guest_interface},
                                           {"guest_address", &VmNic::guest_address},
                                           {"tap", &VmNic::tap},
                                           {"bridge", &VmNic::bridge},
                                           {"wire_veth", &VmNic::wire_veth},
                                           {"lg_interface", &VmNic::lg_interface},
                                           {"lg_address", &VmNic::lg_address}};

// guest_mgmt_interface is written for readers of the file but never read back: it is fixed.
constexpr TextField<VmLabState> kVmLabStateText[] = {
    {"name", &VmLabState::name},
    {"dir", &VmLabState::dir},
    {"identity_file", &VmLabState::identity_file},
    {"known_hosts", &VmLabState::known_hosts},
    {"template_path", &VmLabState::template_path, false},
    {"agent_path", &VmLabState::agent_path, false},
    {"wire_netns", &VmLabState::wire_netns},
    {"accel", &VmLabState::accel, false},
    {"accel_reason", &VmLabState::accel_reason, false},
    {"pid_file", &VmLabState::pid_file},
    {"console_log", &VmLabState::console_log},
    {"guest_mgmt_address", &VmLabState::guest_mgmt_address},
    {"root_interface", &VmLabState::root_interface},
    {"root_address", &VmLabState::root_address},
    {"mgmt_mac", &VmLabState::mgmt_mac, false}};

}  // namespace

Json VmNic::to_json() const {
  Json out = {{"queues", queues}};
  put_text_fields(out, *this, kVmNicText);
  return out;
}

VmNic VmNic::from_json(const Json& json) {
  VmNic nic;
  get_text_fields(json, nic, kVmNicText);
  nic.queues = json.at("queues").get<int>();
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
      {"index", index},
      {"kernel",
       {{"package", kernel_package}, {"version", kernel_version}, {"release", kernel_release}}},
      {"boot_seconds", boot_seconds},
      {"udev", udev},
      {"qemu_pid", qemu_pid},
      {"guest_mgmt_interface", guest_mgmt_interface},
      {"nics", Json::array()},
      {"lg", lg.to_json()}};
  put_text_fields(out, *this, kVmLabStateText);
  for (const auto& n : nics) out["nics"].push_back(n.to_json());
  if (!forwarding.is_null()) out["forwarding"] = forwarding;
  return out;
}

VmLabState VmLabState::from_json(const Json& json) {
  VmLabState s;
  get_text_fields(json, s, kVmLabStateText);
  s.index = json.at("index").get<int>();
  s.kernel_package = json.at("kernel").value("package", "");
  s.kernel_version = json.at("kernel").value("version", "");
  s.kernel_release = json.at("kernel").value("release", "");
  s.boot_seconds = json.value("boot_seconds", 0.0);
  s.udev = json.value("udev", false);
  s.qemu_pid = json.value("qemu_pid", 0);
  for (const auto& n : json.at("nics")) s.nics.push_back(VmNic::from_json(n));
  s.lg = LabHost::from_json(json.at("lg"));
  s.forwarding = json.value("forwarding", Json());
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

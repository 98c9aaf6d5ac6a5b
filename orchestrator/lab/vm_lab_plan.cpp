// Planning the VM lab: names, addresses and MACs from the lab index (nothing is created here),
// option validation, and the experiment template `lab up --vm` writes.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "core/errors.hpp"
#include "core/text_util.hpp"
#include "orchestrator/lab/lab_files.hpp"
#include "orchestrator/lab/vm_forwarding.hpp"
#include "orchestrator/lab/vm_lab.hpp"

namespace nictune::lab {
namespace {

namespace fs = std::filesystem;

// One row per NIC kind the VM lab offers, all that is known of it: its QEMU device, its tap
// queues and the small search the experiment template runs when it is the first NIC (nothing
// else compares kind names). virtio: 4 queue pairs with per-queue MSI-X and an RSS table, so
// channels and IRQ placement; e1000e: coalescing, pause, rings on one queue; vmxnet3: an RSS
// table without channels, so RPS and rings (docs/lab.md has the full table).
struct NicShape {
  const char* kind;
  const char* device;
  int queues;
  const char* template_parameters;  // the template's space.parameters, JSON
};
const NicShape kShapes[] = {
    {"virtio", "virtio-net-pci", 4,
     R"({"channels.combined": [1, 2], "irq_affinity": ["spread", "single:1"]})"},
    {"e1000e", "e1000e", 1,
     R"({"coalesce.rx_usecs": [0, 100], "irq_affinity": ["spread", "single:1"]})"},
    {"vmxnet3", "vmxnet3", 1, R"({"rps": ["none", "all"], "rings.rx": [256, 1024]})"}};

// "virtio, e1000e or vmxnet3"
std::string kinds_text() {
  const auto& kinds = vm_nic_kinds();
  std::string text;
  for (std::size_t i = 0; i < kinds.size(); ++i)
    text += (i == 0 ? "" : i + 1 == kinds.size() ? " or " : ", ") + kinds[i];
  return text;
}

// The row of a kind; a kind no row has (a damaged state file) is refused by name.
std::size_t shape_slot(const std::string& kind) {
  for (std::size_t slot = 0; slot < std::size(kShapes); ++slot) {
    if (kShapes[slot].kind == kind) return slot;
  }
  throw invalid("unknown VM NIC \"" + kind + "\"; expected " + kinds_text());
}

std::string mac(int index, int n) {
  char text[18];
  std::snprintf(text, sizeof text, "52:54:00:%02x:00:%02x", index, n);
  return text;
}

}  // namespace

const std::vector<std::string>& vm_nic_kinds() {
  static const std::vector<std::string> kinds = [] {
    std::vector<std::string> names;
    for (const auto& shape : kShapes) names.push_back(shape.kind);
    return names;
  }();
  return kinds;
}

void VmConfig::validate() const {
  if (nics.empty()) throw invalid("--nics is empty: expected some of " + join(vm_nic_kinds(), ","));
  for (const auto& nic : nics) {
    const auto& kinds = vm_nic_kinds();
    if (std::find(kinds.begin(), kinds.end(), nic) == kinds.end())
      throw invalid("--nics: unknown NIC \"" + nic + "\"; expected " + kinds_text());
    if (std::count(nics.begin(), nics.end(), nic) > 1)
      throw invalid("--nics: \"" + nic + "\" is named twice");
  }
  if (boot_timeout_s < 5 || boot_timeout_s > 3600)
    throw invalid("--boot-timeout " + std::to_string(boot_timeout_s) + ": expected 5 to 3600 s");
  if (cpus < 1 || cpus > 16) throw invalid("--vm-cpus: expected 1 to 16");
  if (memory_mb < 256 || memory_mb > 8192) throw invalid("--vm-memory: expected 256 to 8192 MiB");
}

std::string VmConfig::resolved_cache_dir() const {
  if (!cache_dir.empty()) return cache_dir;
  const char* env = std::getenv("NICTUNE_VM_CACHE");
  return env && *env ? env : "/var/cache/nictune/vm";
}

VmLabState plan_vm_lab(const LabConfig& config, const VmConfig& vm) {
  config.validate();
  vm.validate();
  LabState base = plan_lab(config);  // dir, keys, template path and the LG as the veth lab has it
  VmLabState s;
  s.name = base.name;
  s.dir = base.dir;
  s.index = config.index;
  s.identity_file = base.identity_file;
  s.known_hosts = base.known_hosts;
  s.template_path =
      config.template_path.empty() && base.template_path.ends_with("lab-" + config.name + ".json")
          ? fs::path(base.template_path).parent_path().string() + "/vm-lab-" + config.name + ".json"
          : base.template_path;
  s.agent_path = config.agent_path;
  s.wire_netns = "nt-" + config.name + "-vm";
  s.pid_file = s.dir + "/qemu.pid";
  s.console_log = s.dir + "/console.log";
  const int data_block = 2 * config.index;
  const int mgmt_block = 2 * config.index + 1;
  s.root_interface = "ntm-" + config.name + "-d";
  s.root_address = block_address(mgmt_block, 1);
  s.guest_mgmt_address = block_address(mgmt_block, 2);
  s.mgmt_mac = mac(config.index, 0);
  for (const auto& kind : vm.nics) {
    const int slot = static_cast<int>(shape_slot(kind));
    VmNic n;
    n.kind = kind;
    n.device = kShapes[slot].device;
    n.queues = kShapes[slot].queues;
    n.mac = mac(config.index, slot + 1);
    n.guest_interface = "dut-" + kind;
    n.guest_address = block_address(data_block, 16 * slot + 1);
    n.tap = "tap-" + kind;
    n.bridge = "br-" + kind;
    n.wire_veth = "w-" + kind;
    n.lg_interface = "lg-" + kind;
    n.lg_address = block_address(data_block, 16 * slot + 2);
    s.nics.push_back(n);
  }
  s.lg = base.hosts[1];
  s.lg.data_interface = s.nics.front().lg_interface;
  s.lg.data_address = s.nics.front().lg_address;
  return s;
}

Json vm_experiment_template(const VmLabState& state) {
  if (state.forwarding.is_object())
    return vm_forwarding_experiment(state, plan_vm_forwarding(state));
  const VmNic& nic = state.nics.front();
  const Json parameters = Json::parse(kShapes[shape_slot(nic.kind)].template_parameters);
  return {
      {"version", 1},
      {"name", "vm-lab-" + state.name},
      {"description", "VM lab \"" + state.name + "\" (nictune lab up --vm): " + nic.kind +
                          " in a " + state.kernel_release + " guest, 64-byte UDP from the LG"},
      {"hosts",
       {{"dut", template_host_json(state.dut_spec())},
        {"lg", template_host_json(state.lg_spec())}}},
      {"space", {{"parameters", parameters}}},
      {"workload",
       {{"type", "udp_stream"},
        {"payload", 64},
        {"flows", 4},
        {"duration_s", 3},
        {"warmup_s", 1},
        {"rate_pps", 5000}}},
      {"objectives",
       {{{"metric", "rx_pps"}, {"goal", "max"}}, {{"metric", "dut_cpu_util"}, {"goal", "min"}}}},
      {"strategy", {{"type", "grid"}, {"budget", 20}, {"seed", 1}}},
      {"repetitions", {{"count", 1}}}};
}

}  // namespace nictune::lab

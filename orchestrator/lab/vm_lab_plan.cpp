// Planning the VM lab: names, addresses and MACs from the lab index (nothing is created here),
// option validation, and the experiment template `lab up --vm` writes.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "core/errors.hpp"
#include "orchestrator/lab/lab_files.hpp"
#include "orchestrator/lab/vm_lab.hpp"

namespace nictune::lab {
namespace {

namespace fs = std::filesystem;

struct NicShape {
  const char* kind;
  const char* device;
  int queues;
};
// virtio: 4 queue pairs with per-queue MSI-X and an RSS table; e1000e: coalescing, pause, rings
// on one queue; vmxnet3: an RSS table without channels (docs/lab.md has the full table).
const NicShape kShapes[] = {
    {"virtio", "virtio-net-pci", 4}, {"e1000e", "e1000e", 1}, {"vmxnet3", "vmxnet3", 1}};

std::string mac(int index, int n) {
  char text[18];
  std::snprintf(text, sizeof text, "52:54:00:%02x:00:%02x", index, n);
  return text;
}

}  // namespace

const std::vector<std::string>& vm_nic_kinds() {
  static const std::vector<std::string> kinds = {"virtio", "e1000e", "vmxnet3"};
  return kinds;
}

void VmConfig::validate() const {
  if (nics.empty()) throw invalid("--nics is empty: expected some of virtio,e1000e,vmxnet3");
  for (const auto& nic : nics) {
    const auto& kinds = vm_nic_kinds();
    if (std::find(kinds.begin(), kinds.end(), nic) == kinds.end())
      throw invalid("--nics: unknown NIC \"" + nic + "\"; expected virtio, e1000e or vmxnet3");
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
    int slot = 0;
    while (kShapes[slot].kind != kind) ++slot;
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
  const VmNic& nic = state.nics.front();
  Json parameters;
  if (nic.kind == "virtio") {
    parameters = {{"channels.combined", {1, 2}}, {"irq_affinity", {"spread", "single:1"}}};
  } else if (nic.kind == "e1000e") {
    parameters = {{"coalesce.rx_usecs", {0, 100}}, {"irq_affinity", {"spread", "single:1"}}};
  } else {
    parameters = {{"rps", {"none", "all"}}, {"rings.rx", {256, 1024}}};
  }
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

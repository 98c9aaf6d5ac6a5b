// The VM lab: the DUT is a QEMU guest running a real Debian kernel with real NIC drivers
// (virtio-net multiqueue, e1000e, vmxnet3), reached over OpenSSH on a management NIC; the LG is a
// network namespace on this machine, as in the namespace lab. Taps, bridges and the guest live in
// a "wire" namespace the lab creates; nothing is routed out of it.
//
//  root ns                wire ns nt-NAME-vm                 guest (QEMU)          LG ns nt-NAME-lg
//  ntm-NAME-d .1/30 ─veth─ br-mgmt ─ tap-mgmt ──────────── mgmt0 .2/30 (sshd)
//  ntm-NAME-l .5/30 ─veth──────────────────────────────────────────────────────── nt-mgmt0 .6/30
//                          br-virtio ─ tap-virtio (4 q) ── dut-virtio .1/28 ─ w-virtio ─ lg-virtio
//                          .2/28 br-e1000e ─ tap-e1000e ──────── dut-e1000e .17/28 ... lg-e1000e
//                          .18/28 br-vmxnet3 ─ tap-vmxnet3 ────── dut-vmxnet3 .33/28 ... lg-vmxnet3
//                          .34/28
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

#include "core/host_spec.hpp"
#include "core/json_util.hpp"
#include "orchestrator/lab/lab.hpp"
#include "orchestrator/lab/vm_qemu.hpp"

namespace nictune::lab {

// The data NICs a guest can have, in address-block order.
const std::vector<std::string>& vm_nic_kinds();

struct VmConfig {
  std::vector<std::string> nics = vm_nic_kinds();  // data NICs; the first is the template's
  std::string kernel = "6.1";                      // series, exact package, or path of a .deb
  std::string cache_dir;  // "" = $NICTUNE_VM_CACHE or /var/cache/nictune/vm
  Accel accel = Accel::kAuto;
  int boot_timeout_s = 240;
  int cpus = 2;
  int memory_mb = 512;
  std::string qemu = "qemu-system-x86_64";
  // Debian's udev in the guest (udevadm, systemd-udevd, rules, .link files), not started at
  // boot: for what a real udev must apply (the exported .link file). Costs the image's size.
  bool udev = false;

  void validate() const;  // Error(kInvalid) naming the option
  std::string resolved_cache_dir() const;
};

struct VmNic {
  std::string kind;    // "virtio", "e1000e", "vmxnet3"
  std::string device;  // QEMU device
  int queues = 1;      // tap queues
  std::string mac;
  std::string guest_interface;  // "dut-virtio"
  std::string guest_address;    // 198.18.(2k).1
  std::string tap;              // "tap-virtio", wire ns
  std::string bridge;           // "br-virtio", wire ns
  std::string wire_veth;        // "w-virtio", wire ns
  std::string lg_interface;     // "lg-virtio", LG ns
  std::string lg_address;       // 198.18.(2k).2

  Json to_json() const;
  static VmNic from_json(const Json& json);
};

struct VmLabState {
  std::string name;
  std::string dir;
  int index = 0;
  std::string identity_file;
  std::string known_hosts;
  std::string template_path;
  std::string agent_path;  // the LG's (a namespace on this machine); the guest gets it by SFTP
  std::string wire_netns;  // nt-NAME-vm
  std::string kernel_package, kernel_version, kernel_release;
  std::string accel;  // "kvm" or "tcg"
  std::string accel_reason;
  double boot_seconds = 0;  // QEMU start to sshd answering
  bool udev = false;        // Debian's udev is in the guest (`lab up --vm --udev`)
  pid_t qemu_pid = 0;
  std::string pid_file, console_log;
  std::string guest_mgmt_interface = "mgmt0";
  std::string guest_mgmt_address;  // sshd
  std::string root_interface;      // ntm-NAME-d
  std::string root_address;
  std::string wire_mgmt_veth = "w-mgmt", mgmt_bridge = "br-mgmt", mgmt_tap = "tap-mgmt";
  std::string mgmt_mac;
  std::vector<VmNic> nics;
  LabHost lg;
  Json forwarding;  // ForwardingPlan::to_json() with --forwarding (vm_forwarding.hpp), else null

  // hosts.dut for the guest NIC `kind` ("" = the first), hosts.lg for its peer.
  HostSpec dut_spec(const std::string& kind = "") const;
  HostSpec lg_spec(const std::string& kind = "") const;
  const VmNic& nic(const std::string& kind) const;
  Json to_json() const;
  static VmLabState from_json(const Json& json);
};

// Where a VM lab's state file is; whether `config` names a VM lab (its state file exists).
std::string vm_state_path(const LabConfig& config);
bool is_vm_lab(const LabConfig& config);

VmLabState plan_vm_lab(const LabConfig& config, const VmConfig& vm);
Json vm_experiment_template(const VmLabState& state);

// Builds the lab: kernel and initramfs (cached), namespaces, taps, bridges, the LG's sshd, the
// guest; waits for the guest's sshd. A lab of that name is removed first. On failure removes
// what it made and throws (a guest that does not boot in time: the console's tail).
VmLabState vm_lab_up(const LabConfig& config, const VmConfig& vm);
std::vector<std::string> vm_lab_down(const LabConfig& config);

struct VmLabStatus {
  bool exists = false;
  bool healthy = false;
  bool qemu_running = false;
  bool guest_ssh = false;
  bool lg_sshd = false;
  // Datagrams the host's tap dropped on the way into the guest (QEMU did not take them in
  // time): under TCG the first place to look when the guest receives less than was sent.
  std::map<std::string, long long> tap_tx_dropped;  // NIC kind -> count
  std::vector<std::string> problems;
  VmLabState state;

  Json to_json() const;
  std::string render() const;
};
VmLabStatus vm_lab_status(const LabConfig& config);

}  // namespace nictune::lab

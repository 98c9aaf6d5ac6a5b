#include "orchestrator/lab/vm_lab.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>

#include "core/errors.hpp"
#include "orchestrator/lab/lab_files.hpp"
#include "orchestrator/lab/netns.hpp"
#include "orchestrator/lab/sshd.hpp"
#include "orchestrator/lab/vm_forwarding.hpp"
#include "orchestrator/lab/vm_image.hpp"
#include "orchestrator/lab/vm_kernel.hpp"
#include "orchestrator/lab/vm_state_file.hpp"
#include "orchestrator/transport/subprocess.hpp"

namespace nictune::lab {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr const char* kReadyMarker = "nictune-guest: ready";

void say(const LabConfig& config, const std::string& line) {
  if (config.log) config.log(line);
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Accelerator for this machine: a forced one as given; auto probes KVM with a bounded boot once
// and remembers the answer in the cache directory.
Accel choose_accel(const VmConfig& vm, const QemuLaunch& base, const std::string& cache,
                   std::string& reason) {
  if (vm.accel == Accel::kTcg) {
    reason = "--accel tcg";
    return Accel::kTcg;
  }
  if (vm.accel == Accel::kKvm) {
    if (::access("/dev/kvm", R_OK | W_OK) != 0)
      throw invalid("--accel kvm: /dev/kvm is missing or not usable here (use --accel tcg)");
    reason = "--accel kvm";
    return Accel::kKvm;
  }
  std::string memo = cache + "/accel.json";
  if (auto text = read_text(memo); !text.empty()) {
    try {
      Json json = Json::parse(text);
      reason = json.at("reason").get<std::string>() + " (probed earlier, " + memo + ")";
      return json.at("accel").get<std::string>() == "kvm" ? Accel::kKvm : Accel::kTcg;
    } catch (const std::exception&) {
    }
  }
  QemuLaunch probe = base;
  probe.console_log = cache + "/kvm-probe.console.log";
  probe.pid_file = cache + "/kvm-probe.pid";
  Accel accel = probe_kvm(probe, 45s, reason);
  write_private_file(memo, Json{{"accel", to_string(accel)}, {"reason", reason}}.dump() + "\n",
                     fs::perms::owner_read | fs::perms::owner_write);
  return accel;
}

}  // namespace

std::vector<std::string> vm_lab_down(const LabConfig& config) {
  std::vector<std::string> removed;
  VmConfig defaults;
  VmLabState plan = plan_vm_lab(config, defaults);
  auto recorded = read_vm_state(plan.dir + "/" + kVmStateFile);
  VmLabState state = recorded ? *recorded : plan;
  if (state.qemu_pid > 0 && is_our_qemu(state.qemu_pid, state.pid_file)) {
    stop_qemu(state.qemu_pid, state.pid_file);
    removed.push_back("qemu pid " + std::to_string(state.qemu_pid));
  } else if (!recorded && fs::exists(state.pid_file)) {
    // A lab up that died before recording the PID: QEMU's own pid file names it.
    pid_t pid = static_cast<pid_t>(std::atol(read_text(state.pid_file).c_str()));
    if (is_our_qemu(pid, state.pid_file) && stop_qemu(pid, state.pid_file))
      removed.push_back("qemu pid " + std::to_string(pid));
  }
  const LabHost& lg = state.lg;
  if (lg.sshd_pid > 0 && subprocess::alive(lg.sshd_pid) &&
      subprocess::cmdline(lg.sshd_pid).find(lg.sshd_dir + "/sshd_config") != std::string::npos) {
    stop_sshd(lg.sshd_pid, lg.sshd_dir + "/sshd_config");
    removed.push_back("sshd pid " + std::to_string(lg.sshd_pid) + " (lg)");
  }
  for (const std::string& netns : {state.wire_netns, lg.netns}) {
    for (int round = 0; round < 3; ++round) {
      auto pids = netns_pids(netns);
      if (pids.empty()) break;
      for (pid_t pid : pids) {
        if (pid == getpid()) continue;
        std::string what = subprocess::cmdline(pid);
        if (subprocess::stop(pid, 3s, 2s))
          removed.push_back("process " + std::to_string(pid) + " in " + netns + " (" +
                            what.substr(0, 60) + ")");
      }
    }
    if (netns_exists(netns)) {
      if (!netns_delete(netns))
        throw Error(ErrorCode::kIo, "cannot delete network namespace " + netns);
      removed.push_back("network namespace " + netns + " (and its taps, bridges and veths)");
    }
  }
  for (const std::string& link : {state.root_interface, lg.root_interface}) {
    if (link_exists(link)) {
      if (!link_delete(link)) throw Error(ErrorCode::kIo, "cannot delete link " + link);
      removed.push_back("link " + link);
    }
  }
  std::error_code ec;
  std::vector<std::string> files = {state.identity_file,
                                    state.identity_file + ".pub",
                                    state.known_hosts,
                                    state.dir + "/" + kVmStateFile,
                                    state.pid_file,
                                    state.console_log,
                                    state.dir + "/initrd.img",
                                    state.dir + "/guest/ssh_host_ed25519_key",
                                    state.dir + "/guest/ssh_host_ed25519_key.pub"};
  if (!state.template_path.empty() && recorded) files.push_back(state.template_path);
  for (const char* leaf : {"sshd_config", "ssh_host_ed25519_key", "ssh_host_ed25519_key.pub",
                           "authorized_keys", "sshd.log"})
    files.push_back(lg.sshd_dir + "/" + leaf);
  int count = 0;
  for (const auto& file : files) count += fs::remove(file, ec) ? 1 : 0;
  if (count > 0) removed.push_back(std::to_string(count) + " files");
  fs::remove(state.dir + "/guest", ec);
  fs::remove(lg.sshd_dir, ec);
  if (fs::remove(state.dir, ec)) removed.push_back("directory " + state.dir);
  for (const auto& line : removed) say(config, "removed " + line);
  return removed;
}

VmLabStatus vm_lab_status(const LabConfig& config) {
  VmLabStatus status;
  VmConfig defaults;
  VmLabState plan = plan_vm_lab(config, defaults);
  auto recorded = read_vm_state(plan.dir + "/" + kVmStateFile);
  status.state = recorded ? *recorded : plan;
  const auto& s = status.state;
  if (!recorded) status.problems.push_back("no state file " + plan.dir + "/" + kVmStateFile);
  bool wire = netns_exists(s.wire_netns);
  bool lg = netns_exists(s.lg.netns);
  status.exists = recorded.has_value() || wire || lg || link_exists(s.root_interface);
  status.qemu_running = is_our_qemu(s.qemu_pid, s.pid_file);
  status.guest_ssh = status.qemu_running && tcp_port_open(s.guest_mgmt_address, 22, 1000);
  status.lg_sshd = s.lg.sshd_pid > 0 && subprocess::alive(s.lg.sshd_pid) &&
                   tcp_port_open(s.lg.mgmt_address, 22, 500);
  if (wire) {
    for (const auto& n : s.nics) {
      Json links = ip_json({"-n", s.wire_netns, "-s", "link", "show", n.tap});
      if (links.is_array() && !links.empty() && links[0].contains("stats64"))
        status.tap_tx_dropped[n.kind] = links[0]["stats64"]["tx"].value("dropped", 0LL);
    }
  }
  if (!wire) status.problems.push_back("network namespace " + s.wire_netns + " is missing");
  if (!lg) status.problems.push_back("network namespace " + s.lg.netns + " is missing");
  if (!status.qemu_running) status.problems.push_back("the guest (qemu) is not running");
  if (status.qemu_running && !status.guest_ssh)
    status.problems.push_back("the guest's sshd does not answer on " + s.guest_mgmt_address +
                              ":22");
  if (!status.lg_sshd) status.problems.push_back("the LG's sshd does not answer");
  status.healthy =
      recorded && wire && lg && status.qemu_running && status.guest_ssh && status.lg_sshd;
  return status;
}

VmLabState vm_lab_up(const LabConfig& config, const VmConfig& vm) {
  VmLabState state = plan_vm_lab(config, vm);
  if (config.forwarding) check_vm_forwarding_nics(vm.nics);
  if (geteuid() != 0)
    throw Error(ErrorCode::kUnsupported, "lab up --vm needs root (namespaces, taps, qemu)");
  for (const char* tool :
       {"ip", "ssh-keygen", "apt-get", "dpkg-deb", "modprobe", "depmod", "cpio"}) {
    if (subprocess::find_program(tool).empty())
      throw Error(ErrorCode::kUnsupported, std::string("`") + tool +
                                               "` is missing (scripts/install-deps.sh installs "
                                               "what the VM lab needs)");
  }
  if (subprocess::find_program(vm.qemu).empty()) {
    // A --qemu the user named is their input (exit 2); the default missing is this machine's.
    std::string what = "--qemu " + vm.qemu + ": not found";
    if (vm.qemu != VmConfig{}.qemu)
      throw invalid(what + " (expected the path of qemu-system-x86_64)");
    throw Error(ErrorCode::kUnsupported, what + " (install qemu-system-x86)");
  }
  if (fs::exists(fs::path(state.dir) / "state.json"))
    throw Error(ErrorCode::kBusy, "a namespace lab named \"" + config.name +
                                      "\" exists; `nictune lab down --name " + config.name +
                                      "` first, or pick another --name");
  const std::string cache = vm.resolved_cache_dir();
  auto log = config.log;
  GuestKernel kernel = prepare_kernel(vm.kernel, cache, log);
  std::string base = base_initramfs(kernel, cache, log);
  std::vector<std::string> images = {base};
  if (vm.udev) images.push_back(udev_initramfs(base, cache, log));
  state.udev = vm.udev;
  state.kernel_package = kernel.package;
  state.kernel_version = kernel.version;
  state.kernel_release = kernel.release;

  auto status = vm_lab_status(config);
  if (status.healthy && status.state.kernel_package == kernel.package &&
      status.state.kernel_version == kernel.version && status.state.index == config.index &&
      status.state.udev == vm.udev && status.state.nics.size() == state.nics.size() &&
      status.state.forwarding.is_null() == !config.forwarding &&
      std::equal(state.nics.begin(), state.nics.end(), status.state.nics.begin(),
                 [](const VmNic& a, const VmNic& b) { return a.kind == b.kind; })) {
    say(config, "VM lab \"" + config.name + "\" is already up");
    return status.state;
  }
  if (status.exists) {
    say(config, "removing what is left of VM lab \"" + config.name + "\"");
    vm_lab_down(config);
  }
  for (const auto& [link, addr] : {std::pair{state.root_interface, state.root_address},
                                   std::pair{state.lg.root_interface, state.lg.root_address}}) {
    std::string holder = interface_holding(addr);
    if (!holder.empty())
      throw Error(ErrorCode::kBusy, addr + " is already in use on " + holder +
                                        " (another lab? pick another address block with --index)");
    if (link_exists(link)) throw Error(ErrorCode::kBusy, "link " + link + " already exists");
  }
  std::string insecure = world_writable_parent(fs::path(state.dir).parent_path().string());
  if (!insecure.empty())
    throw invalid("--dir " + state.dir + ": " + insecure +
                  " is writable by others, and sshd refuses keys kept below it");

  QemuLaunch launch;
  launch.qemu = vm.qemu;
  launch.kernel = kernel.vmlinuz;
  launch.cpus = vm.cpus;
  launch.memory_mb = vm.memory_mb;
  launch.initrd = base;
  std::string reason;
  Accel accel = choose_accel(vm, launch, cache, reason);
  state.accel = to_string(accel);
  state.accel_reason = reason;
  say(config, "accelerator " + state.accel + ": " + reason);

  bool keep_console = false;
  try {
    std::error_code ec;
    fs::create_directories(state.dir + "/guest", ec);
    if (ec) throw Error(ErrorCode::kIo, "cannot create " + state.dir + ": " + ec.message());
    fs::permissions(state.dir, fs::perms::owner_all, ec);
    generate_ed25519_key(state.identity_file, "nictune-lab-" + config.name);
    const std::string guest_key = state.dir + "/guest/ssh_host_ed25519_key";
    generate_ed25519_key(guest_key, "nictune-guest-" + config.name);
    write_initrd(images,
                 {{"etc/ssh/ssh_host_ed25519_key", read_text(guest_key), 0600},
                  {"etc/ssh/ssh_host_ed25519_key.pub", read_text(guest_key + ".pub"), 0644},
                  {"etc/ssh/authorized_keys", read_text(state.identity_file + ".pub"), 0600}},
                 state.dir + "/initrd.img");
    record_vm_state(state);

    const std::string& wire = state.wire_netns;
    const LabHost& lg = state.lg;
    say(config, "creating namespaces " + wire + " (taps, bridges, the guest) and " + lg.netns);
    netns_add(wire);
    netns_add(lg.netns);
    ip({"-n", wire, "link", "set", "lo", "up"}, "bring up lo");
    ip({"-n", lg.netns, "link", "set", "lo", "up"}, "bring up lo");
    auto bridge = [&](const std::string& br, const std::string& tap, int queues,
                      const std::string& veth) {
      ip({"-n", wire, "link", "add", br, "type", "bridge"}, "create bridge " + br);
      std::vector<std::string> add = {"-n", wire, "tuntap", "add", "dev", tap, "mode", "tap"};
      if (queues > 1) add.push_back("multi_queue");
      ip(add, "create tap " + tap);
      for (const auto& port : {tap, veth}) {
        ip({"-n", wire, "link", "set", port, "master", br}, "attach " + port + " to " + br);
        ip({"-n", wire, "link", "set", port, "up"}, "bring up " + port);
      }
      ip({"-n", wire, "link", "set", br, "up"}, "bring up " + br);
    };
    // Management: root <-> bridge <-> guest's first NIC.
    ip({"link", "add", state.root_interface, "type", "veth", "peer", "name", state.wire_mgmt_veth,
        "netns", wire},
       "create the guest's management link");
    bridge(state.mgmt_bridge, state.mgmt_tap, 1, state.wire_mgmt_veth);
    ip({"addr", "add", state.root_address + "/30", "dev", state.root_interface},
       "address the management link");
    ip({"link", "set", state.root_interface, "up"}, "bring up the management link");
    // The LG's management link, as in the namespace lab.
    ip({"link", "add", lg.root_interface, "type", "veth", "peer", "name", lg.mgmt_interface,
        "netns", lg.netns},
       "create the LG's management link");
    ip({"addr", "add", lg.root_address + "/30", "dev", lg.root_interface},
       "address the LG's management link");
    ip({"link", "set", lg.root_interface, "up"}, "bring up the LG's management link");
    ip({"-n", lg.netns, "addr", "add", lg.mgmt_address + "/30", "dev", lg.mgmt_interface},
       "address the LG's management link");
    ip({"-n", lg.netns, "link", "set", lg.mgmt_interface, "up"}, "bring up the LG's mgmt link");
    // Data: per NIC a tap and a veth to the LG on a bridge of their own.
    for (const auto& n : state.nics) {
      ip({"link", "add", n.wire_veth, "netns", wire, "type", "veth", "peer", "name", n.lg_interface,
          "netns", lg.netns},
         "create the " + n.kind + " data link");
      bridge(n.bridge, n.tap, n.queues, n.wire_veth);
      ip({"-n", lg.netns, "addr", "add", n.lg_address + "/28", "dev", n.lg_interface},
         "address " + n.lg_interface);
      ip({"-n", lg.netns, "link", "set", n.lg_interface, "up"}, "bring up " + n.lg_interface);
      // The guest's MAC is known: a permanent neighbour entry spares the load an ARP exchange
      // with a guest that TCG may keep busy past the resolution timeout (No route to host).
      ip({"-n", lg.netns, "neigh", "replace", n.guest_address, "lladdr", n.mac, "dev",
          n.lg_interface, "nud", "permanent"},
         "add the guest's " + n.kind + " neighbour entry");
    }
    std::optional<ForwardingPlan> forwarding;
    if (config.forwarding) {
      forwarding = plan_vm_forwarding(state);
      say(config, "forwarding: " + forwarding->lg_egress + " -> guest " + forwarding->dut_ingress +
                      " / " + forwarding->dut_egress + " -> " + forwarding->lg_sink + " (sink " +
                      forwarding->sink_address + ", routed " + forwarding->destination_prefix +
                      ")");
      add_vm_forwarding_lg(state, *forwarding);
      state.forwarding = forwarding->to_json();
    }

    SshdSetup setup;
    setup.dir = state.lg.sshd_dir;
    setup.netns = lg.netns;
    setup.listen_address = lg.mgmt_address;
    setup.authorized_public_keys = {state.identity_file + ".pub"};
    setup.sshd_path = config.sshd_path;
    prepare_sshd(setup);
    state.lg.sshd_pid = start_sshd(setup);
    record_vm_state(state);

    launch.netns = wire;
    launch.accel = accel;
    launch.initrd = state.dir + "/initrd.img";
    launch.console_log = state.console_log;
    launch.pid_file = state.pid_file;
    std::string append = "nictune.if=" + state.mgmt_mac + "," + state.guest_mgmt_interface + "," +
                         state.guest_mgmt_address + "/30";
    launch.nics.push_back({"virtio-net-pci", state.mgmt_tap, state.mgmt_mac, 1});
    for (const auto& n : state.nics) {
      append += " nictune.if=" + n.mac + "," + n.guest_interface + "," + n.guest_address + "/28";
      launch.nics.push_back({n.device, n.tap, n.mac, n.queues});
    }
    launch.append = append;
    say(config, "booting " + kernel.release + " under " + state.accel + " (console " +
                    state.console_log + ")");
    auto started = std::chrono::steady_clock::now();
    state.qemu_pid = start_qemu(launch);
    record_vm_state(state);
    keep_console = true;
    auto timeout = std::chrono::seconds(vm.boot_timeout_s);
    bool ready = wait_console(state.console_log, kReadyMarker, state.qemu_pid, timeout);
    while (ready && !tcp_port_open(state.guest_mgmt_address, 22, 500)) {
      if (std::chrono::steady_clock::now() - started > timeout) ready = false;
      std::this_thread::sleep_for(200ms);
    }
    if (!ready) {
      bool died = !is_our_qemu(state.qemu_pid, state.pid_file);
      throw Error(ErrorCode::kIo,
                  "the guest " + std::string(died ? "stopped" : "did not boot") + " within " +
                      std::to_string(vm.boot_timeout_s) + " s (console " + state.console_log +
                      " kept; its end: " + console_tail(state.console_log, 3) + ")");
    }
    state.boot_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::ostringstream secs;
    secs.precision(1);
    secs << std::fixed << state.boot_seconds;
    say(config, "guest up in " + secs.str() + " s, qemu pid " + std::to_string(state.qemu_pid));
    write_private_file(state.known_hosts,
                       known_hosts_line(state.guest_mgmt_address, 22, guest_key + ".pub") +
                           known_hosts_line(lg.mgmt_address, 22, setup.host_key_path() + ".pub"),
                       fs::perms::owner_read | fs::perms::owner_write);
    if (forwarding) add_vm_forwarding_guest(state, *forwarding);
    fs::create_directories(fs::path(state.template_path).parent_path(), ec);
    write_private_file(state.template_path, vm_experiment_template(state).dump(2) + "\n",
                       fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                           fs::perms::others_read);
    record_vm_state(state);
    return state;
  } catch (...) {
    // Keep the console log of a guest that did not come up: it is what says why.
    std::string saved;
    if (keep_console) {
      saved = state.console_log + ".failed";
      std::error_code ec;
      fs::rename(state.console_log, saved, ec);
    }
    try {
      LabConfig quiet = config;
      quiet.log = nullptr;
      vm_lab_down(quiet);
      if (!saved.empty()) {
        std::error_code ec;
        fs::create_directories(state.dir, ec);
        fs::rename(saved, state.console_log, ec);
      }
    } catch (...) {
    }
    throw;
  }
}

}  // namespace nictune::lab

// Running the VM lab's guest: the QEMU command line (direct kernel boot, q35, taps made by the
// lab), starting it daemonized inside the lab's wire namespace, waiting for the guest to say it
// is ready on its serial console, the bounded KVM probe, and stopping it by PID.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace nictune::lab {

enum class Accel { kAuto, kKvm, kTcg };
std::string to_string(Accel accel);
Accel accel_from_string(const std::string& text);  // Error(kInvalid) naming --accel

struct QemuNic {
  std::string device;  // "virtio-net-pci", "e1000e", "vmxnet3"
  std::string tap;     // in the wire namespace
  std::string mac;
  int queues = 1;  // > 1: multiqueue virtio on a multi_queue tap
};

struct QemuLaunch {
  std::string qemu = "qemu-system-x86_64";
  std::string netns;  // "" = ours (the KVM probe needs no network)
  std::string kernel;
  std::string initrd;
  std::string append;  // kernel command line after console=ttyS0
  Accel accel = Accel::kTcg;
  int cpus = 2;
  int memory_mb = 512;
  std::vector<QemuNic> nics;
  std::string console_log;
  std::string pid_file;
};

std::vector<std::string> qemu_argv(const QemuLaunch& launch);

// Starts QEMU with -daemonize and returns the guest's PID (from its pid file). Throws
// Error(kIo) with QEMU's own message when it does not start.
pid_t start_qemu(const QemuLaunch& launch);

// True once `marker` is in the console log; false when `pid` died or the timeout passed.
bool wait_console(const std::string& console_log, const std::string& marker, pid_t pid,
                  std::chrono::milliseconds timeout);

// The last `lines` lines of the console log, joined with " | " (one-line errors).
std::string console_tail(const std::string& console_log, int lines);

// Is `pid` the QEMU started with this pid file (PIDs are reused)?
bool is_our_qemu(pid_t pid, const std::string& pid_file);

// Ends our QEMU by PID (SIGTERM, then SIGKILL). True when it is gone.
bool stop_qemu(pid_t pid, const std::string& pid_file);

// Whether KVM really runs guests here: a bounded boot of `launch` (no NICs) with the probe
// marker. Returns kKvm or kTcg and why in `reason`.
Accel probe_kvm(QemuLaunch launch, std::chrono::milliseconds timeout, std::string& reason);

}  // namespace nictune::lab

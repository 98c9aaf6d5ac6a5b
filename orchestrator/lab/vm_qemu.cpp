#include "orchestrator/lab/vm_qemu.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/errors.hpp"
#include "orchestrator/transport/subprocess.hpp"

namespace nictune::lab {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

std::string to_string(Accel accel) {
  switch (accel) {
    case Accel::kAuto:
      return "auto";
    case Accel::kKvm:
      return "kvm";
    case Accel::kTcg:
      return "tcg";
  }
  return "?";
}

Accel accel_from_string(const std::string& text) {
  if (text == "auto") return Accel::kAuto;
  if (text == "kvm") return Accel::kKvm;
  if (text == "tcg") return Accel::kTcg;
  throw invalid("--accel \"" + text + "\": expected auto, kvm or tcg");
}

std::vector<std::string> qemu_argv(const QemuLaunch& launch) {
  std::vector<std::string> argv;
  if (!launch.netns.empty()) argv = {"ip", "netns", "exec", launch.netns};
  argv.push_back(launch.qemu);
  if (launch.accel == Accel::kKvm) {
    argv.insert(argv.end(), {"-accel", "kvm", "-cpu", "host"});
  } else {
    // thread=multi: one host thread per vCPU; -cpu max gives the guest every feature TCG has.
    argv.insert(argv.end(), {"-accel", "tcg,thread=multi", "-cpu", "max"});
  }
  argv.insert(argv.end(),
              {"-M", "q35", "-smp", std::to_string(launch.cpus), "-m",
               std::to_string(launch.memory_mb), "-nodefaults", "-display", "none", "-monitor",
               "none", "-serial", "file:" + launch.console_log, "-no-reboot", "-daemonize",
               "-pidfile", launch.pid_file, "-kernel", launch.kernel, "-initrd", launch.initrd,
               // panic=-1 with -no-reboot: a panicking guest ends QEMU instead of hanging.
               "-append", "console=ttyS0 panic=-1 " + launch.append});
  int n = 0;
  for (const auto& nic : launch.nics) {
    std::string id = "n" + std::to_string(n++);
    std::string netdev = "tap,id=" + id + ",ifname=" + nic.tap + ",script=no,downscript=no";
    std::string device = nic.device + ",netdev=" + id + ",mac=" + nic.mac;
    if (nic.queues > 1) {
      netdev += ",queues=" + std::to_string(nic.queues);
      // One MSI-X vector per queue and direction, plus config and a spare.
      device += ",mq=on,rss=on,vectors=" + std::to_string(2 * nic.queues + 2);
    }
    argv.insert(argv.end(), {"-netdev", netdev, "-device", device});
  }
  return argv;
}

pid_t start_qemu(const QemuLaunch& launch) {
  std::error_code ec;
  fs::remove(launch.pid_file, ec);
  fs::remove(launch.console_log, ec);
  auto argv = qemu_argv(launch);
  auto result = subprocess::run(argv, 60s);
  if (!result.ok()) {
    throw Error(ErrorCode::kIo, "qemu did not start (" + result.failure() + ")");
  }
  std::string text = read_text(launch.pid_file);
  pid_t pid = static_cast<pid_t>(std::atol(text.c_str()));
  if (pid <= 0) throw Error(ErrorCode::kIo, "qemu wrote no PID to " + launch.pid_file);
  return pid;
}

bool wait_console(const std::string& console_log, const std::string& marker, pid_t pid,
                  std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (read_text(console_log).find(marker) != std::string::npos) return true;
    if (!subprocess::alive(pid)) return read_text(console_log).find(marker) != std::string::npos;
    std::this_thread::sleep_for(200ms);
  }
  return false;
}

std::string console_tail(const std::string& console_log, int lines) {
  std::string text = read_text(console_log);
  std::vector<std::string> all;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (!line.empty()) all.push_back(line);
  }
  if (all.empty()) return "(the console log is empty)";
  std::string out;
  for (std::size_t i = all.size() > static_cast<std::size_t>(lines) ? all.size() - lines : 0;
       i < all.size(); ++i) {
    out += (out.empty() ? "" : " | ") + all[i];
  }
  return out;
}

bool is_our_qemu(pid_t pid, const std::string& pid_file) {
  return pid > 0 && subprocess::alive(pid) &&
         subprocess::cmdline(pid).find("-pidfile " + pid_file) != std::string::npos;
}

bool stop_qemu(pid_t pid, const std::string& pid_file) {
  if (!is_our_qemu(pid, pid_file)) return true;
  return subprocess::stop(pid, 3s, 3s);
}

Accel probe_kvm(QemuLaunch launch, std::chrono::milliseconds timeout, std::string& reason) {
  int fd = ::open("/dev/kvm", O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    reason = "no usable /dev/kvm";
    return Accel::kTcg;
  }
  ::close(fd);
  launch.accel = Accel::kKvm;
  launch.nics.clear();
  launch.netns.clear();
  launch.append += " nictune.probe";
  pid_t pid = 0;
  try {
    pid = start_qemu(launch);
  } catch (const Error& e) {
    reason = std::string("KVM refused: ") + e.what();
    return Accel::kTcg;
  }
  auto started = std::chrono::steady_clock::now();
  bool booted = wait_console(launch.console_log, "nictune-guest: probe boot done", pid, timeout);
  auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  stop_qemu(pid, launch.pid_file);
  if (booted) {
    std::ostringstream why;
    why.precision(1);
    why << std::fixed << "a KVM probe boot reached init in " << seconds << " s";
    reason = why.str();
    return Accel::kKvm;
  }
  reason = "a KVM probe boot did not reach init within " +
           std::to_string(std::chrono::duration_cast<std::chrono::seconds>(timeout).count()) +
           " s (console: " + console_tail(launch.console_log, 2) + ")";
  return Accel::kTcg;
}

}  // namespace nictune::lab

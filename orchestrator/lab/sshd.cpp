#include "orchestrator/lab/sshd.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/errors.hpp"
#include "orchestrator/lab/lab_files.hpp"
#include "orchestrator/lab/netns.hpp"
#include "orchestrator/transport/subprocess.hpp"
#include "orchestrator/transport/text.hpp"

namespace nictune::lab {
namespace {

namespace fs = std::filesystem;

std::string read_text(const std::string& path) {
  std::string text;
  if (!transport_text::read_file(path, text)) throw Error(ErrorCode::kIo, "cannot read " + path);
  return text;
}

std::string comm_of(pid_t pid) {
  std::string text;
  transport_text::read_file("/proc/" + std::to_string(pid) + "/comm", text);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

}  // namespace

void generate_ed25519_key(const std::string& path, const std::string& comment) {
  std::error_code ec;
  fs::remove(path, ec);
  fs::remove(path + ".pub", ec);
  subprocess::run_checked(
      {"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", path},
      "generate key " + path);
}

std::string public_key_text(const std::string& pub_path) {
  std::istringstream in(read_text(pub_path));
  std::string type, blob;
  in >> type >> blob;
  if (type.empty() || blob.empty()) throw Error(ErrorCode::kIo, pub_path + " holds no public key");
  return type + " " + blob;
}

std::string key_fingerprint(const std::string& pub_path) {
  auto result =
      subprocess::run_checked({"ssh-keygen", "-l", "-E", "sha256", "-f", pub_path}, "fingerprint");
  std::istringstream in(result.out);
  std::string bits, fingerprint;
  in >> bits >> fingerprint;
  return fingerprint;
}

std::string known_hosts_line(const std::string& host, int port, const std::string& pub_path) {
  std::string pattern = port == 22 ? host : "[" + host + "]:" + std::to_string(port);
  return pattern + " " + public_key_text(pub_path) + "\n";
}

std::string world_writable_parent(const std::string& path) {
  std::error_code ec;
  fs::path current = fs::absolute(path, ec);
  while (true) {
    struct stat st {};
    if (::stat(current.c_str(), &st) == 0 && (st.st_mode & 022) != 0) return current.string();
    if (!current.has_parent_path() || current.parent_path() == current) return "";
    current = current.parent_path();
  }
}

void prepare_sshd(const SshdSetup& setup) {
  std::error_code ec;
  fs::create_directories(setup.dir, ec);
  fs::permissions(setup.dir, fs::perms::owner_all, ec);
  if (!fs::exists(setup.host_key_path()))
    generate_ed25519_key(setup.host_key_path(), "nictune-lab-host");
  std::string authorized;
  for (const auto& pub : setup.authorized_public_keys) authorized += public_key_text(pub) + "\n";
  write_private_file(setup.authorized_keys_path(), authorized,
                     fs::perms::owner_read | fs::perms::owner_write);
  std::ostringstream config;
  config << "# Written by nictune for a namespace lab: keys only, root by key, nothing else.\n"
         << "ListenAddress " << setup.listen_address << "\n"
         << "Port " << setup.port << "\n"
         << "HostKey " << setup.host_key_path() << "\n"
         << "PidFile none\n"
         << "AuthorizedKeysFile " << setup.authorized_keys_path()
         << (setup.home_authorized_keys ? " .ssh/authorized_keys" : "") << "\n"
         << "PermitRootLogin prohibit-password\n"
         << "PubkeyAuthentication yes\n"
         << "PasswordAuthentication no\n"
         << "KbdInteractiveAuthentication no\n"
         << "UsePAM no\n"
         << "UseDNS no\n"
         << "StrictModes yes\n"
         << "X11Forwarding no\n"
         << "AllowTcpForwarding no\n"
         << "MaxSessions 32\n"
         << "MaxStartups 64\n"
         << "ClientAliveInterval " << setup.client_alive_interval_s << "\n"
         << "ClientAliveCountMax " << setup.client_alive_count_max << "\n"
         << "Subsystem sftp internal-sftp\n"
         << "LogLevel " << setup.log_level << "\n";
  write_private_file(setup.config_path(), config.str(),
                     fs::perms::owner_read | fs::perms::owner_write);
}

pid_t start_sshd(const SshdSetup& setup, std::chrono::milliseconds timeout) {
  if (::access(setup.sshd_path.c_str(), X_OK) != 0) {
    throw Error(ErrorCode::kUnsupported, setup.sshd_path + " is missing: install openssh-server");
  }
  // sshd's privilege separation directory; Debian creates it at boot only when sshd is enabled.
  std::error_code ec;
  fs::create_directories("/run/sshd", ec);
  fs::permissions("/run/sshd",
                  fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec, ec);
  // Syntax and key problems surface here as one clear line rather than as a dead daemon.
  auto check = subprocess::run(
      {"ip", "netns", "exec", setup.netns, setup.sshd_path, "-t", "-f", setup.config_path()});
  if (!check.ok()) {
    throw Error(ErrorCode::kIo, "sshd in " + setup.netns + " rejects " + setup.config_path() +
                                    ": " + check.failure());
  }
  pid_t pid = subprocess::spawn_detached(
      {"ip", "netns", "exec", setup.netns, setup.sshd_path, "-f", setup.config_path(), "-D", "-e"},
      setup.log_path());
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (tcp_port_open(setup.listen_address, setup.port, 200)) return pid;
    if (!subprocess::alive(pid) || std::chrono::steady_clock::now() >= deadline) {
      std::string log;
      transport_text::read_file(setup.log_path(), log);
      subprocess::stop(pid);
      throw Error(ErrorCode::kIo, "sshd in " + setup.netns + " did not start listening on " +
                                      setup.listen_address + ":" + std::to_string(setup.port) +
                                      ": " + transport_text::last_lines(log));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

bool stop_sshd(pid_t pid, const std::string& config_path) {
  if (pid <= 0 || !subprocess::alive(pid)) return true;
  std::string command = subprocess::cmdline(pid);
  if (command.find("sshd") == std::string::npos || command.find(config_path) == std::string::npos) {
    return true;  // that PID is someone else's now; ours is gone
  }
  return subprocess::stop(pid);
}

std::vector<pid_t> sshd_session_pids(pid_t listener) {
  std::vector<pid_t> out;
  for (pid_t child : subprocess::children_of(listener)) {
    if (comm_of(child) != "sshd") continue;
    out.push_back(child);
    for (pid_t grandchild : subprocess::children_of(child)) {
      if (comm_of(grandchild) == "sshd") out.push_back(grandchild);
    }
  }
  return out;
}

}  // namespace nictune::lab

#include "ssh_test_host.hpp"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "orchestrator/lab/netns.hpp"
#include "orchestrator/transport/subprocess.hpp"

namespace nictune::testing {
namespace {

namespace fs = std::filesystem;

std::atomic<int> instance_counter{0};

std::string address_in_block(int block, int host) {
  return "198.19." + std::to_string(block / 64) + "." + std::to_string((block % 64) * 4 + host);
}

}  // namespace

std::string ssh_tests_unavailable() {
  if (geteuid() != 0) return "needs root (network namespaces, sshd)";
  if (::access("/usr/sbin/sshd", X_OK) != 0) return "no /usr/sbin/sshd (install openssh-server)";
  if (subprocess::find_program("ssh-keygen").empty())
    return "no ssh-keygen (install openssh-client)";
  if (subprocess::find_program("ip").empty()) return "no ip (install iproute2)";
  auto probe = subprocess::run({"ip", "netns", "list"});
  if (!probe.ok()) return "cannot use network namespaces: " + probe.failure();
  return "";
}

TempDir::TempDir(const std::string& tag, const std::string& base) {
  std::error_code ec;
  if (!fs::exists(base)) {
    fs::create_directories(base, ec);
    fs::permissions(base, fs::perms::owner_all, ec);
  }
  std::string pattern = base + "/" + tag + "-" + std::to_string(getpid()) + "-XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (!mkdtemp(buffer.data())) throw std::runtime_error("mkdtemp " + pattern + " failed");
  path_ = buffer.data();
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

SshTestHost::SshTestHost(int client_alive_interval_s, int client_alive_count_max,
                         bool home_authorized_keys)
    : dir_("ssh") {
  const int n = instance_counter++;
  const int pid = static_cast<int>(getpid());
  netns_ = "ntt-" + std::to_string(pid) + "-" + std::to_string(n);
  root_link_ = "ntt" + std::to_string(pid) + static_cast<char>('a' + n % 26);
  try {
    block_ = HostSlot::acquire("ssh-block", 0, 16383, [](int candidate) {
      return lab::interface_holding(address_in_block(candidate, 1)).empty() &&
             lab::interface_holding(address_in_block(candidate, 2)).empty();
    });
    const int block = block_.number();
    root_address_ = address_in_block(block, 1);
    address_ = address_in_block(block, 2);

    lab::netns_add(netns_);
    lab::ip({"link", "add", root_link_, "type", "veth", "peer", "name", "eth0", "netns", netns_},
            "test veth");
    lab::ip({"addr", "add", root_address_ + "/30", "dev", root_link_}, "test address");
    lab::ip({"link", "set", root_link_, "up"}, "test link up");
    lab::ip({"-n", netns_, "addr", "add", address_ + "/30", "dev", "eth0"}, "test address");
    lab::ip({"-n", netns_, "link", "set", "eth0", "up"}, "test link up");

    user_key_ = dir() + "/id_ed25519";
    lab::generate_ed25519_key(user_key_, "nictune-test-user");
    sshd_.dir = dir() + "/sshd";
    sshd_.netns = netns_;
    sshd_.listen_address = address_;
    sshd_.authorized_public_keys = {user_key_ + ".pub"};
    sshd_.client_alive_interval_s = client_alive_interval_s;
    sshd_.client_alive_count_max = client_alive_count_max;
    sshd_.home_authorized_keys = home_authorized_keys;
    sshd_.log_level = "DEBUG";
    lab::prepare_sshd(sshd_);
    sshd_pid_ = lab::start_sshd(sshd_);
    known_hosts_ = dir() + "/known_hosts";
    std::ofstream(known_hosts_) << lab::known_hosts_line(address_, 22, host_public_key());
  } catch (...) {
    cleanup();
    throw;
  }
}

SshTestHost::~SshTestHost() {
  cleanup();
}

void SshTestHost::cleanup() {
  if (sshd_pid_ > 0) lab::stop_sshd(sshd_pid_, sshd_.config_path());
  for (int round = 0; round < 3; ++round) {
    auto pids = lab::netns_pids(netns_);
    if (pids.empty()) break;
    for (pid_t pid : pids) subprocess::stop(pid, std::chrono::seconds(2), std::chrono::seconds(2));
  }
  lab::netns_delete(netns_);
  lab::link_delete(root_link_);
}

HostSpec SshTestHost::spec() const {
  HostSpec spec;
  spec.role = "dut";
  spec.transport = "ssh";
  spec.host = address_;
  spec.port = 22;
  spec.user = "root";
  spec.identity_file = user_key_;
  spec.known_hosts = known_hosts_;
  spec.connect_timeout_s = 5;
  return spec;
}

std::string SshTestHost::sshd_log() const {
  std::ifstream in(sshd_.log_path());
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string SshTestHost::make_unauthorized_key(const std::string& name) const {
  std::string path = dir() + "/" + name;
  lab::generate_ed25519_key(path, "nictune-test-" + name);
  return path;
}

int SshTestHost::kill_sessions() const {
  auto pids = lab::sshd_session_pids(sshd_pid_);
  for (pid_t pid : pids) ::kill(pid, SIGKILL);
  return static_cast<int>(pids.size());
}

std::vector<pid_t> SshTestHost::other_processes() const {
  std::vector<pid_t> out;
  for (pid_t pid : lab::netns_pids(netns_)) {
    if (pid != sshd_pid_ && subprocess::alive(pid)) out.push_back(pid);
  }
  return out;
}

std::string release_agent_binary() {
  if (const char* release = getenv("NICTUNE_RELEASE_BUILD"); release && *release) {
    std::string path = std::string(release) + "/agents/nictune-agent";
    if (::access(path.c_str(), X_OK) == 0) return path;
  }
  return NICTUNE_AGENT_BINARY;
}

std::string test_agent_binary() {
  return NICTUNE_TEST_AGENT;
}

}  // namespace nictune::testing

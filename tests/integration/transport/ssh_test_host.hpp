// A real OpenSSH sshd in a network namespace of its own, for the SSH transport tests: a veth
// from our namespace to it, 198.19.x.y/30 addresses, host and user keys in a private directory.
// Names carry the test's PID; everything is removed by the destructor, also when a test fails.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "core/host_spec.hpp"
#include "orchestrator/lab/sshd.hpp"
#include "tests/support/host_slot.hpp"

namespace nictune::testing {

// Why SSH tests cannot run here ("needs root", "no /usr/sbin/sshd"), or "" when they can.
std::string ssh_tests_unavailable();

// A private directory, by default under /run/nictune-test (not /tmp: sshd refuses keys below a
// directory others can write). Removed by the destructor.
class TempDir {
 public:
  explicit TempDir(const std::string& tag, const std::string& base = "/run/nictune-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

class SshTestHost {
 public:
  // sshd's ClientAliveInterval (0 = off) and ClientAliveCountMax; home_authorized_keys: users
  // other than root log in with the keys in their ~/.ssh/authorized_keys.
  explicit SshTestHost(int client_alive_interval_s = 0, int client_alive_count_max = 4,
                       bool home_authorized_keys = false);
  ~SshTestHost();
  SshTestHost(const SshTestHost&) = delete;
  SshTestHost& operator=(const SshTestHost&) = delete;

  // ssh root@address:22 with the user key and a known_hosts that holds the host key.
  HostSpec spec() const;

  const std::string& dir() const { return dir_.path(); }
  const std::string& netns() const { return netns_; }
  const std::string& address() const { return address_; }
  const std::string& user_key() const { return user_key_; }
  const std::string& known_hosts() const { return known_hosts_; }
  std::string host_public_key() const { return sshd_.host_key_path() + ".pub"; }
  pid_t sshd_pid() const { return sshd_pid_; }
  // sshd's log so far (for failure messages).
  std::string sshd_log() const;

  // A fresh key pair in dir(), not authorized on the host. Returns the private key path.
  std::string make_unauthorized_key(const std::string& name) const;
  // Kills (SIGKILL, by PID) the sshd processes serving connections, not the listener and not
  // the commands they run. Returns how many it killed.
  int kill_sessions() const;
  // Processes left in the namespace besides sshd itself.
  std::vector<pid_t> other_processes() const;

 private:
  TempDir dir_;
  HostSlot block_;  // the 198.19.x.y/30 block, held while the host lives
  std::string netns_;
  std::string root_link_;
  std::string root_address_;
  std::string address_;
  std::string user_key_;
  std::string known_hosts_;
  lab::SshdSetup sshd_;
  pid_t sshd_pid_ = 0;
  void cleanup();
};

// The static release agent (NICTUNE_RELEASE_BUILD/agents/nictune-agent) when there is one,
// else this build's agent.
std::string release_agent_binary();
std::string test_agent_binary();

}  // namespace nictune::testing

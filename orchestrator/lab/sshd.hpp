// OpenSSH sshd inside a network namespace, with keys we generate: what the lab runs on each
// host and what the SSH transport tests connect to.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace nictune::lab {

// `ssh-keygen -t ed25519` without passphrase into `path` (and path.pub), replacing old files.
void generate_ed25519_key(const std::string& path, const std::string& comment);

// "ssh-ed25519 AAAA..." from a .pub file, without the comment.
std::string public_key_text(const std::string& pub_path);

// "SHA256:..." of a public key file (ssh-keygen -lf).
std::string key_fingerprint(const std::string& pub_path);

// A known_hosts line for host:port ("host" for 22, "[host]:port" otherwise).
std::string known_hosts_line(const std::string& host, int port, const std::string& pub_path);

// sshd refuses keys under a directory that others may write (StrictModes): the first such
// directory from `path` up to /, or "".
std::string world_writable_parent(const std::string& path);

struct SshdSetup {
  std::string dir;             // config, host key, authorized_keys, log
  std::string netns;           // where sshd runs
  std::string listen_address;  // its address inside netns
  int port = 22;
  std::vector<std::string> authorized_public_keys;  // .pub files allowed to log in as root
  // Also accept the keys in other users' ~/.ssh/authorized_keys (the file above is root's:
  // sshd reads a user's keys as that user, who cannot read it).
  bool home_authorized_keys = false;
  std::string sshd_path = "/usr/sbin/sshd";
  std::string log_level = "VERBOSE";
  // sshd drops a client that answers none of count_max probes sent every interval; 0 disables.
  int client_alive_interval_s = 15;
  int client_alive_count_max = 4;

  std::string config_path() const { return dir + "/sshd_config"; }
  std::string host_key_path() const { return dir + "/ssh_host_ed25519_key"; }
  std::string authorized_keys_path() const { return dir + "/authorized_keys"; }
  std::string log_path() const { return dir + "/sshd.log"; }
};

// Generates the host key (unless one exists), writes authorized_keys and sshd_config.
void prepare_sshd(const SshdSetup& setup);

// Starts `ip netns exec NETNS sshd -f CONFIG -D -e` and waits until it accepts connections.
// Returns sshd's PID. Throws Error(kIo) with the end of sshd's log when it does not come up.
pid_t start_sshd(const SshdSetup& setup,
                 std::chrono::milliseconds timeout = std::chrono::seconds(10));

// Ends the sshd started with `config_path`, by PID, after checking that PID still is that
// sshd (PIDs are reused). True when it is gone (or was never there).
bool stop_sshd(pid_t pid, const std::string& config_path);

// The sshd processes serving connections: children of the listener and their sshd children
// (not the commands they run).
std::vector<pid_t> sshd_session_pids(pid_t listener);

}  // namespace nictune::lab

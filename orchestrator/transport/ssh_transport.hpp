// The agent on another host, on an SSH exec channel (libssh). Keys only (identity file or
// ssh-agent), host keys verified strictly against known_hosts, and the agent uploaded over SFTP
// when the host has none of this version.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/host_spec.hpp"
#include "orchestrator/transport/line_buffer.hpp"
#include "orchestrator/transport/transport.hpp"
#include "orchestrator/transport/transport_registry.hpp"

struct ssh_session_struct;
struct ssh_channel_struct;
struct ssh_channel_callbacks_struct;
struct ssh_callbacks_struct;
struct sftp_session_struct;

namespace nictune {

// The line `nictune-agent --version` prints for this build; a remote agent must match it.
std::string expected_agent_version_line();

// The messages for a host key that is not accepted, without the "<label>: " prefix. `entry` is
// the known_hosts line for the offered key; `host_pattern` is "host" or "[host]:port".
std::string unknown_host_key_message(const std::string& key_type, const std::string& fingerprint,
                                     const std::string& known_hosts, const std::string& entry);
std::string changed_host_key_message(const std::string& key_type, const std::string& fingerprint,
                                     const std::string& known_hosts,
                                     const std::string& host_pattern, const std::string& entry);

class SshTransport : public Transport {
 public:
  // Connects, verifies the host key, authenticates, finds or uploads the agent and starts it.
  // Throws TransportError (unreachable, host-key, auth, timeout, agent-crash) on failure.
  SshTransport(const HostSpec& spec, const TransportOptions& options);
  ~SshTransport() override;
  SshTransport(const SshTransport&) = delete;
  SshTransport& operator=(const SshTransport&) = delete;

  void send_line(const std::string& line) override;
  std::string receive_line(std::chrono::milliseconds timeout) override;
  void close() override;
  std::string describe() const override;
  std::string stderr_tail() const override;

  // The agent's PID on the host.
  long remote_pid() const { return remote_pid_; }
  // The remote command line the agent runs under, and whether it was uploaded this time.
  const std::string& agent_command() const { return agent_command_; }
  bool uploaded_agent() const { return uploaded_; }

  // Internal, for the libssh exit-signal callback.
  void note_exit_signal(const std::string& signal) { exit_signal_ = signal; }

 private:
  struct ExecResult {
    int exit_status = -1;
    std::string out;
    std::string err;
  };

  std::string label() const { return transport_label(spec_.role, describe()); }
  std::string known_hosts_path() const;
  void connect();
  void verify_host_key();
  void authenticate();
  void configure_socket();
  std::string find_or_upload_agent();
  std::string upload_agent();
  void prune_agent_cache(sftp_session_struct* sftp, const std::string& dir,
                         const std::string& keep);
  ExecResult exec(const std::string& command);
  void start_agent(const std::string& path);
  [[noreturn]] void throw_lost(const std::string& during);
  [[noreturn]] void throw_ended();
  void throw_if_unusable();
  std::string receive_line_locked(std::chrono::milliseconds timeout);
  void signal_agent(const std::string& signal);
  void drain_stderr();
  bool wait_channel_end(std::chrono::milliseconds timeout);
  void release();
  void log(const std::string& message) const;
  void keepalive_loop();
  void stop_keepalive();

  HostSpec spec_;
  TransportOptions options_;
  ssh_session_struct* session_ = nullptr;
  ssh_channel_struct* channel_ = nullptr;
  ssh_channel_callbacks_struct* channel_callbacks_ = nullptr;
  ssh_callbacks_struct* session_callbacks_ = nullptr;
  std::string agent_command_;
  bool uploaded_ = false;
  long remote_pid_ = 0;  // the agent's PID on the host, for TERM/KILL when it will not end
  bool lost_ = false;
  bool closed_ = false;
  std::string exit_signal_;
  std::string stderr_;
  LineBuffer buffer_;
  std::chrono::steady_clock::time_point last_traffic_;

  // libssh answers the server (keep-alive probes, window updates) only while we call into it.
  // Between calls — a DUT idle through a long trial — this thread does, under mutex_.
  mutable std::mutex mutex_;
  std::condition_variable keepalive_cv_;
  bool keepalive_stop_ = false;
  std::thread keepalive_thread_;
};

}  // namespace nictune

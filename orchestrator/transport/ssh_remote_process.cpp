// SshTransport, part 3: processes on the host. Short commands on channels of their own
// (`exec`), the agent on its long-lived channel (it says its PID first), and ending it: end of
// input, then TERM and KILL by PID, because sshd forwards no signals for root logins.
#include <libssh/callbacks.h>
#include <libssh/libssh.h>

#include <cstdlib>

#include "orchestrator/transport/ssh_detail.hpp"
#include "orchestrator/transport/ssh_transport.hpp"
#include "orchestrator/transport/text.hpp"

namespace nictune {

using namespace ssh_detail;
using transport_text::duration;
using transport_text::shell_command;

namespace {

void on_exit_signal(ssh_session, ssh_channel, const char* signal, int, const char*, const char*,
                    void* userdata) {
  static_cast<SshTransport*>(userdata)->note_exit_signal(signal ? signal : "?");
}

}  // namespace

SshTransport::ExecResult SshTransport::exec(const std::string& command) {
  ExecResult result;
  ssh_channel channel = ssh_channel_new(session_);
  if (!channel) throw_lost("`" + command + "`");
  struct Free {
    ssh_channel c;
    ~Free() {
      ssh_channel_close(c);
      ssh_channel_free(c);
    }
  } free_channel{channel};
  if (ssh_channel_open_session(channel) != SSH_OK ||
      ssh_channel_request_exec(channel, command.c_str()) != SSH_OK) {
    if (!ssh_is_connected(session_)) throw_lost("`" + command + "`");
    throw TransportError(TransportErrorKind::kProtocol,
                         label() + ": cannot run `" + command + "`: " + ssh_get_error(session_));
  }
  ssh_channel_send_eof(channel);
  auto deadline = Clock::now() + options_.command_timeout;
  char chunk[16384];
  while (true) {
    int n;
    while ((n = ssh_channel_read_nonblocking(channel, chunk, sizeof chunk, 1)) > 0) {
      transport_text::append_tail(result.err, chunk, static_cast<std::size_t>(n), 65536);
    }
    int available = ssh_channel_poll_timeout(channel, poll_slice(left_until(deadline)), 0);
    if (available == SSH_ERROR) throw_lost("`" + command + "`");
    if (available == SSH_EOF) break;
    if (available > 0) {
      n = ssh_channel_read_nonblocking(channel, chunk, sizeof chunk, 0);
      if (n > 0) transport_text::append_tail(result.out, chunk, static_cast<std::size_t>(n), 65536);
      continue;
    }
    if (Clock::now() >= deadline) {
      throw TransportError(TransportErrorKind::kTimeout, label() + ": `" + command +
                                                             "` did not finish within " +
                                                             duration(options_.command_timeout));
    }
  }
  int n;
  while ((n = ssh_channel_read_nonblocking(channel, chunk, sizeof chunk, 1)) > 0) {
    transport_text::append_tail(result.err, chunk, static_cast<std::size_t>(n), 65536);
  }
  result.exit_status = ssh_channel_get_exit_status(channel);
  return result;
}

void SshTransport::start_agent(const std::string& path) {
  std::vector<std::string> agent = {path};
  agent.insert(agent.end(), options_.agent_args.begin(), options_.agent_args.end());
  // sshd forwards signal requests only for privilege-separated sessions, never for root logins,
  // so close() kills a stuck agent by PID over another channel. The shell says the PID and
  // then becomes the agent.
  std::vector<std::string> argv;
  if (spec_.sudo) argv = {"sudo", "-n"};
  argv.insert(argv.end(),
              {"sh", "-c", "echo nictune-agent-pid $$ && exec " + shell_command(agent)});
  agent_command_ = shell_command(argv);

  channel_ = ssh_channel_new(session_);
  if (!channel_) throw_lost("starting the agent");
  channel_callbacks_ = new ssh_channel_callbacks_struct{};
  ssh_callbacks_init(channel_callbacks_);
  channel_callbacks_->userdata = this;
  channel_callbacks_->channel_exit_signal_function = on_exit_signal;
  ssh_set_channel_callbacks(channel_, channel_callbacks_);
  if (ssh_channel_open_session(channel_) != SSH_OK ||
      ssh_channel_request_exec(channel_, agent_command_.c_str()) != SSH_OK) {
    if (!ssh_is_connected(session_)) throw_lost("starting the agent");
    throw TransportError(
        TransportErrorKind::kProtocol,
        label() + ": cannot start `" + agent_command_ + "`: " + ssh_get_error(session_));
  }
  last_traffic_ = Clock::now();
  std::string first = receive_line_locked(options_.command_timeout);
  const std::string tag = "nictune-agent-pid ";
  if (first.rfind(tag, 0) != 0 || (remote_pid_ = std::atol(first.c_str() + tag.size())) <= 0) {
    throw TransportError(TransportErrorKind::kProtocol,
                         label() + ": `" + agent_command_ + "` started with \"" +
                             first.substr(0, 120) + "\" instead of its PID");
  }
}

void SshTransport::signal_agent(const std::string& signal) {
  if (remote_pid_ <= 0 || lost_) return;
  std::vector<std::string> argv;
  if (spec_.sudo) argv = {"sudo", "-n"};
  argv.insert(argv.end(), {"kill", "-" + signal, std::to_string(remote_pid_)});
  try {
    exec(shell_command(argv));
  } catch (const TransportError&) {
    lost_ = !ssh_is_connected(session_);
  }
}

bool SshTransport::wait_channel_end(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  std::vector<char> chunk(65536);
  while (true) {
    int available = ssh_channel_poll_timeout(channel_, poll_slice(left_until(deadline)), 0);
    drain_stderr();
    if (available == SSH_ERROR) {
      lost_ = !ssh_is_connected(session_);
      return true;
    }
    if (available == SSH_EOF) return true;
    if (available > 0) {
      ssh_channel_read_nonblocking(channel_, chunk.data(), static_cast<uint32_t>(chunk.size()), 0);
      continue;
    }
    if (Clock::now() >= deadline) return false;
  }
}

void SshTransport::close() {
  stop_keepalive();
  std::lock_guard lock(mutex_);
  if (closed_) return;
  closed_ = true;
  if (channel_ && !lost_ && ssh_is_connected(session_)) {
    // End of input: the agent restores and exits. A stuck agent gets TERM, then KILL, and the
    // channel is closed after that whatever happened.
    ssh_channel_send_eof(channel_);
    if (!wait_channel_end(options_.close_grace) && !lost_) {
      signal_agent("TERM");
      if (!wait_channel_end(std::chrono::seconds(3)) && !lost_) {
        signal_agent("KILL");
        wait_channel_end(std::chrono::seconds(2));
      }
    }
  }
  release();
}

void SshTransport::release() {
  if (channel_) {
    if (session_ && !lost_ && ssh_is_connected(session_)) ssh_channel_close(channel_);
    ssh_channel_free(channel_);
    channel_ = nullptr;
  }
  delete channel_callbacks_;
  channel_callbacks_ = nullptr;
  if (session_) {
    if (ssh_is_connected(session_)) ssh_disconnect(session_);
    ssh_free(session_);
    session_ = nullptr;
  }
  delete session_callbacks_;
  session_callbacks_ = nullptr;
}

}  // namespace nictune

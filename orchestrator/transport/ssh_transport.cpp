// SshTransport, part 4: the conversation with the running agent. Construction in order (session,
// agent, keep-alive thread), JSON-RPC lines both ways over the agent's channel, the keep-alive
// thread that answers the server while nobody calls, and the errors that say how the agent or
// the connection ended. The other parts: ssh_session.cpp, ssh_agent_upload.cpp,
// ssh_remote_process.cpp.
#include "orchestrator/transport/ssh_transport.hpp"

#include <libssh/libssh.h>

#include "orchestrator/transport/ssh_detail.hpp"
#include "orchestrator/transport/text.hpp"

namespace nictune {

using namespace ssh_detail;
using transport_text::duration;

SshTransport::SshTransport(const HostSpec& spec, const TransportOptions& options)
    : spec_(spec), options_(options) {
  try {
    connect();
    std::string path = find_or_upload_agent();
    start_agent(path);
    keepalive_thread_ = std::thread([this] { keepalive_loop(); });
  } catch (...) {
    release();
    throw;
  }
}

SshTransport::~SshTransport() {
  try {
    close();
  } catch (...) {
    // close() is bounded; a destructor must not throw.
  }
}

std::string SshTransport::describe() const {
  return "ssh " + spec_.user + "@" + spec_.host + ":" + std::to_string(spec_.port);
}

std::string SshTransport::stderr_tail() const {
  std::lock_guard lock(mutex_);
  return stderr_;
}

void SshTransport::log(const std::string& message) const {
  if (options_.log) options_.log(label() + ": " + message);
}

void SshTransport::keepalive_loop() {
  std::unique_lock lock(mutex_);
  while (!keepalive_stop_) {
    keepalive_cv_.wait_for(lock, options_.keepalive_interval, [this] { return keepalive_stop_; });
    if (keepalive_stop_ || lost_ || closed_ || !channel_) break;
    auto now = Clock::now();
    if (now < last_traffic_ + options_.keepalive_interval) continue;
    // Handles whatever arrived (the server's own keep-alive probes get their answer) and
    // leaves agent output in libssh's buffer for the next receive_line.
    if (ssh_channel_poll_timeout(channel_, 0, 0) == SSH_ERROR ||
        ssh_send_ignore(session_, "nictune keep-alive") != SSH_OK) {
      lost_ = !ssh_is_connected(session_);
      if (lost_) break;
    }
    drain_stderr();
    last_traffic_ = now;
  }
}

void SshTransport::stop_keepalive() {
  {
    std::lock_guard lock(mutex_);
    keepalive_stop_ = true;
  }
  keepalive_cv_.notify_all();
  if (keepalive_thread_.joinable()) keepalive_thread_.join();
}

void SshTransport::throw_lost(const std::string& during) {
  lost_ = true;
  std::string why = session_ ? ssh_get_error(session_) : "";
  if (why.empty()) why = "the connection closed";
  throw TransportError(TransportErrorKind::kUnreachable,
                       label() + ": connection lost during " + during + ": " + why);
}

void SshTransport::drain_stderr() {
  char chunk[8192];
  int n;
  while (channel_ && (n = ssh_channel_read_nonblocking(channel_, chunk, sizeof chunk, 1)) > 0) {
    transport_text::append_tail(stderr_, chunk, static_cast<std::size_t>(n));
  }
}

void SshTransport::throw_ended() {
  drain_stderr();
  int status = ssh_channel_get_exit_status(channel_);
  drain_stderr();
  std::string what;
  if (!exit_signal_.empty()) {
    what = "the agent was killed by signal " + exit_signal_;
  } else if (status >= 0) {
    what = "the agent exited with status " + std::to_string(status);
    if (status == 127) what += " (not found)";
  } else {
    what = "the agent's output ended";
  }
  std::string message = label() + ": " + what;
  std::string last = transport_text::last_lines(stderr_);
  if (!last.empty()) message += "; its stderr: " + last;
  throw TransportError(TransportErrorKind::kAgentCrash, message);
}

void SshTransport::throw_if_unusable() {
  if (closed_ || !channel_)
    throw TransportError(TransportErrorKind::kProtocol, label() + ": used after close");
  if (lost_) {
    throw TransportError(TransportErrorKind::kUnreachable,
                         label() + ": the connection was lost earlier");
  }
}

void SshTransport::send_line(const std::string& line) {
  std::lock_guard lock(mutex_);
  throw_if_unusable();
  std::string data = line + "\n";
  std::size_t done = 0;
  while (done < data.size()) {
    auto piece = static_cast<uint32_t>(std::min<std::size_t>(data.size() - done, 1u << 20));
    int n = ssh_channel_write(channel_, data.data() + done, piece);
    if (n == SSH_ERROR) {
      if (!ssh_is_connected(session_)) throw_lost("a request");
      if (ssh_channel_is_closed(channel_) || ssh_channel_is_eof(channel_)) throw_ended();
      throw TransportError(TransportErrorKind::kTimeout,
                           label() + ": cannot send to the agent: " + ssh_get_error(session_));
    }
    done += static_cast<std::size_t>(n);
  }
  last_traffic_ = Clock::now();
}

std::string SshTransport::receive_line(std::chrono::milliseconds timeout) {
  std::lock_guard lock(mutex_);
  return receive_line_locked(timeout);
}

std::string SshTransport::receive_line_locked(std::chrono::milliseconds timeout) {
  if (auto line = buffer_.next_line()) return *line;
  throw_if_unusable();
  auto deadline = Clock::now() + timeout;
  auto last_keepalive = last_traffic_;
  std::vector<char> chunk(65536);
  while (true) {
    auto until_keepalive = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::max(last_traffic_, last_keepalive) + options_.keepalive_interval - Clock::now());
    auto wait =
        std::min(left_until(deadline), std::max(until_keepalive, std::chrono::milliseconds(0)));
    int available = ssh_channel_poll_timeout(channel_, poll_slice(wait), 0);
    drain_stderr();
    if (available == SSH_ERROR) throw_lost("a call");
    if (available == SSH_EOF) throw_ended();
    if (available > 0) {
      int n = ssh_channel_read_nonblocking(channel_, chunk.data(),
                                           static_cast<uint32_t>(chunk.size()), 0);
      if (n == SSH_ERROR) throw_lost("a call");
      if (n > 0) {
        last_traffic_ = Clock::now();
        buffer_.append(chunk.data(), static_cast<std::size_t>(n));
        if (auto line = buffer_.next_line()) return *line;
        if (buffer_.overflowed()) {
          throw TransportError(TransportErrorKind::kProtocol,
                               label() + ": the agent sent a line longer than " +
                                   std::to_string(LineBuffer::kDefaultMaxLine >> 20) + " MiB");
        }
      }
      continue;
    }
    auto now = Clock::now();
    if (now >= deadline) {
      throw TransportError(TransportErrorKind::kTimeout,
                           label() + ": no answer within " + duration(timeout));
    }
    if (now >= std::max(last_traffic_, last_keepalive) + options_.keepalive_interval) {
      if (ssh_send_ignore(session_, "nictune keep-alive") != SSH_OK) throw_lost("a keep-alive");
      last_keepalive = now;
    }
  }
}

}  // namespace nictune

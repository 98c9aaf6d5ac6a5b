// The agent as a child process of the orchestrator (Boost.Process), optionally inside a network
// namespace through `ip netns exec NS`, which also remounts /sys so the agent sees that
// namespace's interfaces.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/host_spec.hpp"
#include "orchestrator/transport/line_buffer.hpp"
#include "orchestrator/transport/transport.hpp"
#include "orchestrator/transport/transport_registry.hpp"

namespace nictune {

class LocalTransport : public Transport {
 public:
  // Starts the agent: spec.agent_path if set, else options.agent_binary, with options.agent_args;
  // inside spec.netns when set. Throws TransportError(kUnreachable) when it cannot start.
  LocalTransport(const HostSpec& spec, const TransportOptions& options);
  ~LocalTransport() override;
  LocalTransport(const LocalTransport&) = delete;
  LocalTransport& operator=(const LocalTransport&) = delete;

  void send_line(const std::string& line) override;
  std::string receive_line(std::chrono::milliseconds timeout) override;
  void close() override;
  std::string describe() const override;
  std::string stderr_tail() const override;

  pid_t pid() const { return pid_; }

 private:
  std::string label() const { return transport_label(role_, describe()); }
  [[noreturn]] void throw_ended(const std::string& what);
  bool reap(std::chrono::milliseconds timeout);  // true once the child was reaped
  std::string exit_description() const;
  void stderr_loop();
  void stop_stderr_reader(std::chrono::milliseconds drain);

  std::string role_;
  std::string netns_;
  std::chrono::milliseconds close_grace_;
  std::chrono::milliseconds send_timeout_;
  pid_t pid_ = -1;
  bool reaped_ = false;
  int wait_status_ = 0;
  bool closed_ = false;
  int in_fd_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  int stop_read_fd_ = -1;  // self-pipe that ends the stderr reader
  int stop_write_fd_ = -1;
  LineBuffer buffer_;
  std::thread stderr_thread_;
  std::atomic<bool> stderr_done_{false};
  mutable std::mutex stderr_mutex_;
  std::string stderr_;
};

}  // namespace nictune

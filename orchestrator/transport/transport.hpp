// A Transport carries the agent's newline-delimited JSON-RPC between the orchestrator and one
// host: a local child process or an SSH exec channel. AgentClient speaks the protocol on top.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "core/errors.hpp"
#include "core/json_util.hpp"

namespace nictune {

enum class TransportErrorKind { kUnreachable, kAuth, kHostKey, kTimeout, kAgentCrash, kProtocol };
std::string to_string(TransportErrorKind kind);

// Always reaches the user as one clear line: "dut (ssh root@198.18.1.2:22): host key changed ...".
// The transports build that prefix themselves (transport_label), so a TransportError's message
// is complete as it is.
class TransportError : public Error {
 public:
  TransportError(TransportErrorKind kind, const std::string& message)
      : Error(ErrorCode::kTransport, message), kind_(kind) {}
  TransportErrorKind kind() const { return kind_; }

 private:
  TransportErrorKind kind_;
};

// "dut (ssh root@198.18.1.2:22)", or just the description when the role is empty.
std::string transport_label(const std::string& role, const std::string& description);

// One transport is used by one thread at a time.
class Transport {
 public:
  virtual ~Transport() = default;
  // Sends one line (without the newline).
  virtual void send_line(const std::string& line) = 0;
  // Next line from the agent, or throws TransportError(kTimeout) after `timeout`,
  // TransportError(kAgentCrash) when the agent's output ended.
  virtual std::string receive_line(std::chrono::milliseconds timeout) = 0;
  // Closes the agent's stdin (it restores and exits) and waits for it, bounded.
  virtual void close() = 0;
  // "local pid 1234", "ssh root@198.18.1.2:22"
  virtual std::string describe() const = 0;
  // What the agent wrote to stderr so far (for error messages), may be empty.
  virtual std::string stderr_tail() const { return ""; }
};

}  // namespace nictune

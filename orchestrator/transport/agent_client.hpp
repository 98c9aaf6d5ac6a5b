// JSON-RPC 2.0 client for one nictune-agent over a Transport: request ids, the `hello`
// handshake, and errors mapped back to nictune::Error with the agent's stable code.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "core/errors.hpp"
#include "core/json_util.hpp"
#include "orchestrator/transport/transport.hpp"
#include "orchestrator/transport/transport_registry.hpp"

namespace nictune {

class AgentClient {
 public:
  // `role` ("dut", "lg", "bench2/dut") starts every error message, with transport->describe().
  AgentClient(std::unique_ptr<Transport> transport, std::string role);
  ~AgentClient();
  AgentClient(const AgentClient&) = delete;
  AgentClient& operator=(const AgentClient&) = delete;

  // make_transport + hello: a ready client, or TransportError / Error.
  static std::unique_ptr<AgentClient> connect(
      const HostSpec& spec, const TransportOptions& options,
      std::chrono::milliseconds hello_timeout = std::chrono::seconds(30));

  // `hello`; refuses an agent whose protocol differs from kProtocolVersion with
  // TransportError(kProtocol). Returns (and keeps) the agent's facts.
  const Json& hello(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  const Json& facts() const { return facts_; }

  // Sends one request and waits up to `timeout` for its response; answers to earlier requests
  // that timed out are skipped. Throws Error(code from error.data.code, "<label>: <method>:
  // <message>") when the agent answers with an error, TransportError when the link fails
  // (kTimeout: no answer in time; the client stays usable).
  Json call(const std::string& method, const Json& params, std::chrono::milliseconds timeout);

  // Ends the session: the agent restores what it changed and exits. Bounded; idempotent.
  void close();

  Transport& transport() { return *transport_; }
  const std::string& role() const { return role_; }
  // "dut (ssh root@198.18.1.2:22)"
  std::string label() const;

 private:
  std::unique_ptr<Transport> transport_;
  std::string role_;
  std::int64_t next_id_ = 1;
  Json facts_;
  bool closed_ = false;
};

}  // namespace nictune

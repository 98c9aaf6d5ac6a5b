// What the runner needs of an agent: call a method, say who it is, hang up. AgentClient over a
// transport implements it; tests substitute a scripted fake.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "core/host_spec.hpp"
#include "core/json_util.hpp"

namespace nictune {

class AgentCaller {
 public:
  virtual ~AgentCaller() = default;
  // Throws nictune::Error (the agent's error code) or TransportError.
  virtual Json call(const std::string& method, const Json& params,
                    std::chrono::milliseconds timeout) = 0;
  virtual std::string describe() const = 0;
  // Closes the session; the agent restores on end of input.
  virtual void close() = 0;
};

// Connects to one host and completes the hello handshake.
using AgentConnector = std::function<std::unique_ptr<AgentCaller>(const HostSpec&)>;

}  // namespace nictune

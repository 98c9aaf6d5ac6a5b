// The runner's AgentCaller over a real AgentClient (local child or SSH), and the connector that
// builds one per host from the spec.
#pragma once

#include "orchestrator/runner/agent_caller.hpp"
#include "orchestrator/transport/agent_client.hpp"

namespace nictune {

class ClientCaller : public AgentCaller {
 public:
  explicit ClientCaller(std::unique_ptr<AgentClient> client) : client_(std::move(client)) {}
  Json call(const std::string& method, const Json& params,
            std::chrono::milliseconds timeout) override {
    return client_->call(method, params, timeout);
  }
  std::string describe() const override { return client_->label(); }
  void close() override { client_->close(); }

 private:
  std::unique_ptr<AgentClient> client_;
};

AgentConnector make_client_connector(TransportOptions options);

}  // namespace nictune

#include "orchestrator/runner/client_caller.hpp"

namespace nictune {

AgentConnector make_client_connector(TransportOptions options) {
  return [options](const HostSpec& spec) -> std::unique_ptr<AgentCaller> {
    return std::make_unique<ClientCaller>(AgentClient::connect(spec, options));
  };
}

}  // namespace nictune

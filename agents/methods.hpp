// The agent's method groups. Each group registers its JSON-RPC methods in the table; main
// calls them in order. This is the visible list of everything the agent answers.
#pragma once

#include "agents/agent_context.hpp"
#include "agents/rpc/json_rpc.hpp"

namespace nictune::agent {

// hello: version, protocol, host basics.
void register_hello_methods(rpc::MethodTable& table, AgentContext& context);

}  // namespace nictune::agent

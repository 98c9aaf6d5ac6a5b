// The agent's method groups. Each group registers its JSON-RPC methods in the table; main
// calls them in order. This is the visible list of everything the agent answers.
#pragma once

#include "agents/agent_context.hpp"
#include "agents/rpc/json_rpc.hpp"

namespace nictune::agent {

// hello: version, protocol, host basics.
void register_hello_methods(rpc::MethodTable& table, AgentContext& context);

// probe, snapshot, apply, read, restore, counters.start/stop (agents/knobs, agents/counters).
void register_knob_methods(rpc::MethodTable& table, AgentContext& context);

// serve.start, serve.stop, load.run (agents/load).
void register_load_methods(rpc::MethodTable& table, AgentContext& context);

// profile.probe, profile.start, profile.stop (agents/profile).
void register_profile_methods(rpc::MethodTable& table, AgentContext& context);

}  // namespace nictune::agent

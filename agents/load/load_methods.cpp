#include "agents/methods.hpp"

namespace nictune::agent {

// Filled in by the load work (issue 4).
void register_load_methods(rpc::MethodTable&, AgentContext&) {}

}  // namespace nictune::agent

#include "agents/methods.hpp"

namespace nictune::agent {

// Filled in by the knobs work (issue 3).
void register_knob_methods(rpc::MethodTable&, AgentContext&) {}

}  // namespace nictune::agent

// `nictune-agent --restore [--interface IF]`: puts back every persisted snapshot after a crash
// or reboot, prints {"restored", "mismatches"} as JSON on `out` and returns the exit status
// (0 verified, 1 a value is off or a snapshot could not be read).
#pragma once

#include <iosfwd>
#include <optional>
#include <string>

#include "agents/agent_context.hpp"

namespace nictune::agent {

int restore_command(const AgentContext& context, const std::optional<std::string>& interface,
                    std::ostream& out, std::ostream& err);

}  // namespace nictune::agent

// The VM lab's state file (DIR/vm.json): what `lab up --vm` recorded, read back by `lab down`
// and `lab status`. Private to orchestrator/lab's vm_lab*.cpp.
#pragma once

#include <optional>
#include <string>

#include "orchestrator/lab/vm_lab.hpp"

namespace nictune::lab {

inline constexpr const char* kVmStateFile = "vm.json";

// The recorded state at `path`; nullopt when there is none or it does not parse (a lab that
// died half-way is then removed by its plan's names).
std::optional<VmLabState> read_vm_state(const std::string& path);
// Writes DIR/vm.json, owner-only.
void record_vm_state(const VmLabState& state);

}  // namespace nictune::lab

// A host-wide integer sysctl under /proc/sys, from an allow-list: the registry's catalog names,
// never a path from a request. Global sysctls exist only in the root network namespace.
#pragma once

#include "agents/knobs/knob.hpp"

namespace nictune::agent {

struct SysctlSpec {
  const char* key;  // "net.core.busy_poll"
  long long min = 0;
  long long max = 2147483647;  // proc_dointvec
  bool rounds_to_pow2 = false;
};

std::unique_ptr<Knob> make_sysctl_knob(const KnobInfo& info, const SysctlSpec& spec);

// True when the agent's network namespace is not the one of PID 1 (the root namespace), as
// far as procfs tells (falling back to which net.core sysctls exist); false when it cannot tell.
bool outside_root_netns(const KernelFiles& files);

}  // namespace nictune::agent

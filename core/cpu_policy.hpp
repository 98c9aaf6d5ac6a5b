// CPU-placement policies as users write them ("spread", "single:2", "list:0-3", "mask:ff").
// This is only the syntax; agents resolve a policy against the probed topology.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/cpu_set.hpp"

namespace nictune {

enum class CpuPolicyKind {
  kAll,          // every online CPU
  kNone,         // empty mask (feature off)
  kSpread,       // queue i -> i-th CPU of the NIC's NUMA node (wrapping)
  kSpreadSkip,   // like spread, skipping the listed CPUs (spread-skip:0)
  kSingle,       // single:N - every queue to CPU N
  kList,         // list:0-3 - every queue to this CPU set
  kMask,         // mask:HEX - every queue to this CPU mask
  kSameAsIrq,    // each queue to the CPUs its IRQ is placed on
  kIrqSiblings,  // each queue to the SMT siblings of its IRQ CPU
  kOtherNode,    // CPUs of a NUMA node other than the NIC's
  kLocalNode,    // all CPUs of the NIC's NUMA node
};

struct CpuPolicy {
  CpuPolicyKind kind = CpuPolicyKind::kNone;
  CpuSet cpus;  // argument of single/list/mask/spread-skip
  std::string text;

  // Throws Error(kInvalid) with the list of known policies and a suggestion.
  static CpuPolicy parse(const std::string& text);
  static const std::vector<std::string>& names();
};

}  // namespace nictune

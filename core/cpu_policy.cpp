#include "core/cpu_policy.hpp"

#include <utility>

#include "core/errors.hpp"
#include "core/text_util.hpp"

namespace nictune {
namespace {

struct PolicyName {
  const char* name;
  CpuPolicyKind kind;
  enum class Arg { kNone, kList, kSingle, kMask } arg;
};

constexpr PolicyName kPolicies[] = {
    {"all", CpuPolicyKind::kAll, PolicyName::Arg::kNone},
    {"none", CpuPolicyKind::kNone, PolicyName::Arg::kNone},
    {"spread", CpuPolicyKind::kSpread, PolicyName::Arg::kNone},
    {"spread-skip", CpuPolicyKind::kSpreadSkip, PolicyName::Arg::kList},
    {"single", CpuPolicyKind::kSingle, PolicyName::Arg::kSingle},
    {"list", CpuPolicyKind::kList, PolicyName::Arg::kList},
    {"mask", CpuPolicyKind::kMask, PolicyName::Arg::kMask},
    {"same-as-irq", CpuPolicyKind::kSameAsIrq, PolicyName::Arg::kNone},
    {"irq-siblings", CpuPolicyKind::kIrqSiblings, PolicyName::Arg::kNone},
    {"other-node", CpuPolicyKind::kOtherNode, PolicyName::Arg::kNone},
    {"local-node", CpuPolicyKind::kLocalNode, PolicyName::Arg::kNone},
};

}  // namespace

const std::vector<std::string>& CpuPolicy::names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& p : kPolicies) out.emplace_back(p.name);
    return out;
  }();
  return names;
}

CpuPolicy CpuPolicy::parse(const std::string& text) {
  auto colon = text.find(':');
  std::string name = text.substr(0, colon);
  std::string arg = colon == std::string::npos ? std::string() : text.substr(colon + 1);
  for (const auto& p : kPolicies) {
    if (name != p.name) continue;
    CpuPolicy policy;
    policy.kind = p.kind;
    policy.text = text;
    switch (p.arg) {
      case PolicyName::Arg::kNone:
        if (colon != std::string::npos) {
          throw invalid("policy \"" + text + "\": \"" + name + "\" takes no argument");
        }
        break;
      case PolicyName::Arg::kList:
      case PolicyName::Arg::kSingle:
        if (arg.empty()) {
          throw invalid("policy \"" + text + "\": expected \"" + name + ":" +
                        (p.arg == PolicyName::Arg::kSingle ? "N" : "CPU-LIST") + "\"");
        }
        policy.cpus = CpuSet::parse_list(arg);
        if (p.arg == PolicyName::Arg::kSingle && policy.cpus.count() != 1) {
          throw invalid("policy \"" + text + "\": single takes exactly one CPU number");
        }
        break;
      case PolicyName::Arg::kMask:
        if (arg.empty()) throw invalid("policy \"" + text + "\": expected \"mask:HEX\"");
        policy.cpus = CpuSet::parse_mask(arg);
        break;
    }
    return policy;
  }
  throw invalid("unknown policy \"" + text + "\"" + did_you_mean(name, names()) +
                "; expected one of " + join(names(), ", "));
}

}  // namespace nictune

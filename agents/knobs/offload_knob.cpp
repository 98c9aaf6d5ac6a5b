// offload.*: netdev features (ETHTOOL_GFEATURES/SFEATURES with the ETH_SS_FEATURES names,
// `ethtool -K`). A knob may stand for a group, like ethtool's own "tso" (every
// tx-tcp*-segmentation feature). The state is what was requested (what -K sets and a restore
// must put back): true/false when the group agrees, else {"feature": bool}. After an apply, a
// feature requested on that the kernel keeps off (a dependency) is an error.
#include <cerrno>
#include <functional>

#include "agents/knobs/registry.hpp"
#include "core/errors.hpp"

namespace nictune::agent {
namespace {

struct OffloadSpec {
  const char* ethtool_word;                        // "gro", "tso", "rx-gro-hw"
  std::function<bool(const std::string&)> member;  // which features the knob stands for
};

class OffloadKnob final : public Knob {
 public:
  OffloadKnob(const KnobInfo& info, OffloadSpec spec) : Knob(info), spec_(std::move(spec)) {}

  KnobStatus probe(const KnobEnv& env) const override {
    KnobStatus status = Knob::probe(env);
    if (status.supported) {
      Json active = Json::object();
      bool all_on = true;
      for (const auto& f : group(env)) {
        if (f.changeable) {
          active[f.name] = f.active;
          all_on = all_on && f.active;
        }
      }
      status.extra["active"] = active;
      status.extra["all_active"] = all_on;
    }
    return status;
  }

  Json read(const KnobEnv& env) const override {
    Json per_feature = Json::object();
    for (const auto& f : group(env)) {
      if (f.changeable) per_feature[f.name] = f.requested;
    }
    bool first = per_feature.begin().value().get<bool>();
    for (const auto& [feature, on] : per_feature.items()) {
      if (on.get<bool>() != first) return per_feature;
    }
    return first;
  }

  Json range(const KnobEnv&) const override { return bool_range(); }

  Json target(const KnobEnv& env, const Json& requested) const override {
    bool on = require_bool(name(), requested);
    read(env);  // supported and changeable?
    return on;
  }

  void write(const KnobEnv& env, const Json& state) const override {
    std::vector<std::pair<std::string, bool>> changes;
    for (const auto& f : group(env)) {
      if (!f.changeable) continue;
      if (state.is_boolean()) {
        changes.push_back({f.name, state.get<bool>()});
      } else if (state.contains(f.name)) {
        changes.push_back({f.name, state[f.name].get<bool>()});
      }
    }
    if (int error = env.ethtool->set_features(env.interface, changes)) {
      throw errno_error(error, name() + ": ETHTOOL_SFEATURES " + spec_.ethtool_word);
    }
  }

  std::vector<std::string> commands(const KnobEnv&, const Json& state) const override {
    if (state.is_boolean()) {
      return {"ethtool -K $IFACE " + std::string(spec_.ethtool_word) +
              (state.get<bool>() ? " on" : " off")};
    }
    std::string line = "ethtool -K $IFACE";
    for (const auto& [feature, on] : state.items())
      line += " " + feature + (on.get<bool>() ? " on" : " off");
    return {line};
  }

  std::string effect_problem(const KnobEnv& env, const Json& state) const override {
    std::string problem;
    for (const auto& f : group(env)) {
      bool wanted = state.is_boolean() ? state.get<bool>() : state.value(f.name, f.requested);
      if (f.changeable && wanted && !f.active) {
        problem += (problem.empty() ? "" : ", ") + f.name;
      }
    }
    if (problem.empty()) return problem;
    return "requested on but the kernel keeps " + problem +
           " off (it depends on another feature, e.g. tso needs sg and tx checksumming)";
  }

 private:
  std::vector<EthtoolFeature> group(const KnobEnv& env) const {
    std::vector<EthtoolFeature> features;
    if (int error = env.ethtool->get_features(env.interface, features)) {
      if (error == EOPNOTSUPP)
        throw Error(ErrorCode::kUnsupported, "ETHTOOL_GFEATURES: EOPNOTSUPP from the driver");
      throw errno_error(error, "ETHTOOL_GFEATURES");
    }
    std::vector<EthtoolFeature> members;
    std::string fixed;
    for (const auto& f : features) {
      if (!spec_.member(f.name)) continue;
      members.push_back(f);
      if (!f.changeable)
        fixed += (fixed.empty() ? "" : ", ") + f.name + (f.active ? " on" : " off");
    }
    if (members.empty()) {
      throw Error(ErrorCode::kUnsupported,
                  "the kernel has no \"" + std::string(spec_.ethtool_word) + "\" feature");
    }
    bool any_changeable = false;
    for (const auto& f : members) any_changeable = any_changeable || f.changeable;
    if (!any_changeable)
      throw Error(ErrorCode::kUnsupported, "fixed by the driver (" + fixed + " [fixed])");
    return members;
  }

  OffloadSpec spec_;
};

std::unique_ptr<Knob> offload(const KnobInfo& info, const char* word, std::string feature) {
  return std::make_unique<OffloadKnob>(
      info, OffloadSpec{word, [feature](const std::string& name) { return name == feature; }});
}

}  // namespace

std::unique_ptr<Knob> make_offload_gro_knob(const KnobInfo& info) {
  return offload(info, "gro", "rx-gro");
}
std::unique_ptr<Knob> make_offload_lro_knob(const KnobInfo& info) {
  return offload(info, "lro", "rx-lro");
}
std::unique_ptr<Knob> make_offload_gso_knob(const KnobInfo& info) {
  return offload(info, "gso", "tx-generic-segmentation");
}
std::unique_ptr<Knob> make_offload_rx_gro_hw_knob(const KnobInfo& info) {
  return offload(info, "rx-gro-hw", "rx-gro-hw");
}
std::unique_ptr<Knob> make_offload_ntuple_knob(const KnobInfo& info) {
  return offload(info, "ntuple", "rx-ntuple-filter");
}
std::unique_ptr<Knob> make_offload_tso_knob(const KnobInfo& info) {
  // ethtool's "tso" is NETIF_F_ALL_TSO: tx-tcp-segmentation, tx-tcp-ecn-segmentation,
  // tx-tcp-mangleid-segmentation, tx-tcp6-segmentation (and newer tx-tcp-*-segmentation bits).
  return std::make_unique<OffloadKnob>(info, OffloadSpec{"tso", [](const std::string& name) {
                                                           return name.starts_with("tx-tcp") &&
                                                                  name.ends_with("-segmentation");
                                                         }});
}

}  // namespace nictune::agent

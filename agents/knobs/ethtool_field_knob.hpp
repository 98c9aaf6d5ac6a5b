// Knobs that are one field of an ethtool get/set structure: coalesce (ETHTOOL_G/SCOALESCE),
// pause (ETHTOOL_G/SPAUSEPARAM), rings (ETHTOOL_G/SRINGPARAM). Writing one field reads the whole
// structure, changes the field and sets it back, exactly what `ethtool -C/-A/-G` do.
#pragma once

#include <cerrno>
#include <string>

#include "agents/knobs/knob.hpp"
#include "core/errors.hpp"

namespace nictune::agent {

template <typename Struct>
struct EthtoolFieldSpec {
  const char* get_name;  // "ETHTOOL_GCOALESCE", for messages
  const char* set_name;
  int (Ethtool::*get)(const std::string&, Struct&);
  int (Ethtool::*set)(const std::string&, const Struct&);
  __u32 Struct::*field;
  bool boolean;
  long long max;                        // integers: largest accepted (min is `min`)
  __u32 Struct::*device_max = nullptr;  // integers: the device's own maximum, when it has one
  long long min = 0;
  const char* command = "";  // "ethtool -C $IFACE rx-usecs"
  // Per-field support (coalescing): the backend call that returns the mask of fields the
  // driver accepts, this field's bit in it and its ethtool name. Null: the structure answers
  // for every field.
  int (Ethtool::*supported)(const std::string&, std::uint32_t&) = nullptr;
  std::uint32_t supported_bit = 0;
  const char* field_name = "";
  // A driver limit the mask cannot show, as the reason ("" when none): the mask is static per
  // driver, and some drivers refuse a declared field on devices that lack a feature.
  std::string (*field_limit)(const KnobEnv& env, const char* field) = nullptr;
};

template <typename Struct>
class EthtoolFieldKnob final : public Knob {
 public:
  EthtoolFieldKnob(const KnobInfo& info, const EthtoolFieldSpec<Struct>& spec)
      : Knob(info), spec_(spec) {}

  KnobStatus probe(const KnobEnv& env) const override {
    KnobStatus status = Knob::probe(env);
    if (spec_.supported && status.supported) {
      std::uint32_t mask = 0;
      int error = ((*env.ethtool).*spec_.supported)(env.interface, mask);
      status.extra["field_check"] =
          error == 0 ? std::string("per field (the driver's supported_coalesce_params)")
                     : "none: the kernel cannot tell which fields the driver takes (" +
                           errno_name(error) + "); a field it lacks fails at apply";
    }
    return status;
  }

  Json read(const KnobEnv& env) const override {
    __u32 value = get(env).*spec_.field;
    if (spec_.boolean) return value != 0;
    return value;
  }

  Json range(const KnobEnv& env) const override {
    if (spec_.boolean) return bool_range();
    return int_range(spec_.min, max(env));
  }

  Json target(const KnobEnv& env, const Json& requested) const override {
    if (spec_.boolean) {
      bool on = require_bool(name(), requested);
      get(env);  // supported at all?
      return on;
    }
    return require_int(name(), requested, spec_.min, max(env));
  }

  void write(const KnobEnv& env, const Json& state) const override {
    Struct s = get(env);
    s.*spec_.field = spec_.boolean ? (state.get<bool>() ? 1u : 0u) : state.get<__u32>();
    if (int error = ((*env.ethtool).*spec_.set)(env.interface, s)) {
      std::string what = name() + ": " + spec_.set_name + " " + value_text(state);
      if (error == EOPNOTSUPP)
        throw Error(ErrorCode::kUnsupported, what + ": EOPNOTSUPP from the driver");
      throw errno_error(error, what);
    }
  }

  std::vector<std::string> commands(const KnobEnv&, const Json& state) const override {
    return {std::string(spec_.command) + " " + value_text(state)};
  }

 private:
  Struct get(const KnobEnv& env) const {
    Struct s{};
    if (int error = ((*env.ethtool).*spec_.get)(env.interface, s)) {
      if (error == EOPNOTSUPP) {
        throw Error(ErrorCode::kUnsupported,
                    std::string(spec_.get_name) + ": EOPNOTSUPP from the driver");
      }
      throw errno_error(error, spec_.get_name);
    }
    if (spec_.supported) {
      std::uint32_t mask = 0;
      // Any error: the kernel cannot tell per field; the set answers for the field then.
      if (((*env.ethtool).*spec_.supported)(env.interface, mask) == 0 &&
          !(mask & spec_.supported_bit)) {
        throw Error(ErrorCode::kUnsupported,
                    std::string("the driver does not take ") + spec_.field_name +
                        " (not in its supported_coalesce_params: the kernel refuses the field)");
      }
    }
    if (spec_.field_limit) {
      std::string why = spec_.field_limit(env, spec_.field_name);
      if (!why.empty()) throw Error(ErrorCode::kUnsupported, why);
    }
    if (spec_.device_max && s.*spec_.device_max == 0) {
      throw Error(ErrorCode::kUnsupported,
                  std::string(spec_.get_name) + ": the device reports a maximum of 0");
    }
    return s;
  }

  long long max(const KnobEnv& env) const {
    if (!spec_.device_max) return spec_.max;
    long long device = get(env).*spec_.device_max;
    return device < spec_.max ? device : spec_.max;
  }

  std::string value_text(const Json& state) const {
    if (spec_.boolean) return state.get<bool>() ? "on" : "off";
    return std::to_string(state.get<long long>());
  }

  EthtoolFieldSpec<Struct> spec_;
};

}  // namespace nictune::agent

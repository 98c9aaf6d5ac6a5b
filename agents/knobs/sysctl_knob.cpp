// sysctl.*: the allow-listed integer sysctls, one NICTUNE_SYSCTL row each in core/knob_table.hpp.
#include "agents/knobs/sysctl_knob.hpp"

#include <sys/stat.h>

#include <cerrno>

#include "core/errors.hpp"

namespace nictune::agent {
namespace {

class SysctlKnob final : public Knob {
 public:
  SysctlKnob(const KnobInfo& info, const SysctlSpec& spec) : Knob(info), spec_(spec) {}

  Json read(const KnobEnv& env) const override {
    std::string file = path(env);
    std::string text;
    if (int error = read_text(file, text)) {
      if (error == ENOENT) {
        std::string why =
            outside_root_netns(*env.files)
                ? ": not in the root network namespace (global sysctls exist only there)"
                : "";
        throw Error(ErrorCode::kUnsupported, "no such file: " + file + why);
      }
      throw errno_error(error, "reading " + file);
    }
    long long value = 0;
    if (!parse_int64(text, value))
      throw Error(ErrorCode::kIo, file + ": not an integer: \"" + text + "\"");
    return value;
  }

  Json range(const KnobEnv&) const override {
    Json r = int_range(spec_.min, spec_.max);
    if (spec_.rounds_to_pow2) r["rounding"] = "power of two";
    return r;
  }

  Json target(const KnobEnv& env, const Json& requested) const override {
    long long value = require_int(name(), requested, spec_.min, spec_.max);
    read(env);  // exists here?
    if (spec_.rounds_to_pow2 && value > 0) value = round_up_pow2(value);
    return value;
  }

  void write(const KnobEnv& env, const Json& state) const override {
    write_or_throw(path(env), std::to_string(state.get<long long>()));
  }

  std::vector<std::string> commands(const KnobEnv&, const Json& state) const override {
    return {"sysctl -w " + std::string(spec_.key) + "=" + std::to_string(state.get<long long>())};
  }

 private:
  std::string path(const KnobEnv& env) const {
    std::string relative = std::string("sys/") + spec_.key;
    for (auto& c : relative) {
      if (c == '.') c = '/';
    }
    return env.files->proc(relative);
  }

  SysctlSpec spec_;
};

}  // namespace

std::unique_ptr<Knob> make_sysctl_knob(const KnobInfo& info, const SysctlSpec& spec) {
  return std::make_unique<SysctlKnob>(info, spec);
}

bool outside_root_netns(const KernelFiles& files) {
  struct stat self {
  }, init{};
  if (::stat(files.proc("self/ns/net").c_str(), &self) == 0 &&
      ::stat(files.proc("1/ns/net").c_str(), &init) == 0) {
    return self.st_ino != init.st_ino || self.st_dev != init.st_dev;
  }
  // PID 1's namespace is not always visible (containers, sandboxes): netdev_max_backlog has
  // been registered for the root namespace only since it exists, somaxconn for every one.
  return path_exists(files.proc("sys/net/core/somaxconn")) &&
         !path_exists(files.proc("sys/net/core/netdev_max_backlog"));
}

}  // namespace nictune::agent

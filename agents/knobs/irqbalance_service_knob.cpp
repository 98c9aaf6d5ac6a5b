// service.irqbalance: whether irqbalance runs (true) or is stopped for the experiment (false).
// irqbalance rewrites /proc/irq/N/smp_affinity every few seconds and so undoes irq_affinity;
// the registry stops it before IRQ placement is written, the snapshot keeps "running" and a
// restore starts it again. Only through the service manager (systemctl, or the agent's
// --systemctl PATH), which knows how the service was started and keeps its state right; a
// process killed behind its back would be restarted or marked failed. Exit statuses only:
// systemctl's text is for people.
#include <chrono>

#include "agents/knobs/program_run.hpp"
#include "agents/knobs/registry.hpp"
#include "core/errors.hpp"

namespace nictune::agent {
namespace {

constexpr const char* kUnit = "irqbalance";
constexpr std::chrono::milliseconds kQueryTimeout{10'000};
// Stopping waits for the service to end; systemd's own default stop timeout is 90 s, but
// irqbalance ends at once on SIGTERM.
constexpr std::chrono::milliseconds kChangeTimeout{30'000};

class IrqbalanceServiceKnob final : public Knob {
 public:
  using Knob::Knob;

  Json read(const KnobEnv& env) const override {
    ProgramRun known = systemctl(env, "cat", kQueryTimeout);
    if (known.exit_status != 0) {
      std::string said = known.first_error_line();
      throw Error(ErrorCode::kUnsupported, "no irqbalance unit known to the service manager (" +
                                               env.systemctl + " cat irqbalance: exit " +
                                               std::to_string(known.exit_status) +
                                               (said.empty() ? "" : ": " + said) + ")");
    }
    // is-active: 0 active, 3 inactive; anything but 0 means not running.
    return systemctl(env, "is-active", kQueryTimeout).exit_status == 0;
  }

  Json range(const KnobEnv&) const override { return bool_range(); }

  Json target(const KnobEnv& env, const Json& requested) const override {
    bool running = require_bool(name(), requested);
    read(env);  // a service manager with an irqbalance unit is there
    return running;
  }

  void write(const KnobEnv& env, const Json& state) const override {
    const char* verb = state.get<bool>() ? "start" : "stop";
    ProgramRun run = systemctl(env, verb, kChangeTimeout);
    if (run.exit_status != 0) {
      std::string said = run.first_error_line();
      throw Error(ErrorCode::kIo, name() + ": " + env.systemctl + " " + verb +
                                      " irqbalance: exit " + std::to_string(run.exit_status) +
                                      (said.empty() ? "" : ": " + said));
    }
  }

  std::vector<std::string> commands(const KnobEnv&, const Json& state) const override {
    return {std::string("systemctl ") + (state.get<bool>() ? "start" : "stop") + " irqbalance"};
  }

  std::vector<std::string> warnings(const KnobEnv& env, const Json& state) const override {
    int pid = state.get<bool>() ? 0 : find_irqbalance(*env.files);
    if (pid == 0) return {};
    return {"an irqbalance process (pid " + std::to_string(pid) +
            ") still runs after systemctl stop irqbalance: started outside the service manager? "
            "It will move the interface's IRQs"};
  }

 private:
  static ProgramRun systemctl(const KnobEnv& env, const std::string& verb,
                              std::chrono::milliseconds timeout) {
    std::vector<std::string> argv = {env.systemctl, verb};
    if (verb == "is-active") argv.push_back("--quiet");
    argv.push_back(kUnit);
    try {
      return run_program(argv, timeout);
    } catch (const Error& e) {
      if (e.code() != ErrorCode::kUnsupported) throw;
      throw Error(ErrorCode::kUnsupported,
                  std::string("no service manager: ") + e.what() +
                      " (the agent's --systemctl PATH names another systemctl)");
    }
  }
};

}  // namespace

std::unique_ptr<Knob> make_irqbalance_service_knob(const KnobInfo& info) {
  return std::make_unique<IrqbalanceServiceKnob>(info);
}

}  // namespace nictune::agent

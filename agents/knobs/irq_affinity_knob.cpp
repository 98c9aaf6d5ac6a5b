// irq_affinity: where the interface's queue IRQs run (/proc/irq/N/smp_affinity_list). The
// state is {"IRQ": "CPU list"} for every queue IRQ. irqbalance moves IRQs behind our back, so a
// running irqbalance is reported with every probe and apply. Queue IRQs whose affinity the
// kernel manages make the knob unsupported (probe) and refused (target) before any write.
#include <cerrno>

#include "agents/knobs/registry.hpp"
#include "agents/topology/managed_irqs.hpp"
#include "core/errors.hpp"

namespace nictune::agent {
namespace {

class IrqAffinityKnob final : public Knob {
 public:
  using Knob::Knob;

  KnobStatus probe(const KnobEnv& env) const override {
    KnobStatus status = Knob::probe(env);
    int pid = find_irqbalance(*env.files);
    status.extra["irqbalance_pid"] = pid > 0 ? Json(pid) : Json();
    if (status.supported) {
      NicDevice nic = env.nic();
      auto managed = find_managed_irqs(*env.files, nic.queue_irqs());
      status.extra["managed_irqs"] = managed_irqs_json(managed);
      if (!managed.empty()) {
        status.supported = false;
        status.reason = managed_irqs_reason(managed);
        status.current = nullptr;
        status.range = nullptr;
        return status;
      }
      Json effective = Json::object();
      for (const auto& irq : nic.queue_irqs()) {
        if (!has_effective_affinity(*env.files, irq.irq)) continue;
        try {
          effective[std::to_string(irq.irq)] =
              read_irq_affinity(*env.files, irq.irq, true).to_list();
        } catch (const Error&) {
        }
      }
      status.extra["effective"] = effective;
      status.extra["irqs"] = nic.to_json()["irqs"];
    }
    return status;
  }

  Json read(const KnobEnv& env) const override {
    Json state = Json::object();
    for (const auto& irq : queue_irqs(env)) {
      state[std::to_string(irq.irq)] = read_irq_affinity(*env.files, irq.irq).to_list();
    }
    return state;
  }

  Json range(const KnobEnv& env) const override {
    unsigned queues = 0;
    for (const auto& irq : queue_irqs(env))
      queues = std::max(queues, static_cast<unsigned>(irq.queue) + 1);
    return policy_range(env, queues);
  }

  Json target(const KnobEnv& env, const Json& requested) const override {
    CpuPolicy policy = require_policy(name(), requested);
    auto irqs = queue_irqs(env);
    auto managed = find_managed_irqs(*env.files, irqs);
    if (!managed.empty())
      throw Error(ErrorCode::kUnsupported, name() + ": " + managed_irqs_reason(managed));
    unsigned queues = 0;
    for (const auto& irq : irqs) queues = std::max(queues, static_cast<unsigned>(irq.queue) + 1);
    auto cpus = resolve_per_queue(policy, env.placement(""), queues);
    Json state = Json::object();
    for (const auto& irq : irqs) {
      const CpuSet& set = cpus[static_cast<unsigned>(irq.queue)];
      if (set.empty())
        throw invalid(name() + ": policy \"" + policy.text + "\" leaves IRQ " +
                      std::to_string(irq.irq) + " without a CPU");
      state[std::to_string(irq.irq)] = set.to_list();
    }
    return state;
  }

  void write(const KnobEnv& env, const Json& state) const override {
    for (const auto& [irq, cpus] : state.items()) {
      std::string path = env.files->proc("irq/" + irq + "/smp_affinity_list");
      if (int error = env.files->write(path, cpus.get<std::string>())) {
        std::string what = name() + ": writing \"" + cpus.get<std::string>() + "\" to " + path;
        if (error == EIO) {
          throw Error(ErrorCode::kUnsupported,
                      what + ": EIO (a managed interrupt: the kernel owns its affinity)");
        }
        throw errno_error(error, what);
      }
    }
  }

  std::vector<std::string> commands(const KnobEnv&, const Json& state) const override {
    std::vector<std::string> lines;
    for (const auto& [irq, cpus] : state.items()) {
      lines.push_back("echo " + cpus.get<std::string>() + " > /proc/irq/" + irq +
                      "/smp_affinity_list");
    }
    return lines;
  }

  std::vector<std::string> warnings(const KnobEnv& env, const Json& state) const override {
    std::vector<std::string> out;
    int pid = find_irqbalance(*env.files);
    if (pid > 0) {
      out.push_back("irqbalance is running (pid " + std::to_string(pid) +
                    "): it will move the interface's IRQs; stop it for the experiment "
                    "(\"service.irqbalance\": false, started again on restore)");
    }
    for (const auto& [irq, cpus] : state.items()) {
      unsigned number = static_cast<unsigned>(std::stoul(irq));
      if (!has_effective_affinity(*env.files, number)) continue;
      CpuSet effective;
      try {
        effective = read_irq_affinity(*env.files, number, true);
      } catch (const Error&) {
        continue;
      }
      // Empty until the IRQ first fires; some chips move an IRQ only at its next interrupt.
      if (!effective.empty() &&
          !(effective - CpuSet::parse_list(cpus.get<std::string>())).empty()) {
        out.push_back("IRQ " + irq + " still runs on " + effective.to_list() +
                      " (effective_affinity_list), outside " + cpus.get<std::string>() +
                      "; the move may wait for its next interrupt");
      }
    }
    return out;
  }

 private:
  std::vector<InterfaceIrq> queue_irqs(const KnobEnv& env) const {
    NicDevice nic = env.nic();
    auto irqs = nic.queue_irqs();
    if (irqs.empty()) throw Error(ErrorCode::kUnsupported, nic.no_irq_reason(env.interface));
    return irqs;
  }
};

}  // namespace

int find_irqbalance(const KernelFiles& files) {
  for (const auto& entry : list_directory(files.proc(""))) {
    long long pid = 0;
    if (!parse_int64(entry, pid) || pid <= 0) continue;
    std::string comm;
    if (read_text(files.proc(entry + "/comm"), comm) == 0 && comm.starts_with("irqbalance")) {
      return static_cast<int>(pid);
    }
  }
  return 0;
}

std::unique_ptr<Knob> make_irq_affinity_knob(const KnobInfo& info) {
  return std::make_unique<IrqAffinityKnob>(info);
}

}  // namespace nictune::agent

#include "agents/knobs/queue_file_knob.hpp"

#include <cerrno>

#include "core/errors.hpp"

namespace nictune::agent {
namespace {

class QueueFileKnob final : public Knob {
 public:
  QueueFileKnob(const KnobInfo& info, const QueueFileSpec& spec) : Knob(info), spec_(spec) {}

  Json read(const KnobEnv& env) const override {
    auto queues = existing_queues(env);
    Json state = Json::object();
    for (const auto& queue : queues) {
      std::string path = env.queue_dir(queue) + "/" + spec_.file;
      std::string text;
      if (int error = read_text(path, text)) throw unreadable(error, path);
      if (spec_.kind != QueueFileSpec::Kind::kCount) {
        state[queue] = CpuSet::parse_mask(text).to_list();
      } else {
        long long value = 0;
        if (!parse_int64(text, value))
          throw Error(ErrorCode::kIo, path + ": not a number: \"" + text + "\"");
        state[queue] = value;
      }
    }
    return state;
  }

  Json range(const KnobEnv& env) const override {
    unsigned queues = env.queue_count(spec_.direction);
    if (spec_.kind == QueueFileSpec::Kind::kCpuMask) return policy_range(env, queues);
    if (spec_.kind == QueueFileSpec::Kind::kQueueMask) {
      return {{"values", spec_.choices},
              {"queues", queues},
              {other_direction() + "_queues", env.queue_count(other_direction())}};
    }
    Json r = int_range(0, spec_.max_count);
    r["queues"] = queues;
    if (spec_.rounds_to_pow2) r["rounding"] = "power of two";
    return r;
  }

  Json target(const KnobEnv& env, const Json& requested) const override {
    Json state = Json::object();
    if (spec_.kind == QueueFileSpec::Kind::kCount) {
      long long value = require_int(name(), requested, 0, spec_.max_count);
      if (spec_.rounds_to_pow2 && value > 0) value = round_up_pow2(value);
      for (const auto& queue : usable_queues(env)) state[queue] = value;
      return state;
    }
    if (spec_.kind == QueueFileSpec::Kind::kQueueMask) return queue_map_target(env, requested);
    CpuPolicy policy = require_policy(name(), requested);
    auto queues = usable_queues(env);
    auto cpus = resolve_per_queue(policy, env.placement(spec_.direction),
                                  static_cast<unsigned>(queues.size()));
    for (std::size_t i = 0; i < queues.size(); ++i) {
      CpuSet set = cpus[i];
      if (spec_.skips_isolated && !set.empty()) {
        CpuSet kept = set - env.topology->isolated;
        if (kept.empty()) {
          throw invalid(name() + ": policy \"" + policy.text + "\" gives " + queues[i] +
                        " only isolated CPUs (" + set.to_list() +
                        "); the kernel does not steer packets to isolated CPUs");
        }
        set = kept;
      }
      state[queues[i]] = set.to_list();
    }
    return state;
  }

  void write(const KnobEnv& env, const Json& state) const override {
    for (const auto& queue : ordered(state)) {
      write_or_throw(env.queue_dir(queue) + "/" + spec_.file, file_text(state[queue]));
    }
  }

  std::vector<std::string> commands(const KnobEnv&, const Json& state) const override {
    std::vector<std::string> lines;
    for (const auto& queue : ordered(state)) {
      lines.push_back("echo " + file_text(state[queue]) + " > /sys/class/net/$IFACE/queues/" +
                      queue + "/" + spec_.file);
    }
    return lines;
  }

 private:
  std::string other_direction() const { return std::string(spec_.direction) == "rx" ? "tx" : "rx"; }

  // The kernel accepts bits up to the queues it allocated (numrxqueues), more than the ones in
  // use after a channel change; only the queues in use are meant, so the rest is refused here.
  Json queue_map_target(const KnobEnv& env, const Json& requested) const {
    auto queues = usable_queues(env);
    unsigned others = env.queue_count(other_direction());
    auto sets = spec_.map_queues(name(), requested, queues.size(), others);
    Json state = Json::object();
    for (std::size_t i = 0; i < queues.size(); ++i) {
      if (sets[i].span() > others) {
        throw invalid(name() + ": " + json_brief(requested) + " maps " + queues[i] + " to " +
                      other_direction() + " queue " + std::to_string(sets[i].span() - 1) +
                      ", but " + env.interface + " has " + std::to_string(others) + " " +
                      other_direction() + " queues" +
                      (others > 0 ? " (" + other_direction() + "-0.." + other_direction() + "-" +
                                        std::to_string(others - 1) + ")"
                                  : ""));
      }
      state[queues[i]] = sets[i].to_list();
    }
    return state;
  }

  // The queues that carry the file now; throws the exact reason when there are none.
  std::vector<std::string> existing_queues(const KnobEnv& env) const {
    std::string queues_dir = env.files->net(env.interface, "queues");
    if (!is_directory(queues_dir))
      throw Error(ErrorCode::kUnsupported, "no such directory: " + queues_dir);
    auto queues = env.queues(spec_.direction);
    if (queues.empty()) {
      throw Error(ErrorCode::kUnsupported,
                  "no " + std::string(spec_.direction) + " queues in " + queues_dir);
    }
    std::string first = env.queue_dir(queues[0]) + "/" + spec_.file;
    if (!path_exists(first)) throw unreadable(ENOENT, first);
    return queues;
  }

  // Planned queues (after a channel change in the same request) or the existing ones.
  std::vector<std::string> usable_queues(const KnobEnv& env) const {
    if (!env.planned_channels) return existing_queues(env);
    KnobEnv now = env;
    now.planned_channels.reset();
    existing_queues(now);  // the file exists on this kernel at all
    return env.queues(spec_.direction);
  }

  Error unreadable(int error, const std::string& path) const {
    std::string hint =
        error == ENOENT && *spec_.missing_hint ? std::string(" (") + spec_.missing_hint + ")" : "";
    if (error == ENOENT) return Error(ErrorCode::kUnsupported, "no such file: " + path + hint);
    return errno_error(error, "reading " + path);
  }

  std::string file_text(const Json& value) const {
    if (spec_.kind == QueueFileSpec::Kind::kCount) return std::to_string(value.get<long long>());
    return CpuSet::parse_list(value.get<std::string>()).to_mask();
  }

  static std::vector<std::string> ordered(const Json& state) {
    std::vector<std::string> out;
    for (const auto& [queue, value] : state.items()) out.push_back(queue);
    std::sort(out.begin(), out.end(), [](const std::string& a, const std::string& b) {
      return a.size() != b.size() ? a.size() < b.size() : a < b;
    });
    return out;
  }

  QueueFileSpec spec_;
};

}  // namespace

std::unique_ptr<Knob> make_queue_file_knob(const KnobInfo& info, const QueueFileSpec& spec) {
  return std::make_unique<QueueFileKnob>(info, spec);
}

}  // namespace nictune::agent

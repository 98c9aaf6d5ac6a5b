// A knob is data plus a small descriptor: probe (supported? why not? current value, range),
// read (the exact state a snapshot stores), target (what a requested value means here),
// write (apply a state), commands (the equivalent shell lines, for export). One file per knob
// family in this folder; each knob is one row of core/knob_table.hpp, which names its factory.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agents/knobs/ethtool.hpp"
#include "agents/knobs/kernel_files.hpp"
#include "agents/topology/cpu_placement.hpp"
#include "agents/topology/nic_device.hpp"
#include "agents/topology/topology.hpp"
#include "core/cpu_policy.hpp"
#include "core/json_util.hpp"
#include "core/knob_catalog.hpp"

namespace nictune::agent {

// Where a knob operates: the host's files, the ethtool backend, the interface, the topology.
struct KnobEnv {
  const KernelFiles* files = nullptr;
  Ethtool* ethtool = nullptr;
  std::string interface;
  const Topology* topology = nullptr;
  // The service manager for service.* knobs (the agent's --systemctl; tests: a fake script).
  std::string systemctl = "systemctl";
  // Channels planned earlier in the same request (commands, pre-checks) but not written yet:
  // per-queue knobs then plan for the queue count these channels will give.
  std::optional<ethtool_channels> planned_channels;

  // "rx-0", "rx-1", ... present in sysfs, sorted by number, or the planned ones.
  std::vector<std::string> queues(const std::string& direction) const;
  unsigned queue_count(const std::string& direction) const {
    return static_cast<unsigned>(queues(direction).size());
  }
  std::string queue_dir(const std::string& queue) const;  // sysfs path of queues/<queue>
  NicDevice nic() const;
  // Placement context for rx (rps), tx (xps) or both (irq_affinity) queues.
  PlacementContext placement(const std::string& direction) const;
};

struct KnobStatus {
  bool supported = false;
  std::string reason;  // why not; "" when supported
  Json current;        // read(): null when unsupported
  Json range;          // {"min","max"} | {"values": [...]} | {"policies": [...], "cpus": LIST}
  Json extra = Json::object();  // knob-specific facts ("active", "irqbalance", ...)
  Json to_json() const;
};

class Knob {
 public:
  explicit Knob(const KnobInfo& info) : info_(&info) {}
  virtual ~Knob() = default;
  Knob(const Knob&) = delete;
  Knob& operator=(const Knob&) = delete;

  const KnobInfo& info() const { return *info_; }
  const std::string& name() const { return info_->name; }

  // Never throws for host conditions: an unsupported knob says why in `reason`.
  virtual KnobStatus probe(const KnobEnv& env) const;
  // The exact current state, as a snapshot stores it and write() takes it. Throws Error
  // (kUnsupported with the reason, kIo) when it cannot be read.
  virtual Json read(const KnobEnv& env) const = 0;
  // The allowed values on this host.
  virtual Json range(const KnobEnv& env) const = 0;
  // Checks a requested value (type, bounds, CPUs that exist, support) and returns the exact
  // state it means on this host now. Writes nothing. Throws Error(kInvalid/kUnsupported).
  virtual Json target(const KnobEnv& env, const Json& requested) const = 0;
  // Writes a state as read() returns it. Throws Error naming the file or ioctl and the errno.
  virtual void write(const KnobEnv& env, const Json& state) const = 0;
  // The shell lines equivalent to write(state), with the interface written as $IFACE.
  virtual std::vector<std::string> commands(const KnobEnv& env, const Json& state) const = 0;
  // Whether a state read back satisfies the state written.
  virtual bool matches(const Json& wanted, const Json& found) const { return wanted == found; }
  // After apply (not restore): a problem the kernel accepted silently, such as a feature
  // requested on but kept off. "" when none.
  virtual std::string effect_problem(const KnobEnv&, const Json&) const { return std::string(); }
  // After apply: conditions that do not fail it but undo or weaken it (irqbalance running, an
  // IRQ whose move waits for its next interrupt, ...).
  virtual std::vector<std::string> warnings(const KnobEnv&, const Json&) const { return {}; }
  // Knobs whose state a write of this one can change (channels renumber queues): snapshotted
  // together with it.
  virtual std::vector<std::string> affects() const { return {}; }
  // Records in env the effect of `state` on later knobs of the same request (channels).
  virtual void plan(KnobEnv&, const Json&) const {}
  // Knobs put back to their driver default before a write of this one changes anything, unless
  // the same request writes them (channels: a user-set RSS table pins the channel count).
  virtual std::vector<std::string> resets_first() const { return {}; }
  // The driver's default state here and the shell line that restores it, for a knob another
  // one resets first; nullopt when the knob has no such default. Throws like read().
  struct DriverDefault {
    Json state;
    std::string command;
  };
  virtual std::optional<DriverDefault> driver_default(const KnobEnv&) const { return std::nullopt; }

 private:
  const KnobInfo* info_;
};

using KnobFactory = std::unique_ptr<Knob> (*)(const KnobInfo& info);

// Value checks shared by knob files; messages name the knob and what was expected.
long long require_int(const std::string& knob, const Json& value, long long min, long long max);
bool require_bool(const std::string& knob, const Json& value);
CpuPolicy require_policy(const std::string& knob, const Json& value);
Json int_range(long long min, long long max);
Json bool_range();
Json policy_range(const KnobEnv& env, unsigned queues);
// Smallest power of two >= value (value >= 1), like the kernel's roundup_pow_of_two.
long long round_up_pow2(long long value);

}  // namespace nictune::agent

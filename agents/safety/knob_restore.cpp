// Restoring knob states: the verified write-back with its passes and order (restore_states), a
// session's restore of its own snapshots, and `nictune-agent --restore` from the snapshots a
// crashed agent left (restore_from_store). Split from knob_session.cpp, which takes the
// snapshots and applies.
#include <algorithm>
#include <map>
#include <ostream>

#include "agents/safety/interface_name.hpp"
#include "agents/safety/knob_session.hpp"
#include "agents/topology/host_facts.hpp"
#include "core/errors.hpp"

namespace nictune::agent {
namespace {

// Knobs depend on each other (a write can fail until another knob is back), so a failed write is
// tried again after the others, up to this many passes.
constexpr int kRestorePasses = 3;

Topology probe_topology_or_empty(const KernelFiles& files) {
  try {
    return probe_topology(files);
  } catch (const Error&) {
    return Topology();
  }
}

}  // namespace

void RestoreOutcome::merge(const RestoreOutcome& other) {
  restored.insert(restored.end(), other.restored.begin(), other.restored.end());
  for (const auto& m : other.mismatches) mismatches.push_back(m);
}

RestoreOutcome restore_states(const KnobRegistry& registry, const KnobEnv& env,
                              const Json& states) {
  RestoreOutcome outcome;
  std::vector<std::pair<const Knob*, Json>> entries;
  for (const auto& [name, state] : states.items()) {
    const Knob* knob = registry.find(name);
    if (!knob) {
      outcome.mismatches.push_back({{"interface", env.interface},
                                    {"knob", name},
                                    {"expected", state},
                                    {"found", nullptr},
                                    {"error", "unknown knob (written by another version?)"}});
      continue;
    }
    entries.push_back({knob, state});
  }
  std::sort(entries.begin(), entries.end(), [&](const auto& a, const auto& b) {
    return registry.restore_order(a.first->name()) < registry.restore_order(b.first->name());
  });
  std::map<std::string, std::string> last_error;
  auto pending = entries;
  for (int pass = 0; pass < kRestorePasses && !pending.empty(); ++pass) {
    std::vector<std::pair<const Knob*, Json>> again;
    for (auto& [knob, state] : pending) {
      try {
        if (!knob->matches(state, knob->read(env))) knob->write(env, state);
        last_error.erase(knob->name());
      } catch (const Error& e) {
        last_error[knob->name()] = e.what();
        again.push_back({knob, state});
      }
    }
    pending = std::move(again);
  }
  for (const auto& [knob, state] : entries) {
    Json found;
    std::string error;
    try {
      found = knob->read(env);
    } catch (const Error& e) {
      error = e.what();
    }
    if (error.empty() && knob->matches(state, found)) {
      outcome.restored.push_back(knob->name());
      continue;
    }
    Json mismatch = {{"interface", env.interface},
                     {"knob", knob->name()},
                     {"expected", state},
                     {"found", found}};
    auto write_error = last_error.find(knob->name());
    if (!error.empty()) {
      mismatch["error"] = error;
    } else if (write_error != last_error.end()) {
      mismatch["error"] = write_error->second;
    }
    outcome.mismatches.push_back(mismatch);
  }
  return outcome;
}

RestoreOutcome KnobSession::restore_interface(const std::string& interface) {
  auto it = snapshots_.find(interface);
  if (it == snapshots_.end()) return RestoreOutcome();
  Topology topology = probe_topology_or_empty(files_);
  KnobEnv env = make_env(interface, topology);
  RestoreOutcome outcome = restore_states(registry_, env, it->second.document["knobs"]);
  if (outcome.clean()) {
    store_.remove(interface);
    snapshots_.erase(it);  // releases the lock
  } else {
    log("restore of " + interface + " left mismatches: " + outcome.mismatches.dump() +
        "; snapshot kept at " + store_.path(interface));
  }
  return outcome;
}

Json KnobSession::restore(const Json& params) {
  RestoreOutcome outcome;
  if (params.contains("interface")) {
    if (!params["interface"].is_string()) throw invalid("params.interface: expected a string");
    std::string interface = params["interface"].get<std::string>();
    check_interface_name(interface);
    outcome = restore_interface(interface);
  } else {
    outcome = restore_all();
  }
  return outcome.to_json();
}

RestoreOutcome KnobSession::restore_all() {
  RestoreOutcome outcome;
  std::vector<std::string> interfaces;
  for (const auto& [interface, snap] : snapshots_) interfaces.push_back(interface);
  for (const auto& interface : interfaces) outcome.merge(restore_interface(interface));
  return outcome;
}

RestoreOutcome restore_from_store(const SnapshotStore& store, const KernelFiles& files,
                                  Ethtool& ethtool, const std::optional<std::string>& interface,
                                  std::ostream& log, const std::string& systemctl) {
  KnobRegistry registry;
  Topology topology = probe_topology_or_empty(files);
  std::vector<std::pair<std::string, Json>> documents;
  RestoreOutcome outcome;
  std::vector<std::unique_ptr<InterfaceLock>> locks;
  for (const auto& name : store.interfaces()) {
    if (interface && name != *interface) continue;
    std::string holder;
    auto lock = InterfaceLock::try_acquire(store.state_dir(), name, holder);
    if (!lock) {
      log << "nictune-agent: " << name << ": left alone: a running agent (" << holder
          << ") holds it and restores it itself\n";
      outcome.mismatches.push_back({{"interface", name},
                                    {"knob", "*"},
                                    {"expected", nullptr},
                                    {"found", nullptr},
                                    {"error", "locked by a running agent (" + holder + ")"}});
      continue;
    }
    try {
      auto document = store.load(name);
      if (!document) continue;
      if (document->value("sysfs_root", files.sysfs_root()) != files.sysfs_root() ||
          document->value("procfs_root", files.procfs_root()) != files.procfs_root()) {
        log << "nictune-agent: " << name << ": snapshot was taken with --sysfs-root "
            << document->value("sysfs_root", "?") << " --procfs-root "
            << document->value("procfs_root", "?") << "; restoring with " << files.sysfs_root()
            << " and " << files.procfs_root() << "\n";
      }
      documents.push_back({name, *document});
      locks.push_back(std::move(lock));
    } catch (const Error& e) {
      log << "nictune-agent: " << name << ": " << e.what() << "\n";
      outcome.mismatches.push_back({{"interface", name},
                                    {"knob", "*"},
                                    {"expected", nullptr},
                                    {"found", nullptr},
                                    {"error", e.what()}});
    }
  }
  std::sort(documents.begin(), documents.end(), [](const auto& a, const auto& b) {
    return a.second.value("created", std::string()) > b.second.value("created", std::string());
  });
  for (const auto& [name, document] : documents) {
    KnobEnv env;
    env.files = &files;
    env.ethtool = &ethtool;
    env.interface = name;
    env.topology = &topology;
    env.systemctl = systemctl;
    RestoreOutcome one = restore_states(registry, env, document["knobs"]);
    log << "nictune-agent: " << name << ": restored " << one.restored.size() << " knob(s)"
        << (one.clean() ? "" : ", " + std::to_string(one.mismatches.size()) + " mismatch(es)")
        << "\n";
    if (one.clean()) store.remove(name);
    outcome.merge(one);
  }
  return outcome;
}

}  // namespace nictune::agent

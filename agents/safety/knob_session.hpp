// The agent's knob state for one session: probe, resolve, snapshot, apply (all-or-nothing),
// read, commands, restore. It snapshots every value an apply may touch before the first write,
// persists the snapshot (SnapshotStore), holds the interface lock while it has changes, and
// puts everything back on restore, on shutdown (a hook in main) and, after a crash, through
// restore_from_store (`nictune-agent --restore`).
#pragma once

#include <functional>
#include <iosfwd>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agents/knobs/registry.hpp"
#include "agents/safety/management_guard.hpp"
#include "agents/safety/snapshot_store.hpp"

namespace nictune::agent {

struct RestoreOutcome {
  std::vector<std::string> restored;  // knobs whose value is back (verified)
  Json mismatches = Json::array();    // [{"interface","knob","expected","found"}]
  bool clean() const { return mismatches.empty(); }
  void merge(const RestoreOutcome& other);
  Json to_json() const { return {{"restored", restored}, {"mismatches", mismatches}}; }
};

// Writes `states` (knob name -> state as read() gives it) back and verifies each by reading it
// again. Knobs are written in registry order; ones that fail are retried after the others
// (an RSS table naming queue 7 can only return once the channels are back).
RestoreOutcome restore_states(const KnobRegistry& registry, const KnobEnv& env, const Json& states);

struct KnobSessionOptions {
  std::string ssh_connection;  // SSH_CONNECTION as the agent started with it
  AddressToInterface address_lookup = interface_with_address;
  std::string os_release = "/etc/os-release";
  Json snapshot_meta = Json::object();  // extra fields recorded in every snapshot document
  std::ostream* log = nullptr;          // diagnostics (stderr in the agent)
  std::string systemctl = "systemctl";  // for service.* knobs (KnobEnv::systemctl)
};

class KnobSession {
 public:
  KnobSession(KernelFiles files, Ethtool& ethtool, SnapshotStore store,
              KnobSessionOptions options = {});
  ~KnobSession();
  KnobSession(const KnobSession&) = delete;
  KnobSession& operator=(const KnobSession&) = delete;

  // The JSON-RPC methods; params as the protocol defines them (docs/protocol.md).
  Json probe(const Json& params);
  Json resolve(const Json& params);
  Json snapshot(const Json& params);
  Json apply(const Json& params);
  Json read(const Json& params);
  Json commands(const Json& params);
  Json restore(const Json& params);

  // Restores every interface this session snapshotted; used by the shutdown hook.
  RestoreOutcome restore_all();
  bool has_snapshots() const { return !snapshots_.empty(); }
  const KnobRegistry& registry() const { return registry_; }

 private:
  struct InterfaceSnapshot {
    Json document;
    std::unique_ptr<InterfaceLock> lock;
  };
  struct Request {
    const Knob* knob;
    Json value;
  };

  KnobEnv make_env(const std::string& interface, const Topology& topology) const;
  std::vector<Request> parse_values(const Json& params, Json& ignored) const;
  std::vector<const Knob*> parse_names(const Json& params, bool default_all) const;
  InterfaceSnapshot& open_snapshot(const std::string& interface);
  // Adds the knobs (and what they affect) to the interface's snapshot; returns reasons for
  // explicitly named knobs that could not be read.
  Json extend_snapshot(const std::string& interface, const KnobEnv& env,
                       const std::vector<const Knob*>& knobs);
  bool global_snapshotted_elsewhere(const std::string& knob, const std::string& interface) const;
  RestoreOutcome restore_interface(const std::string& interface);
  void reset_to_driver_default(const KnobEnv& env, const std::string& name, const Knob& changing,
                               Json& before_states, Json& lines) const;
  void guard(const std::string& interface, const std::vector<Request>& requests,
             const Json& params) const;
  void log(const std::string& line) const;

  KernelFiles files_;
  Ethtool& ethtool_;
  SnapshotStore store_;
  KnobSessionOptions options_;
  KnobRegistry registry_;
  std::map<std::string, InterfaceSnapshot> snapshots_;
};

// `nictune-agent --restore`: restores every snapshot in the store (or only `interface`), newest
// first so the oldest (the true original) is written last where two touched the same global.
// Removes each snapshot that verified. Interfaces locked by a live agent are left to it.
RestoreOutcome restore_from_store(const SnapshotStore& store, const KernelFiles& files,
                                  Ethtool& ethtool, const std::optional<std::string>& interface,
                                  std::ostream& log, const std::string& systemctl = "systemctl");

}  // namespace nictune::agent

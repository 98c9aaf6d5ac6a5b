#include "agents/safety/knob_session.hpp"

#include <unistd.h>

#include <algorithm>
#include <ostream>
#include <set>

#include "agents/knobs/sysctl_knob.hpp"
#include "agents/safety/interface_name.hpp"
#include "agents/topology/host_facts.hpp"
#include "core/errors.hpp"
#include "core/text_util.hpp"

namespace nictune::agent {
namespace {

// The error again, its message starting with the knob's name.
Error about_knob(const Knob& knob, const Error& e) {
  std::string message = e.what();
  if (!message.starts_with(knob.name() + ":")) message = knob.name() + ": " + message;
  return Error(e.code(), message);
}

std::string netns_id(const KernelFiles& files) {
  char buffer[64] = {};
  ssize_t n = ::readlink(files.proc("self/ns/net").c_str(), buffer, sizeof buffer - 1);
  return n > 0 ? std::string(buffer, static_cast<std::size_t>(n)) : std::string();
}

}  // namespace

KnobSession::KnobSession(KernelFiles files, Ethtool& ethtool, SnapshotStore store,
                         KnobSessionOptions options)
    : files_(std::move(files)),
      ethtool_(ethtool),
      store_(std::move(store)),
      options_(std::move(options)) {}

KnobSession::~KnobSession() = default;

void KnobSession::log(const std::string& line) const {
  if (options_.log) *options_.log << "nictune-agent: " << line << std::endl;
}

KnobEnv KnobSession::make_env(const std::string& interface, const Topology& topology) const {
  KnobEnv env;
  env.files = &files_;
  env.ethtool = &ethtool_;
  env.interface = interface;
  env.topology = &topology;
  env.systemctl = options_.systemctl;
  return env;
}

std::vector<KnobSession::Request> KnobSession::parse_values(const Json& params,
                                                            Json& ignored) const {
  if (!params.contains("values"))
    throw invalid("params.values: missing (an object of knob name -> value)");
  const Json& values = params["values"];
  if (!values.is_object()) {
    throw invalid("params.values: expected an object of knob name -> value, got " +
                  json_type_name(values));
  }
  std::vector<Request> requests;
  for (const auto& [name, value] : values.items()) {
    const Knob* knob = registry_.find(name);
    if (!knob) {
      bool elsewhere = false;
      for (const auto& [other, why] : knobs_handled_elsewhere()) {
        if (other == name) {
          ignored[name] = std::string(why);
          elsewhere = true;
        }
      }
      if (elsewhere) continue;
      throw invalid("params.values: unknown knob \"" + name.substr(0, 64) + "\"" +
                    did_you_mean(name, registry_.names()));
    }
    requests.push_back({knob, value});
  }
  std::sort(requests.begin(), requests.end(), [&](const Request& a, const Request& b) {
    return registry_.order(a.knob->name()) < registry_.order(b.knob->name());
  });
  return requests;
}

std::vector<const Knob*> KnobSession::parse_names(const Json& params, bool default_all) const {
  std::vector<const Knob*> knobs;
  if (!params.contains("knobs")) {
    if (!default_all) throw invalid("params.knobs: missing (an array of knob names)");
    for (const auto& knob : registry_.all()) knobs.push_back(knob.get());
    return knobs;
  }
  const Json& names = params["knobs"];
  if (!names.is_array())
    throw invalid("params.knobs: expected an array of knob names, got " + json_type_name(names));
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (!names[i].is_string()) {
      throw invalid("params.knobs[" + std::to_string(i) + "]: expected a knob name, got " +
                    json_type_name(names[i]));
    }
    std::string name = names[i].get<std::string>();
    const Knob* knob = registry_.find(name);
    if (!knob) {
      throw invalid("params.knobs[" + std::to_string(i) + "]: unknown knob \"" +
                    name.substr(0, 64) + "\"" + did_you_mean(name, registry_.names()));
    }
    if (std::find(knobs.begin(), knobs.end(), knob) == knobs.end()) knobs.push_back(knob);
  }
  std::sort(knobs.begin(), knobs.end(), [&](const Knob* a, const Knob* b) {
    return registry_.order(a->name()) < registry_.order(b->name());
  });
  return knobs;
}

void KnobSession::guard(const std::string& interface, const std::vector<Request>& requests,
                        const Json& params) const {
  bool allow = false;
  if (params.contains("allow_management")) {
    if (!params["allow_management"].is_boolean()) {
      throw invalid("params.allow_management: expected true or false, got " +
                    json_type_name(params["allow_management"]));
    }
    allow = params["allow_management"].get<bool>();
  }
  bool touches_interface = false;
  for (const auto& r : requests)
    touches_interface = touches_interface || r.knob->info().scope == KnobScope::kInterface;
  if (allow || !touches_interface) return;
  ManagementInterfaces management =
      find_management_interfaces(files_, options_.ssh_connection, options_.address_lookup);
  if (management.contains(interface)) {
    throw Error(ErrorCode::kGuarded, "interface " + interface +
                                         " carries the management connection (" +
                                         management.source +
                                         "); refusing to change it unless the spec allows it "
                                         "(\"allow_management\": true)");
  }
}

KnobSession::InterfaceSnapshot& KnobSession::open_snapshot(const std::string& interface) {
  auto it = snapshots_.find(interface);
  if (it != snapshots_.end()) return it->second;
  std::string holder;
  auto lock = InterfaceLock::try_acquire(store_.state_dir(), interface, holder);
  if (!lock) {
    throw Error(ErrorCode::kBusy, "interface " + interface +
                                      " is being tuned by another nictune-agent (" + holder +
                                      " holds " + store_.state_dir() + "/" + interface + ".lock)");
  }
  InterfaceSnapshot snap;
  snap.lock = std::move(lock);
  if (auto existing = store_.load(interface)) {
    // A previous session died without restoring: the host still carries its changes, so its
    // snapshot holds the true original values and stays first.
    log("adopting snapshot " + store_.path(interface) + " left by pid " +
        existing->value("agent_pid", Json(0)).dump() + " at " +
        existing->value("created", std::string("?")));
    snap.document = *existing;
    snap.document["adopted_by_pid"] = ::getpid();
  } else {
    snap.document = {{"format", kSnapshotFormat},           {"interface", interface},
                     {"created", utc_timestamp()},          {"agent_pid", ::getpid()},
                     {"netns", netns_id(files_)},           {"sysfs_root", files_.sysfs_root()},
                     {"procfs_root", files_.procfs_root()}, {"knobs", Json::object()}};
    for (const auto& [key, value] : options_.snapshot_meta.items()) snap.document[key] = value;
  }
  return snapshots_.emplace(interface, std::move(snap)).first->second;
}

bool KnobSession::global_snapshotted_elsewhere(const std::string& knob,
                                               const std::string& interface) const {
  for (const auto& [other, snap] : snapshots_) {
    if (other != interface && snap.document["knobs"].contains(knob)) return true;
  }
  return false;
}

Json KnobSession::extend_snapshot(const std::string& interface, const KnobEnv& env,
                                  const std::vector<const Knob*>& knobs) {
  std::vector<std::pair<const Knob*, bool>> wanted;  // knob, named explicitly
  auto add = [&](const Knob* knob, bool explicit_name) {
    for (auto& [k, e] : wanted) {
      if (k == knob) {
        e = e || explicit_name;
        return;
      }
    }
    wanted.push_back({knob, explicit_name});
  };
  for (const Knob* knob : knobs) {
    add(knob, true);
    for (const auto& dependent : knob->affects()) {
      if (const Knob* d = registry_.find(dependent)) add(d, false);
    }
  }
  InterfaceSnapshot& snap = open_snapshot(interface);
  bool changed = !path_exists(store_.path(interface));
  Json unsupported = Json::object();
  Json& stored = snap.document["knobs"];
  for (const auto& [knob, explicit_name] : wanted) {
    if (stored.contains(knob->name())) continue;
    if (knob->info().scope == KnobScope::kGlobal &&
        global_snapshotted_elsewhere(knob->name(), interface))
      continue;
    try {
      stored[knob->name()] = knob->read(env);
      changed = true;
    } catch (const Error& e) {
      if (explicit_name) unsupported[knob->name()] = e.what();
    }
  }
  if (changed) store_.save(interface, snap.document);
  return unsupported;
}

Json KnobSession::probe(const Json& params) {
  std::string interface = require_interface(files_, params);
  Topology topology = probe_topology(files_);
  KnobEnv env = make_env(interface, topology);
  NicDevice device = env.nic();
  Json knobs = Json::object();
  for (const auto& knob : registry_.all()) knobs[knob->name()] = knob->probe(env).to_json();
  for (const auto& [name, why] : knobs_handled_elsewhere()) {
    knobs[std::string(name)] = {{"supported", true},
                                {"reason", std::string(why)},
                                {"current", nullptr},
                                {"range", policy_range(env, env.queue_count("rx"))}};
  }
  Json topo = topology.to_json();
  topo["nic_numa_node"] = device.numa_node;
  topo["nic_node_cpus"] = topology.node_cpus(device.numa_node).to_list();
  topo["rx_queues"] = env.queue_count("rx");
  topo["tx_queues"] = env.queue_count("tx");
  topo["irqs"] = device.to_json()["irqs"];
  topo["irq_source"] = device.irq_source;
  Json nic = nic_facts(files_, ethtool_, interface, device);
  ManagementInterfaces management =
      find_management_interfaces(files_, options_.ssh_connection, options_.address_lookup);
  return {{"interface", interface},
          {"host", host_facts(files_, topology, options_.os_release)},
          {"nic", nic},
          {"topology", topo},
          {"management", management.to_json()},
          {"guarded", management.contains(interface)},
          {"root_netns", !outside_root_netns(files_)},
          {"irqbalance_pid", find_irqbalance(files_)},
          {"knobs", knobs}};
}

Json KnobSession::resolve(const Json& params) {
  if (!params.contains("policy") || !params["policy"].is_string()) {
    throw invalid(
        "params.policy: expected a CPU policy string (\"spread\", \"single:1\", \"list:0-3\", "
        "...)");
  }
  CpuPolicy policy = CpuPolicy::parse(params["policy"].get<std::string>());
  Topology topology = probe_topology(files_);
  PlacementContext context;
  context.topology = &topology;
  context.no_irq_reason = "no interface given";
  unsigned queues = 0;
  if (params.contains("interface")) {
    std::string interface = require_interface(files_, params);
    KnobEnv env = make_env(interface, topology);
    context = env.placement("rx");
    queues = env.queue_count("rx");
  }
  if (params.contains("queues"))
    queues = static_cast<unsigned>(require_int("params.queues", params["queues"], 1, 65536));
  CpuSet cpus = resolve_union(policy, context, queues);
  Json result = {{"policy", policy.text}, {"cpus", cpus.to_list()}};
  if (is_per_queue(policy) && queues > 0) {
    Json per_queue = Json::array();
    for (const auto& set : resolve_per_queue(policy, context, queues))
      per_queue.push_back(set.to_list());
    result["per_queue"] = per_queue;
  }
  return result;
}

Json KnobSession::snapshot(const Json& params) {
  std::string interface = require_interface(files_, params);
  auto knobs = parse_names(params, /*default_all=*/true);
  Topology topology = probe_topology(files_);
  KnobEnv env = make_env(interface, topology);
  Json unsupported = extend_snapshot(interface, env, knobs);
  Json result = {{"path", store_.path(interface)},
                 {"values", snapshots_.at(interface).document["knobs"]}};
  if (!unsupported.empty()) result["unsupported"] = unsupported;
  return result;
}

Json KnobSession::read(const Json& params) {
  std::string interface = require_interface(files_, params);
  auto knobs = parse_names(params, /*default_all=*/false);
  Topology topology = probe_topology(files_);
  KnobEnv env = make_env(interface, topology);
  Json values = Json::object();
  Json unsupported = Json::object();
  for (const Knob* knob : knobs) {
    try {
      values[knob->name()] = knob->read(env);
    } catch (const Error& e) {
      unsupported[knob->name()] = e.what();
    }
  }
  Json result = {{"values", values}};
  if (!unsupported.empty()) result["unsupported"] = unsupported;
  return result;
}

Json KnobSession::commands(const Json& params) {
  std::string interface = require_interface(files_, params);
  Json ignored = Json::object();
  auto requests = parse_values(params, ignored);
  Topology topology = probe_topology(files_);
  KnobEnv plan = make_env(interface, topology);
  Json lines = Json::array();
  Json targets = Json::object();
  for (const auto& r : requests) {
    try {
      Json state = r.knob->target(plan, r.value);
      r.knob->plan(plan, state);
      for (const auto& line : r.knob->commands(plan, state)) lines.push_back(line);
      targets[r.knob->name()] = state;
    } catch (const Error& e) {
      throw about_knob(*r.knob, e);
    }
  }
  Json result = {{"commands", lines}, {"values", targets}};
  if (!ignored.empty()) result["ignored"] = ignored;
  return result;
}

Json KnobSession::apply(const Json& params) {
  std::string interface = require_interface(files_, params);
  Json ignored = Json::object();
  auto requests = parse_values(params, ignored);
  guard(interface, requests, params);
  Topology topology = probe_topology(files_);
  KnobEnv env = make_env(interface, topology);

  // Every value is checked against the host before anything is written.
  {
    KnobEnv plan = env;
    for (const auto& r : requests) {
      try {
        r.knob->plan(plan, r.knob->target(plan, r.value));
      } catch (const Error& e) {
        throw about_knob(*r.knob, e);
      }
    }
  }
  if (requests.empty())
    return {{"applied", Json::object()}, {"commands", Json::array()}, {"ignored", ignored}};

  std::vector<const Knob*> knobs;
  for (const auto& r : requests) knobs.push_back(r.knob);
  Json unsupported = extend_snapshot(interface, env, knobs);
  if (!unsupported.empty()) {
    throw Error(ErrorCode::kUnsupported, "cannot snapshot " + unsupported.begin().key() + ": " +
                                             unsupported.begin().value().get<std::string>());
  }

  Json applied = Json::object();
  Json lines = Json::array();
  Json warnings = Json::array();
  Json unchanged = Json::array();
  Json before_states = Json::object();  // what this call changed, for the rollback
  for (const auto& r : requests) {
    try {
      Json state = r.knob->target(env, r.value);
      Json before = r.knob->read(env);
      if (r.knob->matches(state, before)) {
        unchanged.push_back(r.knob->name());
      } else {
        for (const auto& name : r.knob->resets_first())
          reset_to_driver_default(env, name, *r.knob, before_states, lines);
        before_states[r.knob->name()] = before;
        r.knob->write(env, state);
      }
      Json after = r.knob->read(env);
      if (!r.knob->matches(state, after)) {
        throw Error(ErrorCode::kIo,
                    "wrote " + state.dump() + " but the kernel reports " + after.dump());
      }
      std::string problem = r.knob->effect_problem(env, state);
      if (!problem.empty()) throw Error(ErrorCode::kUnsupported, problem);
      applied[r.knob->name()] = after;
      for (const auto& line : r.knob->commands(env, state)) lines.push_back(line);
      for (const auto& w : r.knob->warnings(env, state)) warnings.push_back(w);
    } catch (const Error& e) {
      RestoreOutcome rollback = restore_states(registry_, env, before_states);
      std::string message = about_knob(*r.knob, e).what();
      if (before_states.empty()) {
        message += "; nothing was changed";
      } else if (rollback.clean()) {
        message += "; rolled back " + join(rollback.restored, ", ");
      } else {
        message += "; ROLLBACK INCOMPLETE: " + rollback.mismatches.dump() + " (the snapshot in " +
                   store_.path(interface) + " still holds the original values)";
      }
      log("apply failed: " + message);
      throw Error(e.code(), message);
    }
  }
  Json result = {{"applied", applied}, {"commands", lines}, {"unchanged", unchanged}};
  if (!warnings.empty()) result["warnings"] = warnings;
  if (!ignored.empty()) result["ignored"] = ignored;
  return result;
}

// Before a knob changes, the knobs it resets first go back to their driver's default unless
// this request already wrote them (channels: a user-set RSS table pins them; the kernel refuses
// fewer channels than the table uses). The snapshot already holds them (the knob affects them).
void KnobSession::reset_to_driver_default(const KnobEnv& env, const std::string& name,
                                          const Knob& changing, Json& before_states,
                                          Json& lines) const {
  const Knob* knob = registry_.find(name);
  if (!knob || before_states.contains(knob->name())) return;
  Json current;
  std::optional<Knob::DriverDefault> driver_default;
  try {
    current = knob->read(env);
    driver_default = knob->driver_default(env);
  } catch (const Error&) {
    return;  // not on this device: nothing pins the change
  }
  if (!driver_default || knob->matches(driver_default->state, current)) return;
  before_states[knob->name()] = current;
  knob->write(env, driver_default->state);
  lines.push_back(driver_default->command);
  log(knob->name() + ": back to the driver default before " + changing.name() + " changes");
}

}  // namespace nictune::agent

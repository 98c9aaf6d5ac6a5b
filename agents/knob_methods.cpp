// probe, resolve, snapshot, apply, read, commands, restore, lease.renew, counters.start,
// counters.stop. Everything the session changed is restored by a shutdown hook (EOF, signal,
// shutdown) and by the lease's own thread when the orchestrator stops renewing.
#include <cstdlib>
#include <iostream>
#include <memory>
#include <mutex>

#include "agents/counters/counter_session.hpp"
#include "agents/knobs/ethtool_backend.hpp"
#include "agents/methods.hpp"
#include "agents/safety/knob_session.hpp"
#include "agents/safety/lease.hpp"

namespace nictune::agent {
namespace {

struct KnobMethods {
  std::unique_ptr<Ethtool> ethtool;
  std::unique_ptr<KnobSession> session;
  std::unique_ptr<CounterSession> counters;
  // Held by every session method and by the lease's restore: they never interleave.
  std::mutex session_mutex;
  // Last member: destroyed (its thread joined) before the session it restores.
  std::unique_ptr<LeaseTimer> lease;
};

RestoreOutcome restore_everything(KnobSession& session) {
  return session.has_snapshots() ? session.restore_all() : RestoreOutcome{};
}

}  // namespace

void register_knob_methods(rpc::MethodTable& table, AgentContext& context) {
  auto methods = std::make_shared<KnobMethods>();
  methods->ethtool = make_ethtool_backend(context.fake_ethtool);
  KnobSessionOptions options;
  if (const char* ssh = std::getenv("SSH_CONNECTION")) options.ssh_connection = ssh;
  if (!context.fake_ethtool.empty()) options.snapshot_meta["fake_ethtool"] = context.fake_ethtool;
  options.log = &std::cerr;
  options.systemctl = context.systemctl;
  KernelFiles files(context.sysfs_root, context.procfs_root);
  methods->session = std::make_unique<KnobSession>(
      files, *methods->ethtool, SnapshotStore(context.state_dir), std::move(options));
  methods->counters = std::make_unique<CounterSession>(files, *methods->ethtool);

  methods->lease = std::make_unique<LeaseTimer>(
      methods->session_mutex,
      [raw = methods.get()] { return restore_everything(*raw->session).to_json(); }, std::cerr);

  // The handlers share `methods`, which lives as long as the table and the shutdown hook.
  auto locked = [methods](Json (KnobSession::*method)(const Json&)) {
    return [methods, method](const Json& p) {
      std::lock_guard lock(methods->session_mutex);
      return ((*methods->session).*method)(p);
    };
  };
  table.add("probe", locked(&KnobSession::probe));
  table.add("resolve", locked(&KnobSession::resolve));
  table.add("snapshot", locked(&KnobSession::snapshot));
  table.add("read", locked(&KnobSession::read));
  table.add("commands", locked(&KnobSession::commands));
  table.add("apply", [methods](const Json& p) {
    const double lease_s = lease_seconds(p);
    std::lock_guard lock(methods->session_mutex);
    Json result = methods->session->apply(p);
    Json expired = methods->lease->arm(lease_s);
    result["lease_s"] = lease_s;
    if (!expired.is_null()) result["lease_expired"] = std::move(expired);
    return result;
  });
  table.add("restore", [methods](const Json& p) {
    std::lock_guard lock(methods->session_mutex);
    Json result = methods->session->restore(p);
    if (!methods->session->has_snapshots()) methods->lease->disarm();
    return result;
  });
  // Under the session mutex: a renewal that races the expiry waits for its report.
  table.add("lease.renew", [methods](const Json&) {
    std::lock_guard lock(methods->session_mutex);
    return methods->lease->renew();
  });
  table.add("counters.start", [methods](const Json& p) { return methods->counters->start(p); });
  table.add("counters.stop", [methods](const Json& p) { return methods->counters->stop(p); });

  context.shutdown_hooks.push_back([methods] {
    methods->counters->cancel();
    std::lock_guard lock(methods->session_mutex);
    methods->lease->disarm();
    if (!methods->session->has_snapshots()) return;
    RestoreOutcome outcome = methods->session->restore_all();
    std::cerr << "nictune-agent: restored " << outcome.restored.size() << " knob(s)"
              << (outcome.clean() ? "" : "; MISMATCHES: " + outcome.mismatches.dump()) << std::endl;
  });
}

}  // namespace nictune::agent

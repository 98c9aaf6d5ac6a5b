// probe, resolve, snapshot, apply, read, commands, restore, counters.start, counters.stop.
// Everything the session changed is restored by a shutdown hook (EOF, signal, shutdown).
#include <cstdlib>
#include <iostream>
#include <memory>

#include "agents/counters/counter_session.hpp"
#include "agents/knobs/ethtool_backend.hpp"
#include "agents/methods.hpp"
#include "agents/safety/knob_session.hpp"

namespace nictune::agent {
namespace {

struct KnobMethods {
  std::unique_ptr<Ethtool> ethtool;
  std::unique_ptr<KnobSession> session;
  std::unique_ptr<CounterSession> counters;
};

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

  // The handlers share `methods`, which lives as long as the table and the shutdown hook.
  table.add("probe", [methods](const Json& p) { return methods->session->probe(p); });
  table.add("resolve", [methods](const Json& p) { return methods->session->resolve(p); });
  table.add("snapshot", [methods](const Json& p) { return methods->session->snapshot(p); });
  table.add("apply", [methods](const Json& p) { return methods->session->apply(p); });
  table.add("read", [methods](const Json& p) { return methods->session->read(p); });
  table.add("commands", [methods](const Json& p) { return methods->session->commands(p); });
  table.add("restore", [methods](const Json& p) { return methods->session->restore(p); });
  table.add("counters.start", [methods](const Json& p) { return methods->counters->start(p); });
  table.add("counters.stop", [methods](const Json& p) { return methods->counters->stop(p); });

  context.shutdown_hooks.push_back([methods] {
    methods->counters->cancel();
    if (!methods->session->has_snapshots()) return;
    RestoreOutcome outcome = methods->session->restore_all();
    std::cerr << "nictune-agent: restored " << outcome.restored.size() << " knob(s)"
              << (outcome.clean() ? "" : "; MISMATCHES: " + outcome.mismatches.dump()) << std::endl;
  });
}

}  // namespace nictune::agent

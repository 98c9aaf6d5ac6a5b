// The runner's hosts: connecting and probing the benches, opening (or resuming) the
// experiment, warm-start sources, the snapshot before the first write, reconnecting a lost host
// and restoring every host at the end.
#include <thread>

#include "core/knob_catalog.hpp"
#include "core/text_util.hpp"
#include "core/version.hpp"
#include "orchestrator/runner/runner_impl.hpp"

namespace nictune {
namespace {

using std::chrono::milliseconds;

// The probe as recorded with the experiment, with the facts every report shows lifted to the
// top level (hostname, kernel, driver, firmware, CPU), and the original knob values.
Json host_facts(const HostSession& host) {
  Json facts = host.probe;
  const Json h = host.probe.value("host", Json::object());
  const Json nic = host.probe.value("nic", Json::object());
  auto lift = [&](const char* to, const Json& from, const char* key) {
    if (from.contains(key) && !from[key].is_null()) facts[to] = from[key];
  };
  lift("hostname", h, "hostname");
  lift("kernel", h, "kernel");
  lift("distro", h, "distro");
  lift("cpu_model", h, "cpu_model");
  lift("cpus", h, "cpus_online");
  lift("driver", nic, "driver");
  lift("driver_version", nic, "version");
  lift("firmware", nic, "firmware");
  lift("bus_info", nic, "bus_info");
  facts["transport"] = host.agent->describe();
  facts["interface"] = host.spec.interface;
  facts["original"] = host.original;
  return facts;
}

}  // namespace

void Runner::Impl::connect_and_probe() {
  Issues issues;
  for (const auto& bench_spec : spec_.benches) {
    BenchSession bench;
    bench.name = bench_spec.name;
    bench.dut.spec = bench_spec.dut;
    bench.lg.spec = bench_spec.lg;
    bench.forwarding = bench_spec.forwarding;
    benches_.push_back(std::move(bench));
  }
  for (std::size_t b = 0; b < benches_.size(); ++b) {
    BenchSession& bench = benches_[b];
    bench.shared_host = same_endpoint(bench.dut.spec, bench.lg.spec);
    for (HostSession* host : {&bench.dut, &bench.lg}) {
      if (host == &bench.lg && bench.shared_host) {
        host->agent = bench.dut.agent;
      } else {
        host->agent = connect_(host->spec);
      }
      host->probe =
          host->agent->call("probe", {{"interface", host->spec.interface}}, step_timeout());
      // Whether perf can sample the DUT goes into its facts: the report says why a profile
      // is missing. Profiles never block the search, so this is no spec error.
      if (spec_.profile.enabled && host == &bench.dut)
        host->probe["perf"] = host->agent->call("profile.probe", Json::object(), step_timeout());
      check_capabilities(*host, issues);
    }
    if (bench.forwarding) {
      const std::string path = spec_.benches.size() == 1 && spec_.document.contains("hosts")
                                   ? std::string("hosts.forwarding")
                                   : "benches[" + std::to_string(b) + "].forwarding";
      check_forwarding_links(bench, path, issues);
    }
    if (bench.shared_host && !bench.lg.knobs.empty() &&
        bench.lg.spec.interface == bench.dut.spec.interface) {
      issues.add("space.parameters", "the LG is the DUT's host and interface (" +
                                         bench.dut.spec.interface +
                                         "): set its knobs without the \"lg:\" prefix");
    }
  }
  if (!issues.empty()) throw SpecError("probe", issues);
}

// The forwarding path's other two links exist where the spec says: a missing one would fail
// every trial at its counter window or its sink.
void Runner::Impl::check_forwarding_links(BenchSession& bench, const std::string& path,
                                          Issues& issues) {
  const std::pair<HostSession*, std::string> links[] = {{&bench.dut, bench.forwarding->dut_egress},
                                                        {&bench.lg, bench.forwarding->lg_sink}};
  for (const auto& [host, link] : links) {
    try {
      host->agent->call("probe", {{"interface", link}}, step_timeout());
    } catch (const TransportError&) {
      throw;
    } catch (const Error& e) {
      issues.add(path + (host == &bench.dut ? ".dut_egress" : ".lg_sink"),
                 host->spec.role + " (" + host->agent->describe() + "): " + e.what());
    }
  }
}

void Runner::Impl::check_capabilities(HostSession& host, Issues& issues) {
  const Json knobs = host.probe.value("knobs", Json::object());
  for (const auto& p : spec_.space.parameters()) {
    KnobRef ref = split_knob_key(p.name);
    if (ref.role != host.spec.role || is_placement_knob(ref.knob)) continue;
    std::string where =
        host.spec.role + " " + host.spec.interface + " (" + host.agent->describe() + ")";
    if (!knobs.contains(ref.knob)) {
      issues.add("space.parameters." + p.name,
                 "the agent on " + where + " does not know this knob");
      continue;
    }
    const Json& k = knobs[ref.knob];
    if (!k.value("supported", false)) {
      issues.add(
          "space.parameters." + p.name,
          "not supported on " + where + ": " + k.value("reason", std::string("no reason given")));
      continue;
    }
    host.knobs.push_back(ref.knob);
  }
}

void Runner::Impl::open_experiment() {
  std::string hash = fnv1a64_hex(spec_.document.dump());
  if (options_.resume) {
    auto existing = store_.find_experiment(spec_.name);
    if (!existing)
      throw invalid("--resume: no experiment named \"" + spec_.name + "\" in the database");
    if (existing->spec_hash != hash && !options_.force) {
      throw invalid("--resume: the spec changed since experiment " + std::to_string(existing->id) +
                    " started; run without --resume for a new experiment, or add --force");
    }
    result_.experiment_id = existing->id;
    int recovered = recover_stale_trials(existing->id);
    if (recovered)
      progress_.message("resume: " + std::to_string(recovered) +
                        " interrupted trial(s) will be run again");
    store_.set_experiment_status(existing->id, ExperimentStatus::kRunning);
    return;
  }
  result_.experiment_id = store_.create_experiment(spec_.name, spec_.document, kVersion);
}

// Trials of a runner that died: the experiment lock (cmd_run) is ours, so a running trial's
// heartbeat can only stop. One still fresh is waited for until it is stale; one that keeps
// beating belongs to a process that ignores the lock, and this run refuses to write beside it.
// Trials handed out by `ask` (bench "external") never beat and are left to `tell`.
int Runner::Impl::recover_stale_trials(std::int64_t experiment) {
  int recovered = 0;
  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::milliseconds(static_cast<long>(kStaleAfterS * 1000)) +
                  2 * kHeartbeatPeriod;
  while (true) {
    recovered += store_.recover_stale_trials(experiment, kStaleAfterS);
    std::int64_t fresh = 0;
    for (const auto& t : store_.trials(experiment)) {
      if (t.outcome.state == TrialState::kRunning && t.bench != "external") fresh = t.id;
    }
    if (fresh == 0) return recovered;
    if (std::chrono::steady_clock::now() > deadline) {
      throw Error(ErrorCode::kBusy,
                  "--resume: trial " + std::to_string(fresh) +
                      " of this experiment is still heartbeating: another process is running "
                      "it; wait for it or stop it");
    }
    std::this_thread::sleep_for(kHeartbeatPeriod / 4);
  }
}

void Runner::Impl::record_hosts_and_snapshot() {
  bool have_hosts = !store_.hosts(result_.experiment_id).empty();
  for (auto& bench : benches_) {
    for (HostSession* host : {&bench.dut, &bench.lg}) {
      if (host == &bench.lg && bench.shared_host && host->knobs.empty()) {
        if (!have_hosts)
          store_.record_host(result_.experiment_id, "lg", bench.name, host_facts(bench.dut));
        continue;
      }
      Json snapshot = host->agent->call(
          "snapshot", {{"interface", host->spec.interface}, {"knobs", host->knobs}},
          step_timeout());
      host->original = snapshot.value("values", Json::object());
      if (!have_hosts) {
        Json facts = host_facts(*host);
        store_.record_host(result_.experiment_id, host->spec.role, bench.name, facts);
      }
    }
  }
}

void Runner::Impl::finish_hosts() {
  for (auto& bench : benches_) {
    for (HostSession* host : {&bench.dut, &bench.lg}) {
      if (!host->agent) continue;
      if (host == &bench.lg && bench.shared_host) {
        host->agent.reset();  // the DUT's session, restored and closed above
        continue;
      }
      try {
        Json r = host->agent->call("restore", Json::object(), step_timeout());
        for (const auto& m : r.value("mismatches", Json::array())) {
          progress_.message("warning: " + host->spec.role + " " + host->spec.interface + ": " +
                            m.value("knob", "?") + " is " + m.value("found", Json()).dump() +
                            ", expected " + m.value("expected", Json()).dump() + " after restore");
        }
      } catch (const std::exception& e) {
        progress_.message("warning: " + host->spec.role + ": restore: " + e.what() +
                          " (the agent restores on its own when the session ends)");
      }
      try {
        host->agent->close();
      } catch (...) {
        // Closing a session that is already gone.
      }
      host->agent.reset();
    }
  }
}

bool Runner::Impl::reconnect(HostSession& host) {
  try {
    host.agent->close();
  } catch (...) {
    // The old session is gone; that is why we are here.
  }
  double delay = options_.reconnect_first_delay_s;
  for (int attempt = 1; attempt <= options_.reconnect_attempts && !interrupted_; ++attempt) {
    std::this_thread::sleep_for(milliseconds(static_cast<long>(delay * 1000)));
    delay *= 2;
    try {
      host.agent = connect_(host.spec);
      host.agent->call("snapshot", {{"interface", host.spec.interface}, {"knobs", host.knobs}},
                       step_timeout());
      progress_.message(host.spec.role + " reconnected (attempt " + std::to_string(attempt) + ")");
      return true;
    } catch (const std::exception& e) {
      progress_.message(host.spec.role + " reconnect attempt " + std::to_string(attempt) +
                        " failed: " + e.what());
    }
  }
  return false;
}

// Before the experiment exists, so a bad warm_start leaves nothing behind.
void Runner::Impl::resolve_warm_start_sources() {
  if (!spec_.warm_start.enabled || benches_.empty()) return;
  std::optional<std::int64_t> self;
  if (options_.resume)
    if (auto existing = store_.find_experiment(spec_.name)) self = existing->id;
  warm_start_ = resolve_warm_start(spec_, store_,
                                   nic_identity_from_facts(host_facts(benches_.front().dut)), self);
}

void Runner::Impl::record_warm_start() {
  if (!warm_start_.enabled) return;
  store_.set_warm_start(result_.experiment_id, warm_start_.to_json());
  progress_.message(warm_start_.describe());
}

}  // namespace nictune

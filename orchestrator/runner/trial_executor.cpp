#include "orchestrator/runner/trial_executor.hpp"

#include <chrono>
#include <cstdio>
#include <functional>
#include <thread>

#include "core/cost_per_packet.hpp"
#include "core/knob_catalog.hpp"
#include "core/load_results.hpp"
#include "core/workload.hpp"
#include "core/workload_params.hpp"
#include "orchestrator/runner/forwarding_trial.hpp"
#include "orchestrator/runner/plan.hpp"
#include "orchestrator/runner/rate_search_trial.hpp"
#include "orchestrator/transport/transport.hpp"
#include "orchestrator/transport/transport_kinds.hpp"

namespace nictune {
namespace {

using std::chrono::milliseconds;

milliseconds seconds_to_ms(double s) {
  return milliseconds(static_cast<long>(s * 1000));
}

// Stops what a trial started even when a later step failed; never throws.
struct TrialCleanup {
  BenchSession& bench;
  milliseconds timeout;
  std::string server_id;  // on the DUT, or on the LG when the DUT forwards (its sink)
  bool dut_counters = false;
  bool lg_counters = false;
  bool profiling = false;
  HostSession& server_host() const { return bench.forwarding ? bench.lg : bench.dut; }
  ~TrialCleanup() {
    auto quietly = [](auto&& fn) {
      try {
        fn();
      } catch (...) {
        // The trial already failed for a reason that is being reported; a second error here
        // (the host is gone) adds nothing.
      }
    };
    if (profiling) quietly([&] { bench.dut.agent->call("profile.stop", Json::object(), timeout); });
    if (dut_counters)
      quietly([&] { bench.dut.agent->call("counters.stop", Json::object(), timeout); });
    if (lg_counters)
      quietly([&] { bench.lg.agent->call("counters.stop", Json::object(), timeout); });
    if (!server_id.empty())
      quietly([&] { server_host().agent->call("serve.stop", {{"id", server_id}}, timeout); });
  }
};

std::string resolve_cpus(HostSession& host, const std::string& policy, milliseconds timeout) {
  if (policy.empty()) return "";
  Json r = host.agent->call("resolve", {{"interface", host.spec.interface}, {"policy", policy}},
                            timeout);
  return r.value("cpus", "");
}

bool needs_reset(const HostSession& host, const Json& values) {
  for (const auto& knob : host.knobs) {
    if (!values.contains(knob)) return true;
  }
  return false;
}

// Knobs the point leaves out (an inactive conditional parameter, the baseline) go back to the
// host's original values: the agent restores its snapshot and takes a new one, then the point's
// values are applied on top.
Json apply_values(HostSession& host, const Json& values, double lease_s, milliseconds timeout) {
  if (host.knobs.empty()) return {{"applied", Json::object()}, {"commands", Json::array()}};
  if (needs_reset(host, values)) {
    host.agent->call("restore", {{"interface", host.spec.interface}}, timeout);
    host.agent->call("snapshot", {{"interface", host.spec.interface}, {"knobs", host.knobs}},
                     timeout);
  }
  if (values.empty()) return {{"applied", Json::object()}, {"commands", Json::array()}};
  return host.agent->call("apply",
                          {{"interface", host.spec.interface},
                           {"values", values},
                           {"allow_management", host.spec.allow_management_interface},
                           {"lease_s", lease_s}},
                          timeout);
}

// Renews the lease of a host this trial changed. A lease that ran out (the orchestrator was
// stopped, or could not reach the agent, for longer than the lease) means the agent restored
// the host by itself in the middle of the trial: what was measured is not the point's.
void renew_lease(HostSession& host, const Json& applied, milliseconds timeout) {
  if (!applied.contains("lease_s")) return;  // nothing applied, nothing leased
  Json answer = host.agent->call("lease.renew", Json::object(), timeout);
  if (!answer.contains("expired")) return;
  const Json& report = answer["expired"];
  char length[32];
  std::snprintf(length, sizeof length, "%g", report.value("lease_s", 0.0));
  throw Error(
      ErrorCode::kIo,
      host.spec.role + ": the agent's lease of " + length + " s ran out at " +
          report.value("expired_at", "?") + " (last renewal " + report.value("last_renewal", "?") +
          "; the orchestrator was stopped or could not reach it) and it restored " +
          std::to_string(report.value("restored", Json::array()).size()) + " knob(s) by itself");
}

void add_counter_metrics(std::map<std::string, double>& metrics, const Json& counters,
                         const std::string& role) {
  if (!counters.contains("metrics")) return;
  for (const auto& [name, value] : counters["metrics"].items()) {
    if (!value.is_number()) continue;
    std::string renamed = name;
    if (role == "lg" && renamed.rfind("dut_", 0) == 0) renamed = "lg_" + renamed.substr(4);
    metrics[renamed] = value.get<double>();
  }
}

}  // namespace

bool same_endpoint(const HostSpec& a, const HostSpec& b) {
  if (a.transport != b.transport) return false;
  const TransportKind* kind = find_transport_kind(a.transport);
  return kind && kind->same_endpoint(a, b);
}

Json values_for_host(const HostSession& host, const std::string& role, const Point& point) {
  (void)host;
  Json values = Json::object();
  for (const auto& [key, value] : point.items()) {
    KnobRef ref = split_knob_key(key);
    if (ref.role != role || is_placement_knob(ref.knob)) continue;
    values[ref.knob] = value;
  }
  return values;
}

std::string app_policy_for(const std::string& role, const Point& point) {
  const std::string& name = placement_knob_name();
  std::string key = role == "dut" ? name : "lg:" + name;
  auto it = point.find(key);
  return it != point.end() && it->is_string() ? it->get<std::string>() : "";
}

std::map<std::string, double> merge_load_metrics(const Json& workload, const Json& client,
                                                 const Json& server) {
  // One definition of what a trial measured, shared with the agent and load_bench: received
  // packets from the server, lost = sent - received, rates over the client's measured window.
  // What else the server measured is kept; the combined figures win.
  const Json combined = combine_load_results(parse_workload(workload), client, server);
  std::map<std::string, double> metrics;
  for (const Json* source : {&server, &combined}) {
    if (!source->is_object() || !source->contains("metrics")) continue;
    for (const auto& [name, value] : (*source)["metrics"].items()) {
      if (value.is_number()) metrics[name] = value.get<double>();
    }
  }
  return metrics;
}

namespace {

// One load measurement: server, counters, load, and everything stopped again. `stage` says what
// was running when an error is thrown. `after_load` runs as soon as the load ends, before
// anything is stopped: the lease renewal, so a lease that ran out during the load (or during one
// step of a long rate search) fails the trial.
LoadRun run_load_once(BenchSession& bench, const Json& workload, const std::string& server_cpus,
                      const std::string& client_cpus, milliseconds step, std::string& stage,
                      const std::function<void()>& after_load,
                      const ProfileSpec* profile = nullptr) {
  TrialCleanup cleanup{bench, step, "", false, false, false};
  // A forwarding DUT runs no server: the LG's sink, behind the DUT, receives the load.
  const std::string target = bench.forwarding                 ? bench.forwarding->sink_address
                             : bench.dut.spec.address.empty() ? "127.0.0.1"
                                                              : bench.dut.spec.address;
  stage = "serve.start";
  Json serve_params = {{"workload", workload}, {"bind", target}, {"port", 0}};
  if (!server_cpus.empty() && !bench.forwarding) serve_params["cpus"] = server_cpus;
  Json server = cleanup.server_host().agent->call("serve.start", serve_params, step);
  cleanup.server_id = server.at("id").get<std::string>();

  stage = "counters.start";
  Json dut_window = {{"interface", bench.dut.spec.interface}};
  if (bench.forwarding) dut_window["links"] = Json::array({bench.forwarding->dut_egress});
  bench.dut.agent->call("counters.start", dut_window, step);
  cleanup.dut_counters = true;
  if (!bench.shared_host) {
    bench.lg.agent->call("counters.start", {{"interface", bench.lg.spec.interface}}, step);
    cleanup.lg_counters = true;
  }

  if (profile) {
    stage = "profile.start";
    bench.dut.agent->call("profile.start",
                          {{"delay_s", workload.value("warmup_s", Workload{}.warmup_s)},
                           {"duration_s", profile->duration_s},
                           {"frequency_hz", profile->frequency_hz},
                           {"max_bytes", profile->max_bytes}},
                          step);
    cleanup.profiling = true;
  }

  stage = "load.run";
  Json load_params = {{"workload", workload}, {"target", target}, {"port", server.at("port")}};
  if (!client_cpus.empty()) load_params["cpus"] = client_cpus;
  if (!bench.lg.spec.address.empty()) load_params["bind"] = bench.lg.spec.address;
  Json client = bench.lg.agent->call("load.run", load_params,
                                     step + seconds_to_ms(1.5 * workload_seconds(workload)));
  stage = "lease";
  after_load();

  stage = "counters.stop";
  Json dut_counters = bench.dut.agent->call("counters.stop", Json::object(), step);
  cleanup.dut_counters = false;
  Json lg_counters = Json::object();
  if (cleanup.lg_counters) {
    lg_counters = bench.lg.agent->call("counters.stop", Json::object(), step);
    cleanup.lg_counters = false;
  }

  stage = "serve.stop";
  Json served = cleanup.server_host().agent->call("serve.stop", {{"id", cleanup.server_id}}, step);
  cleanup.server_id.clear();

  LoadRun run;
  if (profile) {
    // After counters.stop, so the counter window does not hold perf script's own work.
    // perf script over a few MB of samples takes a while on a busy host: bound it generously.
    stage = "profile.stop";
    run.profile = bench.dut.agent->call("profile.stop", Json::object(),
                                        step + seconds_to_ms(profile->duration_s + 120));
    cleanup.profiling = false;
  }
  run.metrics = merge_load_metrics(workload, client, served);
  run.client = std::move(client);
  run.served = std::move(served);
  run.dut_counters = std::move(dut_counters);
  run.lg_counters = std::move(lg_counters);
  return run;
}

}  // namespace

Outcome run_trial(BenchSession& bench, const ExperimentSpec& spec, const Point& point,
                  bool baseline, const ProfileSpec* profile) {
  const milliseconds step = seconds_to_ms(spec.step_timeout_s);
  Outcome outcome;
  std::string stage = "apply";
  try {
    // A baseline leaves the DUT as found; its point carries the load's fixed LG settings
    // (core/workload_variant.hpp), which the LG gets as for every configuration.
    Json dut_values = values_for_host(bench.dut, "dut", baseline ? Json::object() : point);
    Json lg_values = values_for_host(bench.lg, "lg", point);
    Json dut_applied = apply_values(bench.dut, dut_values, spec.lease_s, step);
    Json lg_applied = bench.shared_host && bench.lg.knobs.empty()
                          ? Json::object()
                          : apply_values(bench.lg, lg_values, spec.lease_s, step);
    auto renew_leases = [&] {
      renew_lease(bench.dut, dut_applied, step);
      renew_lease(bench.lg, lg_applied, step);
    };
    outcome.details["apply"] = {{"dut", dut_values},
                                {"lg", lg_values},
                                {"commands", dut_applied.value("commands", Json::array())},
                                {"lg_commands", lg_applied.value("commands", Json::array())},
                                {"read_back", dut_applied.value("applied", Json::object())}};

    stage = "placement";
    std::string server_cpus =
        baseline ? "" : resolve_cpus(bench.dut, app_policy_for("dut", point), step);
    std::string client_cpus = resolve_cpus(bench.lg, app_policy_for("lg", point), step);
    outcome.details["placement"] = {{"server_cpus", server_cpus}, {"client_cpus", client_cpus}};
    std::this_thread::sleep_for(seconds_to_ms(spec.settle_s));
    stage = "lease";
    renew_leases();

    // The point's "workload.<field>" values (packet size as a search dimension); a baseline's
    // point carries its workload variant (orchestrator/runner/baseline_variants.hpp).
    const Json workload_doc = workload_for_point(spec.workload, point);
    outcome.details["workload"] = workload_doc;
    LoadRun run;
    if (const Workload workload = parse_workload(workload_doc); workload.rate_search) {
      stage = "rate search";
      RateSearchTrial search =
          run_rate_search_trial(workload, workload_doc, [&](const Json& step_workload) {
            return run_load_once(bench, step_workload, server_cpus, client_cpus, step, stage,
                                 renew_leases);
          });
      outcome.details["rate_search"] = search.result.to_json();
      if (!search.latency.empty()) outcome.details["rate_search"]["latency"] = search.latency;
      run = std::move(search.run);
      run.metrics[workload.rate_search->metric_name()] = search.result.rate_pps;
      run.metrics.insert(search.latency_metrics.begin(), search.latency_metrics.end());
    } else {
      run = run_load_once(bench, workload_doc, server_cpus, client_cpus, step, stage, renew_leases,
                          profile);
    }
    outcome.metrics = std::move(run.metrics);
    add_counter_metrics(outcome.metrics, run.dut_counters, "dut");
    add_counter_metrics(outcome.metrics, run.lg_counters, "lg");
    const Json dut_details = run.dut_counters.value("details", Json::object());
    const auto rx = outcome.metrics.find("rx_pps");
    if (auto cost = cost_per_packet(dut_details, rx == outcome.metrics.end() ? 0.0 : rx->second)) {
      outcome.metrics["rx_pps_per_cpu"] = cost->rx_pps_per_cpu();
      outcome.metrics["cpu_ns_per_packet"] = cost->cpu_ns_per_packet();
      outcome.details["cost_per_packet"] = cost->to_json();
    }
    if (const double most = max_cpu_softirq(dut_details); most >= 0)
      outcome.metrics["dut_softirq_max_cpu_util"] = most;
    if (bench.forwarding) {
      outcome.details["forwarding"] = forwarding_outcome(*bench.forwarding, dut_details, run.client,
                                                         run.served, outcome.metrics);
    }
    outcome.details["counters"] = dut_details;
    outcome.details["lg_counters"] = run.lg_counters.value("details", Json::object());
    outcome.details["load"] = {{"client", run.client}, {"server", run.served}};
    if (!run.profile.is_null()) outcome.details["profile"] = std::move(run.profile);
    outcome.state = TrialState::kComplete;
  } catch (const TransportError&) {
    throw;
  } catch (const Error& e) {
    outcome.state = TrialState::kFailed;
    outcome.error = stage + ": " + e.what();
  } catch (const Json::exception& e) {
    outcome.state = TrialState::kFailed;
    outcome.error = stage + ": malformed agent answer: " + e.what();
  }
  return outcome;
}

}  // namespace nictune

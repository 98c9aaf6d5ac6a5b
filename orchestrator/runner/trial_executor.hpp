// Runs one trial on one bench: apply the point on the DUT (and LG), settle, start the server,
// take counters, run the load, stop everything, and turn what came back into an Outcome.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <string>

#include "core/trial.hpp"
#include "orchestrator/runner/agent_caller.hpp"
#include "orchestrator/spec/experiment_spec.hpp"

namespace nictune {

struct HostSession {
  HostSpec spec;
  std::shared_ptr<AgentCaller> agent;
  Json probe = Json::object();
  // Original state of every knob of the space this host carries (from `snapshot`, recorded
  // with the host's facts). A trial that leaves a knob out restores it first, so an inactive
  // knob is never left at the previous point's value.
  Json original = Json::object();
  std::vector<std::string> knobs;  // space knobs of this host (catalog names, app.cpus excluded)
};

struct BenchSession {
  std::string name;
  HostSession dut;
  HostSession lg;
  // The LG is the DUT's own host (loopback, one-box experiments): one agent session serves
  // both roles, since an agent holds its interface exclusively; LG counters are then the DUT's.
  bool shared_host = false;
  // The DUT forwards (BenchSpec::forwarding): the LG's agent runs the sink, the DUT's counter
  // window also takes the egress link's statistics.
  std::optional<ForwardingSpec> forwarding;
};

// Same host reached the same way: one agent session must serve both.
bool same_endpoint(const HostSpec& a, const HostSpec& b);

// The values a point asks of one host, in catalog names.
Json values_for_host(const HostSession& host, const std::string& role, const Point& point);
// The point's application-placement policy for a role ("app.cpus" / "lg:app.cpus"), or "".
std::string app_policy_for(const std::string& role, const Point& point);

// The numeric metrics of combine_load_results (names from the catalog): what the load
// generator (load.run) and the server (serve.stop) each saw, merged. Throws Error(kInvalid)
// for a workload that does not parse (the spec was validated, so only a bug gets there).
std::map<std::string, double> merge_load_metrics(const Json& workload, const Json& client,
                                                 const Json& server);

// Never throws for a trial failure: it becomes Outcome{kFailed, error}. TransportError is
// rethrown so the runner can reconnect the host.
// With `profile`, the DUT's CPUs are sampled by perf while the load runs (profile.start before
// load.run, sampling from the end of the warm-up) and outcome.details["profile"] holds the
// folded stacks (profile.stop).
Outcome run_trial(BenchSession& bench, const ExperimentSpec& spec, const Point& point,
                  bool baseline, const ProfileSpec* profile = nullptr);

}  // namespace nictune

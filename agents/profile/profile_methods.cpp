// profile.probe, profile.start, profile.stop: the agent's face of agents/profile. start returns
// at once (perf samples in a child process while the load runs); stop waits for the bounded
// recording and answers the folded per-CPU stacks.
#include <algorithm>
#include <cstdio>
#include <mutex>

#include "agents/methods.hpp"
#include "agents/profile/perf_recorder.hpp"
#include "core/errors.hpp"
#include "core/issues.hpp"
#include "core/text_util.hpp"

namespace nictune::agent {
namespace {

struct Recorder {
  std::mutex mutex;
  profile::PerfRecorder perf;
};

// Bounds the agent enforces whatever the orchestrator validated: a request is never unbounded.
profile::RecordRequest parse_request(const Json& params) {
  Issues issues;
  const std::vector<std::string> allowed = {"delay_s", "duration_s", "frequency_hz", "max_bytes"};
  for (const auto& [key, value] : params.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
      issues.add(key, "unknown parameter" + did_you_mean(key, allowed) + "; expected " +
                          join(allowed, ", "));
  }
  profile::RecordRequest r;
  auto number = [&](const char* key, double min, double max, double fallback) {
    if (!params.contains(key)) return fallback;
    const Json& v = params[key];
    if (!v.is_number() || v.get<double>() < min || v.get<double>() > max) {
      char range[64];
      std::snprintf(range, sizeof range, "expected a number from %g to %g, found ", min, max);
      issues.add(key, range + json_brief(v));
      return fallback;
    }
    return v.get<double>();
  };
  r.delay_s = number("delay_s", 0, 3600, r.delay_s);
  r.duration_s = number("duration_s", 0.1, 600, r.duration_s);
  r.frequency_hz = static_cast<int>(number("frequency_hz", 1, 10000, r.frequency_hz));
  r.max_bytes = static_cast<std::size_t>(number("max_bytes", 65536, 1e9, double(r.max_bytes)));
  if (!issues.empty()) {
    std::string text = issues.format();
    text.pop_back();
    throw invalid(text);
  }
  return r;
}

}  // namespace

void register_profile_methods(rpc::MethodTable& table, AgentContext& context) {
  auto recorder = std::make_shared<Recorder>();
  context.shutdown_hooks.push_back([recorder] {
    std::lock_guard lock(recorder->mutex);
    recorder->perf.abort();  // kills a recording still running
  });

  table.add("profile.probe", [](const Json&) { return profile::probe_perf(); });

  table.add("profile.start", [recorder](const Json& params) {
    profile::RecordRequest request = parse_request(params);
    std::lock_guard lock(recorder->mutex);
    recorder->perf.start(request);
    return Json{{"started", true}};
  });

  table.add("profile.stop", [recorder](const Json&) {
    std::lock_guard lock(recorder->mutex);
    return to_json(recorder->perf.stop());
  });
}

}  // namespace nictune::agent

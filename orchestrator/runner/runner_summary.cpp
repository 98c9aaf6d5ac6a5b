// What the runner says beside the trials: a host busy with other work, forwarding counters
// that disagree, and after the run whether the baseline drifted or varied beyond what a
// comparison can resolve.
#include <algorithm>
#include <cstdio>

#include "orchestrator/runner/baseline_variants.hpp"
#include "orchestrator/runner/runner_impl.hpp"
#include "reports/drift.hpp"
#include "reports/noise_summary.hpp"

namespace nictune {

// A forwarding trial whose DUT egress and sink counts differ by more than 1 % lost (or gained)
// packets between the DUT and the sink: its figures do not describe the DUT alone.
void Runner::Impl::warn_if_forwarding_disagrees(std::int64_t trial, const Outcome& outcome) {
  const auto it = outcome.details.find("forwarding");
  if (it == outcome.details.end() || it->value("counters_agree", true)) return;
  char text[200];
  std::snprintf(text, sizeof text,
                "forwarding counters disagree in trial %lld: DUT egress sent %.0f, the sink "
                "received %.0f",
                static_cast<long long>(trial), it->value("dut_egress_tx_packets", 0.0),
                it->value("sink_packets", 0.0));
  progress_.message(text);
}

// Says live when something else used the host during a trial (the agents' noise diagnosis):
// a tie in the report means less when a quarter of a CPU went to other processes.
void Runner::Impl::warn_if_busy(std::int64_t trial, const Outcome& outcome) {
  constexpr double kBusyPercent = 20;  // of one CPU
  double background = 0, steal = 0;
  for (const auto& [name, value] : outcome.metrics) {
    if (name.ends_with("_background_cpu_util")) background = std::max(background, value);
    if (name.ends_with("_steal_util")) steal = std::max(steal, value);
  }
  if (background >= kBusyPercent) {
    progress_.message("host busy: " + std::to_string(static_cast<int>(background + 0.5)) +
                      " % of a CPU used by other processes during trial " + std::to_string(trial));
  }
  if (steal >= kBusyPercent) {
    progress_.message("host busy: " + std::to_string(static_cast<int>(steal + 0.5)) +
                      " % of a CPU stolen by the hypervisor during trial " + std::to_string(trial));
  }
}

// After the run: did the baseline drift, and by how much? (The report says the same.)
// Per workload variant: baselines at two packet sizes are two series, not one that drifted.
void Runner::Impl::report_drift() {
  for (const auto& s :
       baseline_series(store_.trials(result_.experiment_id), spec_.objectives, spec_.document)) {
    const std::string what = s.variant.empty() ? s.metric : s.metric + " at " + s.variant;
    const auto cv = report::variation(s.values);
    if (cv && report::unstable_baseline(s.metric, *cv)) {
      char line[260];
      std::snprintf(line, sizeof line,
                    "host unstable: baseline %s varied %.1f %% (CV over %zu baseline trials); "
                    "differences of that size cannot be judged on this host (the report says more)",
                    what.c_str(), *cv * 100, s.values.size());
      progress_.message(line);
    }
    const auto d = stats::detect_drift(s.values);
    if (!d.valid) continue;
    // A level that changed and came back shows its three levels.
    char back[48] = "";
    if (d.back) std::snprintf(back, sizeof back, " -> %.4g", d.back_mean);
    char line[300];
    std::snprintf(line, sizeof line,
                  "baseline %s: %s%+.1f %% (%.4g -> %.4g%s over %zu baseline trials, permutation "
                  "p = %.3f)",
                  what.c_str(), d.drift ? "DRIFT " : "no significant drift, ", d.relative * 100,
                  d.before_mean, d.after_mean, back, s.values.size(), d.p_value);
    progress_.message(line);
  }
}

}  // namespace nictune

// The experiment spec: what to vary, on which hosts, under which load, judged by which
// objectives. Documented field by field in docs/spec.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/comparison.hpp"
#include "core/errors.hpp"
#include "core/host_spec.hpp"
#include "core/issues.hpp"
#include "core/space.hpp"
#include "orchestrator/spec/forwarding_spec.hpp"
#include "orchestrator/spec/profile_spec.hpp"
#include "orchestrator/spec/warm_start_spec.hpp"
#include "strategies/strategy.hpp"

namespace nictune {

inline constexpr int kSpecVersion = 1;

struct BenchSpec {
  std::string name;  // "" for the single pair of "hosts"
  HostSpec dut;
  HostSpec lg;
  // Set: the DUT forwards from its interface to forwarding->dut_egress and the LG's sink counts
  // what came through; unset: the DUT serves the load itself.
  std::optional<ForwardingSpec> forwarding;
};

// "count": a fixed number; "min"/"max"/"ci_rel_width": adaptive per point; "policy": "race":
// racing across points (orchestrator/runner/race.hpp). A spec without "repetitions" races.
enum class RepetitionPolicyKind { kFixed, kAdaptive, kRace };

struct RepetitionSpec {
  RepetitionPolicyKind kind = RepetitionPolicyKind::kFixed;
  int min = 1;
  int max = 1;
  double ci_rel_width = 0;  // adaptive when > 0: repeat until every objective's 95 % CI
                            // half-width / |mean| is below this, or max is reached
  int budget = 0;           // race: every trial of the experiment; 0 = 2 x the minimum plan
  double precision = 0.02;  // race: stop a configuration whose CIs are within this x |mean|
  int baseline_every = 0;   // race: spread the baseline over the run: a trial after every N
                            // configuration trials of the first pass and one in every race
                            // round (0 = first, in the race rounds it wins, and last)
  bool adaptive() const {
    return kind == RepetitionPolicyKind::kAdaptive && ci_rel_width > 0 && max > min;
  }
  bool race() const { return kind == RepetitionPolicyKind::kRace; }
};
// The race's defaults when a spec gives no "repetitions".
inline constexpr int kRaceDefaultMin = 3;
inline constexpr int kRaceDefaultMax = 10;

// Multi-fidelity screening (successive halving in two rungs, decided as results arrive): every
// point's first repetition is measured for duration_s only; a point whose screening result is
// not among the best `keep` fraction of the points screened so far on any objective is pruned
// (stored as a pruned trial, told to the strategy as pruned) and never measured in full. The
// first min_points screened points always go on.
struct ScreeningSpec {
  double duration_s = 0;  // 0: no screening
  double keep = 0.5;
  int min_points = 4;
  bool enabled() const { return duration_s > 0; }
};

struct ExperimentSpec {
  int version = kSpecVersion;
  std::string name;
  std::string description;
  std::vector<BenchSpec> benches;
  Space space;
  Json workload = Json::object();
  std::vector<Objective> objectives;
  std::vector<Comparison> outcome_constraints;
  std::string strategy = "grid";
  int budget = 50;
  std::uint64_t seed = 1;
  Json strategy_options = Json::object();  // without warm_start, which is parsed apart:
  WarmStartSpec warm_start;
  RepetitionSpec repetitions;
  ScreeningSpec screening;
  ProfileSpec profile;   // optional perf profiles of the best point(s) and the baseline
  bool baseline = true;  // measure the DUT's original settings first, during and last
  double settle_s = 1.0;
  double step_timeout_s = 60;  // apply / serve / counters calls
  // The dead-man lease every apply carries: an agent not renewed for this long restores the
  // host by itself. Renewed between a trial's steps, so it must outlast the longest one.
  double lease_s = 300;  // parse_spec sets it: the spec's, or default_lease_s
  Json document;         // the spec as written (comments dropped), stored with the experiment

  StrategyConfig strategy_config() const;
  // The race's interleaved baseline: a baseline trial after every this many configuration
  // trials, or 0 when there is none (no race, no baseline, or baseline_every 0). The plan and
  // the runner both ask this, so a dry run counts what a run does.
  int interleaved_baseline_every() const {
    return repetitions.race() && baseline && repetitions.baseline_every > 0
               ? repetitions.baseline_every
               : 0;
  }
  // The workload of a screening trial: the spec's with duration_s = screening.duration_s.
  Json screening_workload() const;
};

// The longest a trial goes without renewing its lease: the settle pause or the load run.
double longest_unrenewed_s(const ExperimentSpec& spec);
// Seconds of slack a lease needs beyond that (calls, scheduling, a slow SSH round trip).
inline constexpr double kLeaseSlackS = 3;
// Default lease: comfortably longer than a whole trial.
double default_lease_s(const ExperimentSpec& spec);

// A spec that failed validation: every problem, each with its JSON path.
class SpecError : public Error {
 public:
  SpecError(std::string origin, Issues issues)
      : Error(ErrorCode::kInvalid, issues.format(origin)), issues_(std::move(issues)) {}
  const Issues& issues() const { return issues_; }

 private:
  Issues issues_;
};

// Validates everything and returns the spec, or throws SpecError listing every problem.
ExperimentSpec parse_spec(const Json& document, const std::string& origin);
ExperimentSpec load_spec(const std::string& path);

}  // namespace nictune

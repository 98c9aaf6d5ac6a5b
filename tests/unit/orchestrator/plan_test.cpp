#include "orchestrator/runner/plan.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "core/workload.hpp"
#include "orchestrator/spec/experiment_spec.hpp"

namespace nictune {
namespace {

Json spec_doc(Json workload) {
  Json doc = Json::parse(R"({
    "version": 1, "name": "plan",
    "hosts": {"dut": {"transport": "local", "interface": "eth1"}, "lg": {"transport": "local", "interface": "eth1"}},
    "space": {"parameters": {"rps": ["none", "all"]}},
    "objectives": [{"metric": "rx_pps", "goal": "max"}],
    "strategy": {"type": "grid", "budget": 10}
  })");
  doc["workload"] = std::move(workload);
  return doc;
}

TEST(Plan, WorkloadSecondsFillsWhatTheSpecLeavesOutFromWorkloadDefaults) {
  const Workload defaults;
  EXPECT_DOUBLE_EQ(workload_seconds(Json{{"type", "udp_stream"}}),
                   defaults.warmup_s + defaults.duration_s);
  EXPECT_DOUBLE_EQ(workload_seconds(Json{{"type", "udp_stream"}, {"duration_s", 3}}),
                   defaults.warmup_s + 3);
  EXPECT_DOUBLE_EQ(
      workload_seconds(Json{{"type", "udp_stream"}, {"duration_s", 3}, {"warmup_s", 0.5}}), 3.5);
}

// What the agent measures when duration_s is left out is Workload{}'s duration; the estimate must
// be the same as for a spec that spells it out.
TEST(Plan, AnOmittedDurationIsPlannedLikeTheDefaultSpelledOut) {
  const Workload defaults;
  const ExperimentSpec implicit = parse_spec(spec_doc({{"type", "udp_stream"}}), "implicit");
  const ExperimentSpec spelled = parse_spec(spec_doc({{"type", "udp_stream"},
                                                      {"duration_s", defaults.duration_s},
                                                      {"warmup_s", defaults.warmup_s}}),
                                            "spelled");
  const RunPlan a = plan_run(implicit, 0);
  const RunPlan b = plan_run(spelled, 0);
  EXPECT_GT(a.seconds_per_trial, defaults.duration_s);
  EXPECT_DOUBLE_EQ(a.seconds_per_trial, b.seconds_per_trial);
  EXPECT_DOUBLE_EQ(a.estimated_seconds_min, b.estimated_seconds_min);
  EXPECT_DOUBLE_EQ(a.estimated_seconds_max, b.estimated_seconds_max);
}

// The strategy's registry entry says whether its set of points is finite (grid: min(grid size,
// budget) points) or the budget is spent whole.
TEST(Plan, AFiniteStrategyPlansAtMostItsGridAndOthersTheBudget) {
  Json doc = spec_doc({{"type", "udp_stream"}});
  EXPECT_EQ(plan_run(parse_spec(doc, "grid"), 0).points, 2u);
  doc["strategy"]["type"] = "random";
  EXPECT_EQ(plan_run(parse_spec(doc, "random"), 0).points, 10u);
}

// The race's interleaved baseline trials (one per baseline_every configuration trials of the
// first pass) are in the plan's minimum, its worst case and the default budget.
TEST(Plan, TheRaceCountsItsInterleavedBaselineTrials) {
  Json doc = spec_doc({{"type", "udp_stream"}});
  doc["space"]["parameters"]["sysctl.net.core.busy_read"] = {0, 25, 50, 100};  // 2 x 4 points
  doc["repetitions"] = {{"policy", "race"}, {"min", 3}, {"max", 5}, {"baseline_every", 6}};
  const ExperimentSpec spec = parse_spec(doc, "race");
  ASSERT_EQ(plan_run(spec, 0).points, 8u);
  EXPECT_EQ(interleaved_baselines(spec, 8), 4u) << "24 configuration trials / 6";
  const RunPlan plan = plan_run(spec, 0);
  EXPECT_EQ(plan.trials_min, (8u + 1u) * 3u + 1u + 4u);
  EXPECT_EQ(plan.race_budget, 2 * int(plan.trials_min));
  EXPECT_EQ(plan.trials_max, (8u + 1u) * 5u + 1u + 4u);
  std::ostringstream text;
  print_plan(spec, plan, text);
  EXPECT_NE(text.str().find("a baseline trial after every 6 configuration trials"),
            std::string::npos)
      << text.str();

  doc["repetitions"]["baseline_every"] = 0;
  EXPECT_EQ(interleaved_baselines(parse_spec(doc, "off"), 8), 0u);
  doc["baseline"] = false;
  doc["repetitions"]["baseline_every"] = 6;
  EXPECT_EQ(interleaved_baselines(parse_spec(doc, "no baseline"), 8), 0u);
}

// The transport's entry says how the plan names the host.
TEST(Plan, TheTransportEntryNamesTheRoute) {
  Json doc = spec_doc({{"type", "udp_stream"}});
  doc["hosts"]["dut"] = {{"transport", "ssh"}, {"interface", "eth1"}, {"host", "dut.example"}};
  const ExperimentSpec spec = parse_spec(doc, "ssh");
  std::ostringstream out;
  print_plan(spec, plan_run(spec, 0), out);
  EXPECT_NE(out.str().find("ssh eth1 via root@dut.example:22"), std::string::npos) << out.str();
  EXPECT_EQ(out.str().find("local eth1 via"), std::string::npos) << out.str();
}

}  // namespace
}  // namespace nictune

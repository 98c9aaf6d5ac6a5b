// Multi-fidelity screening: the gate on its own, the runner pruning weak points after a short
// trial (and a resumed run leaving them pruned), and the spec's checks of the screening section.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "orchestrator/runner/screening_gate.hpp"
#include "tests/unit/orchestrator/runner_fakes.hpp"

namespace nictune {
namespace {

using testing::Harness;
using testing::spec_doc;

TEST(ScreeningGate, KeepsTheFirstPointsThenTheBestFractionOnAnyObjective) {
  ScreeningSpec spec;
  spec.duration_s = 1;
  spec.keep = 0.5;
  spec.min_points = 2;
  ScreeningGate gate(spec, {{"rx_pps", Goal::kMaximize}, {"dut_cpu_util", Goal::kMinimize}});
  EXPECT_EQ(gate.judge({{"rx_pps", 100}, {"dut_cpu_util", 100}}), "");
  EXPECT_EQ(gate.judge({{"rx_pps", 50}, {"dut_cpu_util", 200}}), "");  // within min_points
  // Third, the worst on both: the best 2 of 3 reach rx_pps >= 50 and CPU <= 200.
  std::string why = gate.judge({{"rx_pps", 40}, {"dut_cpu_util", 250}});
  EXPECT_NE(why.find("screened out after 1 s: not among the best 50 % of 3 screened points"),
            std::string::npos)
      << why;
  EXPECT_NE(why.find("rx_pps 40 (the best 2 reach >= 50)"), std::string::npos) << why;
  EXPECT_NE(why.find("dut_cpu_util 250 (the best 2 reach <= 200)"), std::string::npos) << why;
  // Worse throughput but the lowest CPU: on the front of the other objective, so it goes on.
  EXPECT_EQ(gate.judge({{"rx_pps", 10}, {"dut_cpu_util", 20}}), "");
  EXPECT_EQ(gate.screened(), 4u);
  gate.remember({{"rx_pps", 1000}});
  EXPECT_EQ(gate.screened(), 5u);
}

TEST(Runner, ScreeningPrunesWeakPointsAfterAShortTrialAndResumeLeavesThemPruned) {
  int runs_with_pruning = 0;
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    Harness h;
    Json doc = spec_doc();
    doc["baseline"] = false;
    doc["objectives"] = {{{"metric", "rx_pps"}, {"goal", "max"}}};
    doc["repetitions"] = {{"count", 3}};
    doc["strategy"] = {{"type", "grid"}, {"seed", seed}};
    doc["screening"] = {{"duration_s", 0.25}, {"keep", 0.5}, {"min_points", 1}};
    RunResult r = h.run(doc);
    ASSERT_EQ(r.status, ExperimentStatus::kComplete) << r.error;
    std::map<std::string, std::vector<TrialRecord>> by_point;
    for (const auto& t : h.store->trials(r.experiment_id)) by_point[t.point.dump()].push_back(t);
    ASSERT_EQ(by_point.size(), 4u);
    int pruned = 0, short_runs = 0, full_runs = 0;
    for (double d : h.lg.load_durations)
      (d == 0.25 ? short_runs : full_runs) += d == 0.25 || d == 1;
    for (const auto& [point, trials] : by_point) {
      const TrialRecord& first = trials.front();
      EXPECT_TRUE(first.outcome.details["fidelity"]["screening"].get<bool>()) << point;
      if (first.outcome.state == TrialState::kPruned) {
        ++pruned;
        EXPECT_EQ(trials.size(), 1u) << point << ": a pruned point is never measured in full";
        EXPECT_NE(first.outcome.error.find("screened out after 0.25 s"), std::string::npos)
            << first.outcome.error;
        EXPECT_NE(point, Json({{"offload.gro", true}, {"rps", "all"}}).dump())
            << "the best point was pruned";
      } else {
        EXPECT_EQ(first.outcome.state, TrialState::kComplete) << point;
        EXPECT_EQ(trials.size(), 3u) << point << ": screening counts as the first repetition";
        for (std::size_t i = 1; i < trials.size(); ++i)
          EXPECT_FALSE(trials[i].outcome.details.contains("fidelity")) << point;
      }
    }
    EXPECT_EQ(short_runs, 4) << "one screening trial per point";
    EXPECT_EQ(full_runs, (4 - pruned) * 2);
    runs_with_pruning += pruned > 0;

    RunOptions resume;
    resume.resume = true;
    int loads_before = h.lg.load_runs;
    EXPECT_EQ(h.run(doc, resume).status, ExperimentStatus::kComplete);
    EXPECT_EQ(h.lg.load_runs, loads_before) << "resume re-ran a pruned or finished point";
  }
  EXPECT_GT(runs_with_pruning, 0) << "no order of the 4 points pruned anything";
}

TEST(Spec, ScreeningMustBeShorterThanTheMeasurementAndFitTheTool) {
  Json doc = spec_doc();
  doc["screening"] = {{"duration_s", 1}};
  try {
    parse_spec(doc, "inline");
    FAIL() << "screening as long as the workload accepted";
  } catch (const SpecError& e) {
    EXPECT_NE(std::string(e.what()).find(
                  "screening.duration_s: must be shorter than workload.duration_s (1), found 1"),
              std::string::npos)
        << e.what();
  }
  doc["workload"] = {{"type", "udp_stream"}, {"tool", "iperf3"}, {"duration_s", 5}};
  doc["screening"] = {{"duration_s", 0.5}, {"kep", 0.2}};
  try {
    parse_spec(doc, "inline");
    FAIL() << "iperf3 with half a second accepted";
  } catch (const SpecError& e) {
    std::string text = e.what();
    EXPECT_NE(text.find("screening.duration_s: iperf3 takes whole seconds"), std::string::npos)
        << text;
    EXPECT_NE(text.find("screening.kep: unknown"), std::string::npos) << text;
  }
  // A workload duration that is not a number is told once, under the workload.
  Json wrong = doc;
  wrong["workload"]["duration_s"] = "5";
  wrong["screening"] = {{"duration_s", 1}};
  try {
    parse_spec(wrong, "inline");
    FAIL() << "a string duration accepted";
  } catch (const SpecError& e) {
    std::string text = e.what();
    EXPECT_NE(text.find("workload.duration_s: expected a number"), std::string::npos) << text;
    EXPECT_EQ(text.find("screening.duration_s"), std::string::npos) << text;
  }
  doc["screening"] = {{"duration_s", 1}, {"keep", 0.3}, {"min_points", 6}};
  ExperimentSpec spec = parse_spec(doc, "inline");
  EXPECT_TRUE(spec.screening.enabled());
  EXPECT_EQ(spec.screening.min_points, 6);
  EXPECT_EQ(spec.screening_workload()["duration_s"], 1.0);
  EXPECT_EQ(spec.screening_workload()["tool"], "iperf3");
}

}  // namespace
}  // namespace nictune

// The race (repetitions.race) through the runner, from the start and resumed.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <tuple>

#include "tests/unit/orchestrator/runner_fakes.hpp"

namespace nictune {
namespace {

using testing::Harness;
using testing::spec_doc;

// The race end to end through the runner: repetitions go to the configuration tied with the
// baseline, not to the one beaten beyond noise, and the budget holds.
TEST(Runner, RaceRepeatsTheUndecidedNotTheBeaten) {
  Harness h;
  h.dut.noise = 0.02;
  Json doc = spec_doc();
  doc["repetitions"] = {
      {"policy", "race"}, {"min", 3}, {"max", 6}, {"budget", 40}, {"precision", 0.001}};
  RunResult r = h.run(doc);
  EXPECT_EQ(r.status, ExperimentStatus::kComplete);
  const auto trials = h.store->trials(r.experiment_id);
  EXPECT_LE(trials.size(), 40u);
  std::map<std::string, int> reps;
  int baseline = 0;
  for (const auto& t : trials) {
    if (t.baseline) {
      ++baseline;
    } else {
      reps[t.point.dump()]++;
    }
  }
  // rps=none gro=false: 10 % slower than the baseline at the same CPU, beaten after its 3.
  EXPECT_EQ((reps[Json({{"offload.gro", false}, {"rps", "none"}}).dump()]), 3);
  // rps=none gro=true is the baseline's own configuration: tied, raced to the cap.
  EXPECT_EQ((reps[Json({{"offload.gro", true}, {"rps", "none"}}).dump()]), 6);
  EXPECT_GE(baseline, 6) << "the baseline races too";
  EXPECT_TRUE(trials.back().baseline) << "a closing baseline trial";
  EXPECT_NE(h.out.str().find("race round 1:"), std::string::npos) << h.out.str();
  EXPECT_NE(h.out.str().find("baseline rx_pps:"), std::string::npos) << h.out.str();
}

// Racing with a baseline per packet size: each size's baseline races, closes the run, and its
// drift is judged on its own series.
TEST(Runner, RaceKeepsABaselinePerWorkloadVariant) {
  Harness h;
  h.dut.noise = 0.02;
  Json doc = spec_doc();
  doc["space"]["parameters"] = {{"rps", {"none", "all"}}, {"workload.payload", {64, 1472}}};
  doc["repetitions"] = {
      {"policy", "race"}, {"min", 3}, {"max", 5}, {"budget", 60}, {"precision", 0.001}};
  RunResult r = h.run(doc);
  EXPECT_EQ(r.status, ExperimentStatus::kComplete);
  const auto trials = h.store->trials(r.experiment_id);
  EXPECT_LE(trials.size(), 60u);
  std::map<int, int> baselines;
  for (const auto& t : trials)
    if (t.baseline) ++baselines[t.point.at("workload.payload").get<int>()];
  EXPECT_GE(baselines[64], 4) << "3 first and 1 closing";
  EXPECT_GE(baselines[1472], 4);
  ASSERT_GE(trials.size(), 2u);
  const auto& last = trials[trials.size() - 1];
  const auto& before_last = trials[trials.size() - 2];
  EXPECT_TRUE(last.baseline && before_last.baseline) << "a closing trial per size";
  EXPECT_NE(last.point, before_last.point);
  EXPECT_NE(h.out.str().find("baseline rx_pps at workload.payload=64:"), std::string::npos)
      << h.out.str();
  EXPECT_NE(h.out.str().find("baseline rx_pps at workload.payload=1472:"), std::string::npos);
}

// The first pass puts a baseline trial after every baseline_every configuration trials (the
// count runs on across batches), so the baseline is measured through the run, not only at its
// ends; with 0 it is not.
TEST(Runner, RaceInterleavesBaselineTrialsInTheFirstPass) {
  for (int every : {4, 0}) {
    Harness h;
    Json doc = spec_doc();  // 4 points
    // The budget leaves the race rounds nothing: 3 first, 12 + 12 / every, 1 closing.
    const int budget = 3 + 12 + (every ? 12 / every : 0) + 1;
    doc["repetitions"] = {{"policy", "race"}, {"min", 3},           {"max", 6},
                          {"budget", budget}, {"precision", 0.001}, {"baseline_every", every}};
    RunResult r = h.run(doc);
    ASSERT_EQ(r.status, ExperimentStatus::kComplete);
    std::string order;
    std::string baseline_repetitions;
    std::set<std::pair<std::int64_t, int>> seen;
    for (const auto& t : h.store->trials(r.experiment_id)) {
      order += t.baseline ? 'B' : 'c';
      if (t.baseline) baseline_repetitions += std::to_string(t.repetition) + " ";
      EXPECT_TRUE(seen.insert({t.point_id, t.repetition}).second)
          << "point " << t.point_id << " repetition " << t.repetition << " twice";
    }
    EXPECT_EQ(order, every ? "BBBccccBccccBccccBB" : "BBBccccccccccccB") << "every " << every;
    // Measured in four places, numbered as one series.
    EXPECT_EQ(baseline_repetitions, every ? "0 1 2 3 4 5 6 " : "0 1 2 3 ") << "every " << every;
  }
}

// The host's capacity rises 50 % for a stretch of the run and falls back: the run's closing
// lines say the baseline drifted and give its three levels, not one before/after pair.
TEST(Runner, RunSaysABaselineLevelThatCameBack) {
  Harness h;
  // Measurements 10-19 of 28 (3 first baselines, then configuration and baseline alternating,
  // a closing baseline): baselines 6 at 1e6, 5 at 1.5e6, 5 at 1e6.
  h.dut.capacity = [](int measured) { return measured >= 10 && measured < 20 ? 1.5 : 1.0; };
  Json doc = spec_doc();  // 4 points
  doc["repetitions"] = {{"policy", "race"}, {"min", 3},           {"max", 6},
                        {"budget", 28},     {"precision", 0.001}, {"baseline_every", 1}};
  RunResult r = h.run(doc);
  ASSERT_EQ(r.status, ExperimentStatus::kComplete);
  EXPECT_NE(h.out.str().find("baseline rx_pps: DRIFT +50.0 % (1e+06 -> 1.5e+06 -> 1e+06 over 16 "
                             "baseline trials"),
            std::string::npos)
      << h.out.str();
}

// Interrupted in the middle of the race rounds and resumed: the race is rebuilt from the stored
// trials and goes on to the same end (the tied configuration reaches its cap, the beaten one
// keeps its 3), within the budget.
TEST(Runner, ResumedRaceContinuesFromTheStore) {
  Harness h;
  h.dut.noise = 0.02;
  Json doc = spec_doc();
  doc["repetitions"] = {
      {"policy", "race"}, {"min", 3}, {"max", 6}, {"budget", 40}, {"precision", 0.001}};
  // 3 baseline + 4 x 3 trials + 1 interleaved baseline before the race: stop in its rounds,
  // in the middle of a trial (Ctrl-C stops the load: that trial is stored as interrupted).
  h.lg.after_load = [&](int n) {
    if (n != 18) return;
    h.interrupted = true;
    throw Error(ErrorCode::kIo, "load.run: stopped by SIGINT");
  };
  RunResult first = h.run(doc);
  ASSERT_EQ(first.status, ExperimentStatus::kInterrupted);
  h.interrupted = false;
  h.lg.after_load = nullptr;
  RunOptions resume;
  resume.resume = true;
  RunResult second = h.run(doc, resume);
  EXPECT_EQ(second.status, ExperimentStatus::kComplete);
  EXPECT_EQ(second.experiment_id, first.experiment_id);
  std::map<std::string, int> complete;
  std::set<std::tuple<bool, std::int64_t, int>> numbers;
  std::size_t all = 0, interrupted = 0;
  for (const auto& t : h.store->trials(second.experiment_id)) {
    ++all;
    interrupted += is_interrupted(t.outcome);
    if (!t.baseline && t.outcome.state == TrialState::kComplete) complete[t.point.dump()]++;
    // A repetition number is never given twice, the interrupted trial's included.
    EXPECT_TRUE(numbers.insert({t.baseline, t.point_id, t.repetition}).second)
        << t.point.dump() << " repetition " << t.repetition;
  }
  EXPECT_EQ(interrupted, 1u);
  EXPECT_LE(all, 40u);
  EXPECT_EQ((complete[Json({{"offload.gro", false}, {"rps", "none"}}).dump()]), 3);
  EXPECT_EQ((complete[Json({{"offload.gro", true}, {"rps", "none"}}).dump()]), 6);
}

}  // namespace
}  // namespace nictune

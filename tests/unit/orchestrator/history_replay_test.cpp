#include "orchestrator/runner/history_replay.hpp"

#include <gtest/gtest.h>

namespace nictune {
namespace {

// A test double of the Strategy interface that only records what it is told.
class RecordingStrategy : public Strategy {
 public:
  std::vector<Point> ask(std::size_t) override { return {}; }
  void tell(const Point& point, const Outcome& outcome) override {
    told.push_back({point, outcome.state});
  }
  std::vector<std::pair<Point, TrialState>> told;
};

TrialRecord trial(std::int64_t id, const char* rps, TrialState state, bool baseline = false) {
  TrialRecord t;
  t.id = id;
  t.point = baseline ? Json::object() : Json{{"rps", rps}};
  t.baseline = baseline;
  t.outcome.state = state;
  return t;
}

std::vector<TrialRecord> history() {
  TrialRecord stopped = trial(4, "c", TrialState::kFailed);
  stopped.outcome.error = "load.run: cancelled";
  mark_interrupted(stopped.outcome);
  return {trial(1, "", TrialState::kComplete, true),  // the baseline: outside the space
          trial(2, "a", TrialState::kComplete),      trial(3, "b", TrialState::kFailed), stopped,
          trial(5, "d", TrialState::kRunning),       trial(6, "e", TrialState::kPruned)};
}

TEST(HistoryReplay, RunTellsEverythingButTheBaselineAndInterruptedTrialsInStoreOrder) {
  RecordingStrategy strategy;
  EXPECT_TRUE(replay_history(history(), strategy, RunningTrials::kTell).empty());
  ASSERT_EQ(strategy.told.size(), 4u);
  EXPECT_EQ(strategy.told[0].first["rps"], "a");
  EXPECT_EQ(strategy.told[1].first["rps"], "b");
  EXPECT_EQ(strategy.told[1].second, TrialState::kFailed);
  EXPECT_EQ(strategy.told[2].first["rps"], "d");
  EXPECT_EQ(strategy.told[2].second, TrialState::kRunning);
  EXPECT_EQ(strategy.told[3].first["rps"], "e");
}

TEST(HistoryReplay, AskHoldsRunningTrialsBackAndReturnsThem) {
  RecordingStrategy strategy;
  auto held = replay_history(history(), strategy, RunningTrials::kHold);
  ASSERT_EQ(held.size(), 1u);
  EXPECT_EQ(held[0].id, 5);
  ASSERT_EQ(strategy.told.size(), 3u);
  for (const auto& [point, state] : strategy.told) EXPECT_NE(state, TrialState::kRunning);
}

}  // namespace
}  // namespace nictune

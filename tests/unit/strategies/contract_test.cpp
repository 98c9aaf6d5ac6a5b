// The contract every registered strategy keeps, run against each name in the registry (a new
// strategy is covered by adding its registry line).
#include <gtest/gtest.h>

#include <set>

#include "core/errors.hpp"
#include "strategies/strategy.hpp"
#include "tests/unit/strategies/test_spaces.hpp"

namespace nictune {
namespace {

using test::nic_config;
using test::nic_outcome;

class StrategyContract : public ::testing::TestWithParam<std::string> {
 protected:
  std::unique_ptr<Strategy> make(const StrategyConfig& c) { return make_strategy(GetParam(), c); }
};

void expect_valid_new(const Space& space, const Point& p, std::set<std::string>& seen) {
  std::string why;
  EXPECT_TRUE(space.is_valid(p, &why)) << p.dump() << ": " << why;
  EXPECT_EQ(space.canonicalize(p), p) << "not canonical: " << p.dump();
  EXPECT_GE(p["channels.combined"].get<int>(), 2) << "constraint violated: " << p.dump();
  EXPECT_EQ(p.contains("rfs.flow_cnt"), p["rps"] != "none") << "condition: " << p.dump();
  EXPECT_TRUE(seen.insert(canonical_text(p)).second) << "repeated: " << p.dump();
}

// Asks in batches of `batch`, tells each point with `outcome`, until nothing comes back or
// `limit` points were proposed. Returns every proposal in order.
template <class OutcomeFn>
std::vector<Point> drive(Strategy& s, const Space& space, std::size_t batch, std::size_t limit,
                         OutcomeFn outcome) {
  std::vector<Point> all;
  std::set<std::string> seen;
  while (all.size() < limit) {
    auto points = s.ask(batch);
    EXPECT_LE(points.size(), batch);
    if (points.empty()) break;
    for (const auto& p : points) {
      expect_valid_new(space, p, seen);
      all.push_back(p);
    }
    for (const auto& p : points) s.tell(p, outcome(p));
  }
  return all;
}

TEST_P(StrategyContract, ProposesValidCanonicalNewPointsWithinBudget) {
  auto config = nic_config(true, 3, 14);
  auto s = make(config);
  auto all = drive(*s, config.space, 3, 100, nic_outcome);
  EXPECT_LE(all.size(), 14u);
  EXPECT_GE(all.size(), 2u);
  EXPECT_TRUE(s->ask(5).empty() || all.size() < 14u);
  if (all.size() == 14u) EXPECT_NE(s->stop_reason().find("budget"), std::string::npos);
}

TEST_P(StrategyContract, DeterministicPerSeedAndAfterReplay) {
  auto config = nic_config(true, 11, 12);
  auto a = make(config);
  auto b = make(config);
  auto run_a = drive(*a, config.space, 2, 10, nic_outcome);
  auto run_b = drive(*b, config.space, 2, 10, nic_outcome);
  EXPECT_EQ(run_a, run_b);
  // A strategy rebuilt from the told history (what `nictune ask` does) continues the same way.
  auto c = make(config);
  for (const auto& p : run_a) c->tell(p, nic_outcome(p));
  EXPECT_EQ(a->ask(2), c->ask(2));
}

TEST_P(StrategyContract, AllFailedHistoryNeverReproposesFailures) {
  auto config = nic_config(true, 5, 16);
  auto s = make(config);
  auto failed = [](const Point&) {
    Outcome o;
    o.state = TrialState::kFailed;
    o.error = "apply: device busy";
    return o;
  };
  auto all = drive(*s, config.space, 2, 100, failed);  // no repeats checked inside
  EXPECT_GE(all.size(), 1u);
  if (s->ask(1).empty()) EXPECT_FALSE(s->stop_reason().empty());
}

TEST_P(StrategyContract, ExhaustsAFiniteSpaceAndSaysSo) {
  auto config = nic_config(false, 2, 1000);
  auto s = make(config);
  auto all = drive(*s, config.space, 4, 1000, nic_outcome);
  EXPECT_LE(all.size(), test::kSmallSpaceSize);
  if (GetParam() != "one-at-a-time") EXPECT_EQ(all.size(), test::kSmallSpaceSize);
  EXPECT_TRUE(s->ask(3).empty());
  EXPECT_FALSE(s->stop_reason().empty());
}

TEST_P(StrategyContract, NeverProposesPointsToldElsewhere) {
  auto config = nic_config(false, 4, 1000);
  auto s = make(config);
  std::set<std::string> told;
  std::size_t i = 0;
  config.space.for_each_grid_point([&](const Point& p) {
    if (i++ % 3 == 0) {
      // Spelled differently from the canonical form: an inactive child, a float integer.
      Point spelled = p;
      spelled["channels.combined"] = p["channels.combined"].get<double>();
      if (!spelled.contains("rfs.flow_cnt")) spelled["rfs.flow_cnt"] = 4096;
      s->tell(spelled, nic_outcome(p));
      told.insert(canonical_text(p));
    }
    return true;
  });
  // A baseline outside the space is kept, not rejected.
  s->tell(Json{{"channels.combined", 64}, {"rps", "none"}, {"offload.gro", true}},
          nic_outcome(Json{{"channels.combined", 64}, {"rps", "none"}, {"offload.gro", true}}));
  auto all = drive(*s, config.space, 3, 1000, nic_outcome);
  for (const auto& p : all) EXPECT_FALSE(told.count(canonical_text(p))) << p.dump();
  if (GetParam() != "one-at-a-time") {
    EXPECT_EQ(all.size() + told.size(), test::kSmallSpaceSize);
  }
}

TEST_P(StrategyContract, AskZeroAndRepeatedTells) {
  auto config = nic_config(true, 9, 10);
  auto s = make(config);
  EXPECT_TRUE(s->ask(0).empty());
  auto first = s->ask(1);
  ASSERT_EQ(first.size(), 1u);
  for (int rep = 0; rep < 3; ++rep) s->tell(first[0], nic_outcome(first[0]));
  auto next = s->ask(2);
  for (const auto& p : next) EXPECT_NE(p, first[0]);
}

TEST_P(StrategyContract, RejectsUnknownOptions) {
  auto config = nic_config(true, 1, 10);
  config.options = {{"no_such_option", 1}};
  try {
    make(config);
    FAIL() << "accepted an unknown option";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalid);
    EXPECT_NE(std::string(e.what()).find("no_such_option"), std::string::npos) << e.what();
  }
}

INSTANTIATE_TEST_SUITE_P(Registry, StrategyContract, ::testing::ValuesIn(strategy_names()),
                         [](const auto& info) {
                           std::string name = info.param;
                           for (auto& ch : name) ch = std::isalnum(ch) ? ch : '_';
                           return name;
                         });

TEST(StrategyRegistry, UnknownNameSuggests) {
  try {
    make_strategy("randon", test::nic_config(true, 1, 10));
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("random"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace nictune

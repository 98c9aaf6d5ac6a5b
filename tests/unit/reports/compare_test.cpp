// compare: the fixed experiment measured twice in one database, the second time on a "newer
// kernel" that loses 10 % rx_pps everywhere. p-values from SciPy 1.10.1 (ttest_ind with
// equal_var=False; mannwhitneyu exact), computed once.
#include "reports/compare.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "core/errors.hpp"
#include "orchestrator/loaders/report_loaders.hpp"
#include "orchestrator/store/store_backends.hpp"
#include "reports/check.hpp"
#include "reports/render.hpp"
#include "tests/unit/reports/golden.hpp"
#include "tests/unit/reports/report_fixture.hpp"

namespace nictune::report {
namespace {

class Compare : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = open_store(":memory:");
    nictune::testing::add_fixture_experiment(*store_, "on-6.1", 1.0, "6.1.0-18-amd64", &points_a_);
    nictune::testing::add_fixture_experiment(*store_, "on-6.6", 0.9, "6.6.13-amd64", &points_b_);
    nictune::testing::add_fixture_experiment(*store_, "on-6.1-again", 1.0, "6.1.0-18-amd64",
                                             nullptr);
  }
  const ConfigurationComparison* find(const ComparisonResult& r, const std::string& label) {
    for (const auto& c : r.configurations) {
      if (c.label.find(label) != std::string::npos || (label == "(baseline)" && c.baseline))
        return &c;
    }
    return nullptr;
  }
  std::unique_ptr<Store> store_;
  std::map<char, std::int64_t> points_a_, points_b_;
};

TEST_F(Compare, TenPercentSlowerKernelIsASignificantRegression) {
  auto r = compare_experiments(*store_, "on-6.1", "on-6.6", {0.05, 0.05});
  EXPECT_TRUE(r.any_significant_regression);
  // 8 matched configurations: the baseline and A-F, H; G failed on both sides.
  EXPECT_EQ(r.configurations.size(), 8u);
  EXPECT_EQ(r.only_in_a, 0u);
  EXPECT_EQ(r.only_in_b, 0u);
  EXPECT_EQ(r.unmeasured, 1u);

  const auto* a = find(r, "channels.combined=4 coalesce.rx_usecs=50 rps=none");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->point_a, points_a_.at('A'));
  EXPECT_EQ(a->point_b, points_b_.at('A'));
  ASSERT_EQ(a->objectives.size(), 2u);
  const auto& rx = a->objectives[0];
  EXPECT_EQ(rx.metric, "rx_pps");
  EXPECT_NEAR(rx.relative, -0.10, 1e-12);
  EXPECT_NEAR(rx.worse_by, 0.10, 1e-12);
  EXPECT_NEAR(rx.welch_p, 0.00015468862360253476, 1e-10);
  EXPECT_NEAR(rx.mann_whitney_p, 0.1, 1e-12);  // 3 vs 3, fully separated: 2 / C(6, 3)
  EXPECT_TRUE(rx.mann_whitney_exact);
  EXPECT_TRUE(rx.regression);
  EXPECT_TRUE(a->regression);
  EXPECT_LT(rx.ci_high, 0);  // the whole CI of the change is a loss
  // CPU did not change: not significant (identical samples), no regression.
  EXPECT_EQ(a->objectives[1].welch_p, 1);
  EXPECT_FALSE(a->objectives[1].regression);

  // E is noisy: the same 10 % is not significant (p = 0.147).
  const auto* e = find(r, "channels.combined=2 coalesce.rx_usecs=50 rps=all");
  ASSERT_NE(e, nullptr);
  EXPECT_NEAR(e->objectives[0].welch_p, 0.1473669884468821, 1e-10);
  EXPECT_FALSE(e->objectives[0].significant);
  EXPECT_FALSE(e->regression);
  // H has one repetition: untested, never flagged.
  const auto* h = find(r, "channels.combined=2 coalesce.rx_usecs=8");
  ASSERT_NE(h, nullptr);
  EXPECT_FALSE(h->objectives[0].tested);
  EXPECT_FALSE(h->regression);
  // Baselines are matched with each other.
  ASSERT_NE(find(r, "(baseline)"), nullptr);
  // Regressions come first.
  EXPECT_TRUE(r.configurations.front().regression);
}

TEST_F(Compare, ThresholdAboveTheLossIsNotARegression) {
  auto r = compare_experiments(*store_, "on-6.1", "on-6.6", {0.15, 0.05});
  EXPECT_FALSE(r.any_significant_regression);
}

TEST_F(Compare, TheSameMeasurementsAgain) {
  auto r = compare_experiments(*store_, "on-6.1", "on-6.1-again", {0.05, 0.05});
  EXPECT_FALSE(r.any_significant_regression);
  EXPECT_EQ(r.configurations.size(), 8u);
  // And the other way round, the slower kernel as the reference: an improvement.
  auto back = compare_experiments(*store_, "on-6.6", "on-6.1", {0.05, 0.05});
  EXPECT_FALSE(back.any_significant_regression);
  const auto* a = find(back, "channels.combined=4 coalesce.rx_usecs=50 rps=none");
  ASSERT_NE(a, nullptr);
  EXPECT_TRUE(a->objectives[0].improvement);
}

TEST_F(Compare, TextAndJson) {
  auto r = compare_experiments(*store_, "on-6.1", "on-6.6", {0.05, 0.05});
  std::ostringstream text;
  render_comparison_text(r, text);
  const std::string t = text.str();
  EXPECT_NE(t.find("kernel 6.1.0-18-amd64"), std::string::npos);
  EXPECT_NE(t.find("kernel 6.6.13-amd64"), std::string::npos);
  EXPECT_NE(t.find("REGRESSION"), std::string::npos);
  EXPECT_NE(t.find("Verdict: 6 configuration(s) regressed beyond the threshold."),
            std::string::npos)
      << t;
  std::istringstream lines(t);
  std::string line;
  while (std::getline(lines, line)) EXPECT_LE(line.size(), 100u) << line;
  std::ostringstream json;
  render_comparison_json(r, json);
  const Json doc = Json::parse(json.str());
  EXPECT_EQ(doc["any_significant_regression"], true);
  EXPECT_EQ(doc["b"]["hosts"][0]["kernel"], "6.6.13-amd64");
  EXPECT_EQ(doc["configurations"].size(), 8u);
}

// Every format that serves `nictune compare`, from the renderer registry, against its golden
// (tests/data/reports/compare.*; NICTUNE_UPDATE_GOLDENS=1 rewrites them).
class CompareGolden : public Compare, public ::testing::WithParamInterface<std::string> {};

TEST_P(CompareGolden, MatchesTheGoldenFile) {
  auto r = compare_experiments(*store_, "on-6.1", "on-6.6", {0.05, 0.05});
  // Store timestamps are wall-clock; goldens need fixed ones.
  r.a.created_at = 1714564800;  // 2024-05-01 12:00:00 UTC
  r.b.created_at = 1714564800 + 86400;
  std::ostringstream out;
  render(GetParam(), r, out);
  nictune::testing::expect_matches_golden(nictune::testing::golden_name("compare", GetParam()),
                                          nictune::testing::without_version(out.str()));
}

INSTANTIATE_TEST_SUITE_P(Registry, CompareGolden,
                         ::testing::ValuesIn(renderer_names(Output::kComparison)));

TEST(ParseThreshold, Forms) {
  EXPECT_DOUBLE_EQ(parse_threshold("5%"), 0.05);
  EXPECT_DOUBLE_EQ(parse_threshold("12.5 %"), 0.125);
  EXPECT_DOUBLE_EQ(parse_threshold("0.05"), 0.05);
  EXPECT_DOUBLE_EQ(parse_threshold("0"), 0);
  EXPECT_THROW(parse_threshold("5"), Error);
  EXPECT_THROW(parse_threshold("five"), Error);
  EXPECT_THROW(parse_threshold("-5%"), Error);
  EXPECT_THROW(parse_threshold(""), Error);
}

// judge_against_baseline, the verdict `nictune check` turns into 0 / 1 / 125.
TrialRecord trial(double rx, TrialState state = TrialState::kComplete,
                  const std::string& error = "") {
  TrialRecord t;
  t.outcome.state = state;
  t.outcome.error = error;
  if (state == TrialState::kComplete) t.outcome.metrics = {{"rx_pps", rx}, {"dut_cpu_util", 100}};
  return t;
}

const std::vector<Objective> kObjectives = {{"rx_pps", Goal::kMaximize},
                                            {"dut_cpu_util", Goal::kMinimize}};

TEST(JudgeAgainstBaseline, GoodBadAndSkip) {
  const std::vector<TrialRecord> base = {trial(1.00e6), trial(1.01e6), trial(0.99e6)};
  auto same = judge_against_baseline(base, {trial(1.005e6), trial(0.995e6), trial(1.0e6)},
                                     kObjectives, 0.05);
  EXPECT_EQ(same.verdict, Verdict::kGood);
  EXPECT_EQ(same.exit_code(), 0);

  auto slower = judge_against_baseline(base, {trial(0.90e6), trial(0.91e6), trial(0.89e6)},
                                       kObjectives, 0.05);
  EXPECT_EQ(slower.verdict, Verdict::kBad);
  EXPECT_EQ(slower.exit_code(), 1);
  EXPECT_NE(slower.reason.find("rx_pps -10.0%"), std::string::npos) << slower.reason;

  // Significantly slower, but by less than the threshold: good.
  auto slightly = judge_against_baseline(base, {trial(0.97e6), trial(0.971e6), trial(0.969e6)},
                                         kObjectives, 0.05);
  EXPECT_EQ(slightly.verdict, Verdict::kGood) << slightly.reason;

  // Faster is never bad.
  EXPECT_EQ(judge_against_baseline(base, {trial(2e6), trial(2.1e6)}, kObjectives, 0.05).verdict,
            Verdict::kGood);

  auto unreachable = judge_against_baseline(
      base, {trial(0, TrialState::kFailed, "transport: ssh dut: connection refused")}, kObjectives,
      0.05);
  EXPECT_EQ(unreachable.verdict, Verdict::kSkip);
  EXPECT_EQ(unreachable.exit_code(), 125);
  EXPECT_NE(unreachable.reason.find("connection refused"), std::string::npos);

  EXPECT_EQ(judge_against_baseline({}, base, kObjectives, 0.05).exit_code(), 125);
  EXPECT_EQ(judge_against_baseline(base, base, {}, 0.05).exit_code(), 125);
  TrialRecord unmeasured;
  unmeasured.outcome.metrics = {{"dut_cpu_util", 100}};
  EXPECT_EQ(judge_against_baseline(base, {unmeasured}, kObjectives, 0.05).exit_code(), 125);
}

TEST(JudgeAgainstBaseline, SingleRepetitionsAreJudgedOnTheMeans) {
  auto bad = judge_against_baseline({trial(1e6)}, {trial(0.9e6)}, kObjectives, 0.05);
  EXPECT_EQ(bad.verdict, Verdict::kBad);
  EXPECT_NE(bad.reason.find("judged on the means alone"), std::string::npos) << bad.reason;
  EXPECT_EQ(judge_against_baseline({trial(1e6)}, {trial(0.98e6)}, kObjectives, 0.05).verdict,
            Verdict::kGood);
}

}  // namespace
}  // namespace nictune::report

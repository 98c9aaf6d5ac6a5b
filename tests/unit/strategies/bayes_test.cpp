#include "strategies/bayes.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <utility>

#include "core/errors.hpp"
#include "tests/unit/strategies/test_spaces.hpp"

namespace nictune {
namespace {

using test::nic_config;
using test::nic_outcome;

// Runs ask(batch)/tell to the budget; returns the proposals after the initial design.
template <class OutcomeFn>
std::vector<Point> run(Strategy& s, std::size_t batch, std::size_t design, OutcomeFn outcome) {
  std::vector<Point> all;
  for (;;) {
    auto points = s.ask(batch);
    if (points.empty()) break;
    for (const auto& p : points) {
      all.push_back(p);
      s.tell(p, outcome(p));
    }
  }
  return std::vector<Point>(all.begin() + static_cast<long>(std::min(design, all.size())),
                            all.end());
}

TEST(Bayes, FindsTheMinimumOfASmoothFunction) {
  StrategyConfig c;
  for (const char* name : {"x", "y"}) {
    Parameter p;
    p.name = name;
    p.type = ParamType::kFloat;
    p.min = 0;
    p.max = 1;
    c.space.add(p);
  }
  c.objectives = {{"f", Goal::kMinimize}};
  c.budget = 22;
  c.seed = 4;
  BayesStrategy s(c);
  double best = 1e9;
  run(s, 1, 0, [&](const Point& p) {
    double x = p["x"].get<double>(), y = p["y"].get<double>();
    Outcome o;
    o.metrics["f"] = (x - 0.3) * (x - 0.3) + 2 * (y - 0.7) * (y - 0.7);
    best = std::min(best, o.metrics["f"]);
    return o;
  });
  EXPECT_LT(best, 2e-3);
}

TEST(Bayes, TwoObjectivesWithAnOutcomeConstraintInBatches) {
  auto c = nic_config(true, 7, 24);
  c.objectives = {{"rx_pps", Goal::kMaximize}, {"p99_rtt_us", Goal::kMinimize}};
  c.outcome_constraints = {Comparison::parse("loss_ratio <= 0.0005")};  // channels <= 5 only
  c.options = {{"candidates", 300}, {"restarts", 1}};                   // sanitizer builds are slow
  BayesStrategy s(c);
  auto modelled = run(s, 3, 6, nic_outcome);
  ASSERT_GE(modelled.size(), 12u);
  int feasible = 0;
  for (const auto& p : modelled) feasible += p["channels.combined"].get<int>() <= 5;
  // A uniform draw is feasible 4 times in 15; the constraint model must do much better.
  EXPECT_GE(feasible * 3, static_cast<int>(modelled.size()) * 2)
      << feasible << "/" << modelled.size();
}

TEST(Bayes, ThreeObjectivesWithEhviAndWithParego) {
  for (auto [acquisition, kernel] : {std::pair{"auto", "one-hot"}, std::pair{"parego", "one-hot"},
                                     std::pair{"auto", "overlap"}}) {
    auto c = nic_config(true, 3, 14);
    c.objectives = {{"rx_pps", Goal::kMaximize},
                    {"p99_rtt_us", Goal::kMinimize},
                    {"loss_ratio", Goal::kMinimize}};
    c.options = {{"acquisition", acquisition},
                 {"categorical_kernel", kernel},
                 {"candidates", 300},
                 {"restarts", 1}};
    BayesStrategy s(c);
    std::set<std::string> seen;
    auto modelled = run(s, 2, 0, nic_outcome);
    for (const auto& p : modelled) EXPECT_TRUE(seen.insert(canonical_text(p)).second);
    EXPECT_EQ(modelled.size(), 14u) << acquisition << " " << kernel;
  }
}

TEST(Bayes, PrunedPointsScreeningMeasurementsSteerTheModel) {
  // rx_pps rises with channels, so without what screening saw the model heads for 10..16; the
  // short trials there measured a collapse (the gate pruned them), and the model believes it.
  auto c = nic_config(true, 6, 30);
  c.options = {{"candidates", 300}, {"restarts", 1}};  // sanitizer builds are slow
  BayesStrategy s(c);
  auto modelled = run(s, 1, 8, [](const Point& p) {
    if (p["channels.combined"].get<int>() >= 10) {
      Outcome o;
      o.state = TrialState::kPruned;
      o.error = "screening: not among the best";
      o.metrics = {{"rx_pps", 1e4}, {"p99_rtt_us", 500}, {"loss_ratio", 0.01}};
      return o;
    }
    return nic_outcome(p);
  });
  int pruned_region = 0;
  for (const auto& p : modelled) pruned_region += p["channels.combined"].get<int>() >= 10;
  EXPECT_LE(pruned_region * 4, static_cast<int>(modelled.size()))
      << pruned_region << "/" << modelled.size();
}

TEST(Bayes, SteersAwayFromFailingConfigurations) {
  auto c = nic_config(true, 5, 30);
  c.options = {{"candidates", 300}, {"restarts", 1}};  // sanitizer builds are slow
  BayesStrategy s(c);
  auto modelled = run(s, 1, 8, [](const Point& p) {
    if (p["channels.combined"].get<int>() >= 10) {
      Outcome o;
      o.state = TrialState::kFailed;
      o.error = "driver refused";
      return o;
    }
    return nic_outcome(p);
  });
  int failing = 0;
  for (const auto& p : modelled) failing += p["channels.combined"].get<int>() >= 10;
  // 7 of the 15 channel counts fail; the model may probe the edge but not wander in.
  EXPECT_LE(failing * 4, static_cast<int>(modelled.size())) << failing << "/" << modelled.size();
}

// DTLZ2 with 6 variables: x1, x2 place a point on the front, x3..x6 are its distance
// g = sum (x_i - 0.5)^2 from it; the corners of the box are weakly Pareto-optimal (two objectives
// exactly 0) and far from the front (g up to 1). Returns the distances g of the points proposed
// after the 7-point initial design, sorted.
std::vector<double> dtlz2_distances(const Json& options) {
  StrategyConfig c;
  for (int i = 1; i <= 6; ++i) {
    Parameter p;
    p.name = "x" + std::to_string(i);
    p.type = ParamType::kFloat;
    p.min = 0;
    p.max = 1;
    c.space.add(p);
  }
  c.objectives = {{"f1", Goal::kMinimize}, {"f2", Goal::kMinimize}, {"f3", Goal::kMinimize}};
  c.budget = 30;
  c.seed = 2;
  c.options = options;
  // Fewer candidates and fit restarts than the defaults keep the test quick; the contrast
  // below holds either way.
  c.options["candidates"] = 300;
  c.options["restarts"] = 1;
  BayesStrategy s(c);
  std::vector<double> distance;
  auto modelled = run(s, 1, 7, [&](const Point& p) {
    double x[7];
    for (int i = 1; i <= 6; ++i) x[i] = p["x" + std::to_string(i)].get<double>();
    double g = 0;
    for (int i = 3; i <= 6; ++i) g += (x[i] - 0.5) * (x[i] - 0.5);
    distance.push_back(g);
    double a = x[1] * M_PI / 2, b = x[2] * M_PI / 2;
    Outcome o;
    o.metrics = {{"f1", (1 + g) * std::cos(a) * std::cos(b)},
                 {"f2", (1 + g) * std::cos(a) * std::sin(b)},
                 {"f3", (1 + g) * std::sin(a)}};
    return o;
  });
  EXPECT_EQ(modelled.size(), 23u);
  std::vector<double> after(distance.begin() + 7, distance.end());
  std::sort(after.begin(), after.end());
  return after;
}

TEST(Bayes, ThreeObjectivesApproachTheFrontInsteadOfTheCorners) {
  // The defaults: a pessimistic prior mean and every second ask on the posterior mean alone.
  auto now = dtlz2_distances(Json::object());
  // A random point's expected g is 1/3.
  EXPECT_LT(now[now.size() / 2], 0.35);
  EXPECT_LT(now.front(), 0.1);
  // The same run with the sample mean and pure EHVI goes to the corners (g near 1).
  auto plain = dtlz2_distances({{"prior_mean", "average"}, {"exploit_every", 0}});
  EXPECT_GT(plain[plain.size() / 2], 0.5);
}

TEST(Bayes, RejectsAcquisitionsThatDoNotFit) {
  auto c = nic_config(true, 1, 10);
  c.options = {{"acquisition", "ehvi"}};  // one objective
  EXPECT_THROW(BayesStrategy{c}, Error);
  c.objectives.push_back({"p99_rtt_us", Goal::kMinimize});
  c.options = {{"acquisition", "ei"}};
  EXPECT_THROW(BayesStrategy{c}, Error);
  c.options = {{"acquisition", "parego"}, {"initial_points", 3}};
  EXPECT_NO_THROW(BayesStrategy{c});
  c.options = {{"initial_points", 0}};
  EXPECT_THROW(BayesStrategy{c}, Error);
  c.options = {{"categorical_kernel", "hamming"}};
  EXPECT_THROW(BayesStrategy{c}, Error);
  c.options = {{"prior_mean", "optimistic"}};
  EXPECT_THROW(BayesStrategy{c}, Error);
  c.options = {{"exploit_every", -1}};
  EXPECT_THROW(BayesStrategy{c}, Error);
  c.options = {{"prior_mean", "average"}, {"exploit_every", 0}};
  EXPECT_NO_THROW(BayesStrategy{c});
  c.objectives.clear();
  c.options = Json::object();
  EXPECT_THROW(BayesStrategy{c}, Error);
}

}  // namespace
}  // namespace nictune

// The rate search against simulated links whose limit is known exactly: the found rate lies
// within the requested precision below the limit, short trials do the bracketing, and the search
// stops at its bounds (max passes, min fails, trial budget).
#include "core/rate_search.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>

namespace nictune {
namespace {

// A token-bucket policer of `rate` packets/s and `burst` packets, in front of a perfect sink:
// over a window of T seconds it lets through at most rate*T + burst.
struct PolicedLink {
  double rate = 0;
  double burst = 0;
  int calls = 0;
  RateMeasurement operator()(double offered, double duration) {
    ++calls;
    RateMeasurement m;
    m.duration_s = duration;
    m.sent = static_cast<std::uint64_t>(std::llround(offered * duration));
    const double through = rate * duration + burst;
    m.received = static_cast<std::uint64_t>(std::min<double>(m.sent, std::floor(through)));
    return m;
  }
};

RateSearchSpec ndr(double max_pps, double precision) {
  RateSearchSpec spec;
  spec.max_pps = max_pps;
  spec.min_pps = 1000;
  spec.precision = precision;
  return spec;
}

TEST(RateSearch, FindsAPolicersRateWithinThePrecision) {
  for (double limit : {2500.0, 17000.0, 123456.0, 999000.0}) {
    for (double precision : {0.001, 0.01, 0.05}) {
      PolicedLink link{limit, 0};
      RateSearchResult r = run_rate_search(ndr(1e6, precision), 10, false, std::ref(link));
      ASSERT_TRUE(r.complete) << limit << " " << precision << "\n" << r.to_json().dump(1);
      EXPECT_LE(r.rate_pps, limit * (1 + 1e-9)) << limit;
      EXPECT_GE(r.rate_pps, limit * (1 - precision) * (1 - 1e-9)) << limit << " " << precision;
      if (r.upper_pps > 0) {
        // The lowest failure is at the limit or above (at the limit itself the rounding of the
        // simulated counts can lose one packet).
        EXPECT_GE(r.upper_pps, limit * (1 - 1e-9));
        EXPECT_LE((r.upper_pps - r.rate_pps) / r.upper_pps, precision + 1e-9);
      }
      // The reported rate was confirmed by a full-length trial that passed.
      ASSERT_GE(r.result_step, 0);
      EXPECT_TRUE(r.steps[r.result_step].passed);
      EXPECT_DOUBLE_EQ(r.steps[r.result_step].duration_s, 10);
      EXPECT_DOUBLE_EQ(r.steps[r.result_step].offered_pps, r.rate_pps);
      EXPECT_EQ(link.calls, static_cast<int>(r.steps.size()));
    }
  }
}

TEST(RateSearch, PdrToleratesItsLossRatioAndNdrDoesNot) {
  // A link that drops 0.3 % of everything: NDR fails everywhere, PDR (0.5 %) passes up to the
  // policer's rate.
  auto lossy = [](double offered, double duration) {
    RateMeasurement m;
    m.duration_s = duration;
    m.sent = static_cast<std::uint64_t>(offered * duration);
    double through = std::min<double>(m.sent, 50000 * duration);
    m.received = static_cast<std::uint64_t>(through * 0.997);
    return m;
  };
  RateSearchSpec pdr = ndr(200000, 0.01);
  pdr.criterion = LossCriterion::kPdr;
  pdr.loss_ratio = 0.005;
  RateSearchResult r = run_rate_search(pdr, 4, false, lossy);
  EXPECT_TRUE(r.complete);
  // At offered x > 50000 the loss is 1 - 0.997*50000/x: 0.5 % at x = 50100.5 (counts rounded).
  EXPECT_LE(r.rate_pps, 50101);
  EXPECT_GE(r.rate_pps, 50100.4 * 0.99);

  RateSearchResult n = run_rate_search(ndr(200000, 0.01), 4, false, lossy);
  EXPECT_TRUE(n.complete);
  EXPECT_EQ(n.rate_pps, 0);
  EXPECT_DOUBLE_EQ(n.upper_pps, 1000);  // min_pps failed too
  for (const auto& step : n.steps) EXPECT_FALSE(step.passed);
  EXPECT_NE(n.steps.back().reason.find("loss"), std::string::npos) << n.steps.back().reason;
}

TEST(RateSearch, MaxPassingEndsTheSearchAtMaxConfirmedAtFullDuration) {
  PolicedLink link{1e7, 0};
  RateSearchResult r = run_rate_search(ndr(50000, 0.01), 8, false, std::ref(link));
  EXPECT_TRUE(r.complete);
  EXPECT_DOUBLE_EQ(r.rate_pps, 50000);
  EXPECT_EQ(r.upper_pps, 0);
  // One trial per phase: the short bracket, then re-measured at each longer duration.
  ASSERT_EQ(r.steps.size(), 3u);
  EXPECT_DOUBLE_EQ(r.steps[0].duration_s, 1);
  EXPECT_DOUBLE_EQ(r.steps[2].duration_s, 8);
}

TEST(RateSearch, DurationsGrowGeometricallyAndRoundForWholeSecondTools) {
  RateSearchSpec spec = ndr(1e5, 0.01);
  spec.initial_trial_s = 0.5;
  spec.phases = 4;
  auto d = phase_durations(spec, 32, false);
  ASSERT_EQ(d.size(), 4u);
  EXPECT_NEAR(d[0], 0.5, 1e-9);
  EXPECT_NEAR(d[1], 2, 1e-9);
  EXPECT_NEAR(d[2], 8, 1e-9);
  EXPECT_NEAR(d[3], 32, 1e-9);
  spec.initial_trial_s = 1;
  spec.phases = 3;
  auto whole = phase_durations(spec, 10, true);
  EXPECT_EQ(whole, (std::vector<double>{1, 3, 10}));
}

TEST(RateSearch, AGeneratorThatFallsShortFailsTheStepWithTheReason) {
  // The generator tops out at 30000 packets/s whatever it is asked; the link is perfect. The
  // search must report the generator's ceiling, never a rate it did not offer.
  auto capped = [](double offered, double duration) {
    RateMeasurement m;
    m.duration_s = duration;
    m.sent = static_cast<std::uint64_t>(std::min(offered, 30000.0) * duration);
    m.received = m.sent;
    return m;
  };
  RateSearchResult r = run_rate_search(ndr(1e6, 0.01), 2, false, capped);
  EXPECT_TRUE(r.complete);
  EXPECT_LE(r.rate_pps, 30000 / (1 - 0.005) + 1e-6);
  EXPECT_GE(r.rate_pps, 30000 * 0.99);
  EXPECT_NE(r.steps[0].reason.find("the generator sent"), std::string::npos) << r.steps[0].reason;
}

TEST(RateSearch, AShortTrialPassThatFailsAtFullLengthIsNotReported) {
  // A buffer of 20000 packets hides a 20 % overload for a 1 s trial but not for a 10 s one: the
  // passes of the short phase are re-measured and the result is the sustainable rate.
  PolicedLink link{50000, 20000};
  RateSearchResult r = run_rate_search(ndr(1e6, 0.01), 10, false, std::ref(link));
  EXPECT_TRUE(r.complete);
  EXPECT_LE(r.rate_pps, 52000 + 1e-6);  // what 20000 packets of burst hide over 10 s
  EXPECT_GE(r.rate_pps, 50000 * 0.99);
  bool short_pass_above = false;
  for (const auto& s : r.steps)
    short_pass_above |= s.passed && s.duration_s < 10 && s.offered_pps > 52000;
  EXPECT_TRUE(short_pass_above) << "the scenario should have fooled a short trial\n"
                                << r.to_json().dump(1);
}

TEST(RateSearch, StopsAtTheTrialBudget) {
  PolicedLink link{12345, 0};
  RateSearchSpec spec = ndr(1e6, 0.0001);
  spec.max_trials = 4;
  RateSearchResult r = run_rate_search(spec, 5, false, std::ref(link));
  EXPECT_EQ(r.steps.size(), 4u);
  EXPECT_FALSE(r.complete);
  EXPECT_EQ(r.to_json()["steps"].size(), 4u);
}

TEST(RateSearch, StepsSerialiseWhatWasOfferedReceivedAndLost) {
  RateSearchSpec spec = ndr(1e5, 0.01);
  RateStep s = judge_step(spec, 1, 10000, 2, RateMeasurement{20000, 19990, 2.0});
  EXPECT_FALSE(s.passed);
  Json j = s.to_json();
  EXPECT_EQ(j["offered_pps"], 10000);
  EXPECT_EQ(j["sent"], 20000);
  EXPECT_EQ(j["received"], 19990);
  EXPECT_EQ(j["lost"], 10);
  EXPECT_DOUBLE_EQ(j["loss_ratio"].get<double>(), 0.0005);
  EXPECT_EQ(j["reason"], "loss 0.05 % (10 packets) above 0 %");
  EXPECT_TRUE(judge_step(spec, 1, 10000, 2, RateMeasurement{20000, 20000, 2.0}).passed);
}

}  // namespace
}  // namespace nictune

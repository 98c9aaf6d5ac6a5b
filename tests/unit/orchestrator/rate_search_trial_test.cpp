// The runner's side of a rate search: what each step's load measurement is asked to run, how
// its metrics become the search's counts, and which measurement stands for the trial.
#include "orchestrator/runner/rate_search_trial.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/metrics.hpp"

namespace nictune {
namespace {

Json search_workload() {
  return Json{{"type", "udp_stream"},
              {"payload", 64},
              {"duration_s", 4},
              {"warmup_s", 0.5},
              {"rate_search",
               {{"criterion", "ndr"},
                {"precision", 0.02},
                {"min_pps", 1000},
                {"max_pps", 40000},
                {"initial_trial_s", 1},
                {"phases", 2}}}};
}

// A sink that keeps up to 12000 packets/s: what combine_load_results would give for it.
LoadRun measured_at(const Json& step) {
  const double rate = step.at("rate_pps").get<double>();
  const double seconds = step.at("duration_s").get<double>();
  const double sent = std::round(rate * seconds);
  const double received = std::min(sent, 12000 * seconds);
  LoadRun run;
  run.metrics = {{"tx_packets", sent},
                 {"rx_packets", received},
                 {"lost_packets", sent - received},
                 {"rx_pps", received / seconds}};
  run.client = {{"duration_s", seconds}};
  run.dut_counters = {{"details", {{"marker", rate}}}};
  return run;
}

TEST(RateSearchTrial, StepsRunTheWorkloadAtTheirRateAndTheFoundRateStandsForTheTrial) {
  const Json document = search_workload();
  const Workload workload = parse_workload(document);
  std::vector<Json> asked;
  RateSearchTrial trial = run_rate_search_trial(workload, document, [&](const Json& step) {
    asked.push_back(step);
    return measured_at(step);
  });
  ASSERT_FALSE(asked.empty());
  for (const auto& step : asked) {
    // The agents get a plain workload: no rate_search, the step's rate and duration, the rest
    // as the spec said.
    EXPECT_FALSE(step.contains("rate_search")) << step;
    EXPECT_GT(step.at("rate_pps").get<double>(), 0);
    EXPECT_EQ(step.at("payload"), 64);
    EXPECT_EQ(step.at("warmup_s"), 0.5);
    EXPECT_NO_THROW(parse_workload(step)) << step;
  }
  EXPECT_EQ(asked.front().at("duration_s"), 1);
  EXPECT_EQ(asked.front().at("rate_pps"), 40000);
  EXPECT_EQ(asked.back().at("duration_s"), 4);
  EXPECT_EQ(asked.size(), trial.result.steps.size());

  EXPECT_TRUE(trial.result.complete);
  EXPECT_LE(trial.result.rate_pps, 12000);
  EXPECT_GE(trial.result.rate_pps, 12000 * 0.98);
  // The trial's measurement is the full-length pass at the found rate, counters included.
  ASSERT_GE(trial.result.result_step, 0);
  EXPECT_EQ(trial.run.dut_counters["details"]["marker"], trial.result.rate_pps);
  EXPECT_EQ(trial.run.metrics.at("lost_packets"), 0);
  // Counts made it into the steps.
  const RateStep& first = trial.result.steps.front();
  EXPECT_EQ(first.measured.sent, 40000u);
  EXPECT_EQ(first.measured.received, 12000u);
  EXPECT_FALSE(first.passed);
}

TEST(RateSearchTrial, ASinkThatCountedNothingIsLossAndNothingPassingKeepsTheLastMeasurement) {
  const Json document = search_workload();
  const Workload workload = parse_workload(document);
  int calls = 0;
  RateSearchTrial trial = run_rate_search_trial(workload, document, [&](const Json& step) {
    ++calls;
    LoadRun run = measured_at(step);
    run.metrics.erase("rx_packets");  // the server never answered
    run.metrics.erase("lost_packets");
    run.dut_counters = {{"details", {{"call", calls}}}};
    return run;
  });
  EXPECT_EQ(trial.result.rate_pps, 0);
  EXPECT_LT(trial.result.result_step, 0);
  for (const auto& step : trial.result.steps) EXPECT_FALSE(step.passed);
  EXPECT_EQ(trial.run.dut_counters["details"]["call"], calls);
}

TEST(RateSearchTrial, PlanEstimateCountsStepsPerPhase) {
  const Workload workload = parse_workload(search_workload());
  // Phases of 1 s and 4 s, 0.5 s warm-up, 0.5 s overhead: 3 * 2 s + 2 * 5 s.
  EXPECT_DOUBLE_EQ(rate_search_seconds_estimate(workload, 0.5), 16);
  Workload plain = parse_workload(Json{{"type", "udp_stream"}, {"duration_s", 3}});
  EXPECT_DOUBLE_EQ(rate_search_seconds_estimate(plain, 0.5), 4.5);
}

TEST(RateSearchTrial, LatencyAtFractionsOfTheFoundRate) {
  Json document = search_workload();
  document["type"] = "udp_rr";
  document["rate_search"]["latency_at"] = {0.5, 0.9};
  const Workload workload = parse_workload(document);
  std::vector<double> rates;
  RateSearchTrial trial = run_rate_search_trial(workload, document, [&](const Json& step) {
    rates.push_back(step.at("rate_pps").get<double>());
    LoadRun run = measured_at(step);
    // RTT grows with the load: 10 us plus 1 us per 1000 transactions/s.
    run.metrics["rtt_p99_us"] = 10 + step.at("rate_pps").get<double>() / 1000;
    return run;
  });
  const double found = trial.result.rate_pps;
  ASSERT_GT(found, 0);
  ASSERT_GE(rates.size(), 3u);
  // The last two runs: 50 % and 90 % of the found rate, full length.
  EXPECT_DOUBLE_EQ(rates[rates.size() - 2], found * 0.5);
  EXPECT_DOUBLE_EQ(rates.back(), found * 0.9);
  EXPECT_DOUBLE_EQ(trial.latency_metrics.at("rtt_p99_us_at_50pct_ndr"), 10 + found * 0.5 / 1000);
  EXPECT_DOUBLE_EQ(trial.latency_metrics.at("rtt_p99_us_at_90pct_ndr"), 10 + found * 0.9 / 1000);
  ASSERT_EQ(trial.latency.size(), 2u);
  EXPECT_EQ(trial.latency[0]["percent"], 50);
  EXPECT_EQ(trial.latency[1]["lost_packets"], 0);
  // Not search steps: the search's own record ends where it did.
  EXPECT_EQ(trial.result.steps.size() + 2, rates.size());
  EXPECT_NE(find_metric("rtt_p99_us_at_50pct_ndr"), nullptr);
  EXPECT_NE(find_metric("rtt_p999_us_at_10pct_pdr"), nullptr);
}

}  // namespace
}  // namespace nictune

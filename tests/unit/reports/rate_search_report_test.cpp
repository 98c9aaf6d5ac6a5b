// The rate-search part of a report, on an experiment whose every trial is an NDR search against
// a link of known capacity: the section picks the baseline and the best point, shows the
// repetition with the median found rate, and every format carries the steps and the
// latency-at-load table. Goldens: tests/data/reports/rate-search.* (NICTUNE_UPDATE_GOLDENS=1
// rewrites them).
#include "reports/rate_search_section.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/version.hpp"
#include "orchestrator/loaders/report_loaders.hpp"
#include "orchestrator/store/store_backends.hpp"
#include "reports/render.hpp"
#include "tests/unit/reports/golden.hpp"
#include "tests/unit/reports/rate_search_fixture.hpp"
#include "tests/unit/reports/report_fixture.hpp"

namespace nictune::report {
namespace {

Report rate_search_report() {
  auto store = open_store(":memory:");
  nictune::testing::add_rate_search_experiment(*store);
  Report r = load_report(*store, "");
  nictune::testing::pin_times(r);
  return r;
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(RateSearchReport, BaselineAndBestWithTheirStepsAndLatency) {
  const RateSearchSection s = rate_search_section(rate_search_report());
  EXPECT_EQ(s.criterion, "ndr");
  EXPECT_EQ(s.loss_ratio, 0);
  EXPECT_DOUBLE_EQ(s.precision, 0.01);
  ASSERT_EQ(s.entries.size(), 2u);
  EXPECT_EQ(s.entries[0].label, "baseline");
  EXPECT_EQ(s.entries[1].label, "best");
  EXPECT_EQ(s.entries[1].config, "rps=all");
  for (const auto& e : s.entries) {
    const double capacity = e.label == "best" ? nictune::testing::kRpsAllCapacityPps
                                              : nictune::testing::kBaselineCapacityPps;
    EXPECT_EQ(e.repetitions, 2u);
    // Of two repetitions the lower found rate is the median shown: the first (capacity x 1).
    EXPECT_LE(e.rate_pps, capacity);
    EXPECT_GE(e.rate_pps, capacity * 0.99) << e.label;
    ASSERT_FALSE(e.steps.empty());
    EXPECT_FALSE(e.steps.front().passed);  // max_pps is above the link
    for (const auto& step : e.steps) {
      EXPECT_EQ(step.passed, step.offered_pps <= capacity) << step.offered_pps;
      EXPECT_NEAR(step.received_pps, std::min(step.offered_pps, capacity), 1);
    }
    ASSERT_EQ(e.latency.size(), 2u);
    EXPECT_EQ(e.latency[1].percent, 90);
    EXPECT_DOUBLE_EQ(e.latency[1].offered_pps, e.rate_pps * 0.9);
    EXPECT_EQ(e.latency[1].rtt_us.at("rtt_p99_us"), 97.0);
  }
}

TEST(RateSearchReport, HtmlDrawsOnePlotPerEntryWithEveryStep) {
  std::ostringstream out;
  const Report r = rate_search_report();
  render("html", r, out);
  const std::string html = out.str();
  const RateSearchSection s = rate_search_section(r);
  EXPECT_EQ(count(html, "data-plot=\"rate-search\""), 2u);
  std::size_t passed = 0, failed = 0;
  for (const auto& e : s.entries)
    for (const auto& step : e.steps) (step.passed ? passed : failed)++;
  EXPECT_EQ(count(html, "class=\"step-pass\""), passed);
  EXPECT_EQ(count(html, "class=\"step-fail\""), failed);
  EXPECT_EQ(count(html, "<g class=\"found\">"), 2u);
  EXPECT_EQ(count(html, "<g class=\"criterion\">"), 2u);
  EXPECT_EQ(count(html, "<table class=\"latency-at-load\">"), 2u);
  EXPECT_EQ(html.find("<script"), std::string::npos);
}

TEST(RateSearchReport, ReportsWithoutARateSearchHaveNoSection) {
  auto fixture = nictune::testing::make_report_fixture();
  const Report r = load_report(*fixture.store, "");
  EXPECT_TRUE(rate_search_section(r).empty());
  std::ostringstream out;
  render("html", r, out);
  EXPECT_EQ(out.str().find("rate-search"), std::string::npos);
}

class RateSearchGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(RateSearchGolden, MatchesTheGoldenFile) {
  const std::string format = GetParam();
  std::ostringstream out;
  render(format, rate_search_report(), out);
  nictune::testing::expect_matches_golden(nictune::testing::golden_name("rate-search", format),
                                          nictune::testing::without_version(out.str()));
}

INSTANTIATE_TEST_SUITE_P(Registry, RateSearchGolden,
                         ::testing::ValuesIn(renderer_names(Output::kReport)));

}  // namespace
}  // namespace nictune::report

// Golden outputs of every report format of the fixed experiment (tests/data/reports/fixture.*),
// instantiated from the renderer registry: a new format is compared the moment it has a row. After
// an intended change, regenerate them with
//   NICTUNE_UPDATE_GOLDENS=1 build-*/tests/unit/reports/reports_tests
//   --gtest_filter='RenderGolden*'
// and review the diff like code.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>

#include "core/errors.hpp"
#include "core/version.hpp"
#include "orchestrator/loaders/report_loaders.hpp"
#include "reports/render.hpp"
#include "reports/svg.hpp"
#include "tests/unit/reports/golden.hpp"
#include "tests/unit/reports/report_fixture.hpp"

namespace nictune::report {
namespace {

std::string rendered(const std::string& format) {
  auto fixture = nictune::testing::make_report_fixture();
  Report report = load_report(*fixture.store, "");
  nictune::testing::pin_times(report);
  std::ostringstream out;
  render(format, report, out);
  return nictune::testing::without_version(out.str());
}

class RenderGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(RenderGolden, MatchesTheGoldenFile) {
  nictune::testing::expect_matches_golden(nictune::testing::golden_name("fixture", GetParam()),
                                          rendered(GetParam()));
}

INSTANTIATE_TEST_SUITE_P(Registry, RenderGolden,
                         ::testing::ValuesIn(renderer_names(Output::kReport)));

TEST(RenderText, FitsOneHundredColumns) {
  std::istringstream lines(rendered("text"));
  std::string line;
  int n = 0;
  while (std::getline(lines, line)) {
    ++n;
    std::size_t width = 0;
    for (unsigned char c : line) width += (c & 0xC0) != 0x80 ? 1 : 0;
    EXPECT_LE(width, 100u) << "line " << n << ": " << line;
  }
}

TEST(RenderText, ManyObjectivesWrapWithinOneHundredColumns) {
  ExperimentRecord e;
  e.name = "wide";
  e.spec = Json::parse(R"({"objectives": [
      {"metric": "rx_pps", "goal": "max"}, {"metric": "rtt_p99_us", "goal": "min"},
      {"metric": "dut_cpu_util", "goal": "min"}, {"metric": "rx_pps_per_cpu", "goal": "max"}]})");
  std::vector<TrialRecord> trials;
  for (int i = 0; i < 6; ++i) {
    TrialRecord t;
    t.id = i + 1;
    t.point_id = 1 + i / 2;
    t.point = {
        {"a.very.long.knob.name.that.goes.on", std::string(60, 'x') + std::to_string(i / 2)}};
    t.outcome.metrics = {{"rx_pps", 1.2345e6 + i * 1111},
                         {"rtt_p99_us", 31.4 + i * 0.01 * (i / 2 == 1 ? -1 : 1)},
                         {"dut_cpu_util", 200 - i},
                         {"rx_pps_per_cpu", 5555.5 + i}};
    trials.push_back(t);
  }
  std::ostringstream out;
  render("text", build_report(e, {}, trials), out);
  std::istringstream lines(out.str());
  std::string line;
  while (std::getline(lines, line)) {
    std::size_t width = 0;
    for (unsigned char c : line) width += (c & 0xC0) != 0x80 ? 1 : 0;
    EXPECT_LE(width, 100u) << line;
  }
  EXPECT_NE(out.str().find("rx_pps_per_cpu (max)"), std::string::npos);
}

TEST(RenderJson, HasEveryTrialAndMetric) {
  auto fixture = nictune::testing::make_report_fixture();
  const auto trials = fixture.store->trials(fixture.experiment);
  std::ostringstream out;
  render("json", load_report(*fixture.store, ""), out);
  const Json doc = Json::parse(out.str());
  ASSERT_EQ(doc.at("trials").size(), trials.size());
  for (std::size_t i = 0; i < trials.size(); ++i) {
    EXPECT_EQ(doc["trials"][i]["id"], trials[i].id);
    for (const auto& [name, value] : trials[i].outcome.metrics) {
      EXPECT_DOUBLE_EQ(doc["trials"][i]["metrics"][name].get<double>(), value);
    }
  }
  EXPECT_EQ(doc["experiment"]["spec"]["name"], "ixgbe-rss-rps");
  EXPECT_EQ(doc["hosts"][0]["context"]["kernel"], "6.1.0-18-amd64");
  EXPECT_EQ(doc["best_point_id"], fixture.points.at('B'));
}

TEST(RenderCsv, OneRowPerTrialWithHostContext) {
  const std::string csv = rendered("csv");
  std::istringstream lines(csv);
  std::string line;
  int rows = 0;
  std::getline(lines, line);
  EXPECT_EQ(
      line.rfind("experiment_id,experiment,spec_hash,tool_version,dut_hostname,dut_kernel,", 0),
      0u);
  while (std::getline(lines, line)) {
    ++rows;
    EXPECT_NE(line.find(",6.1.0-18-amd64,ixgbe 5.19.6,0x800003df,"), std::string::npos) << line;
  }
  EXPECT_EQ(rows, 23);
}

TEST(Render, UnknownFormatIsAUsageError) {
  Report report;
  std::ostringstream out;
  try {
    render("htm", report, out);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalid);
    EXPECT_NE(std::string(e.what()).find("did you mean \"html\""), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace nictune::report

namespace nictune::report {
namespace {

TEST(RenderHtml, SelfContainedWithoutScriptsOrFetches) {
  const std::string html = rendered("html");
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_EQ(html.find("url("), std::string::npos);
  EXPECT_EQ(html.find("@import"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  for (std::size_t at = html.find("href=\""); at != std::string::npos;
       at = html.find("href=\"", at + 1)) {
    EXPECT_EQ(html[at + 6], '#') << html.substr(at, 60);
  }
  // The only URI is the SVG namespace name, which is never fetched.
  for (std::size_t at = html.find("http"); at != std::string::npos;
       at = html.find("http", at + 1)) {
    const std::string uri = html.substr(at, 26);
    EXPECT_TRUE(uri == "http://www.w3.org/2000/svg" || html.compare(at, 10, "http-equiv") == 0)
        << uri;
  }
  EXPECT_NE(html.find("Content-Security-Policy"), std::string::npos);
  EXPECT_NE(html.find("data-plot=\"scatter\""), std::string::npos);
  EXPECT_NE(html.find("kernel</th><td>6.1.0-18-amd64"), std::string::npos);
}

TEST(RenderHtml, ThreeObjectivesGetEveryPair) {
  ExperimentRecord e;
  e.spec =
      Json::parse(R"({"objectives": [{"metric": "a", "goal": "max"}, {"metric": "b", "goal": "min"},
                                           {"metric": "c", "goal": "min"}]})");
  std::vector<TrialRecord> trials;
  for (int i = 0; i < 4; ++i) {
    TrialRecord t;
    t.id = i + 1;
    t.point_id = i + 1;
    t.point = {{"k", i}};
    t.outcome.metrics = {{"a", 10.0 + i}, {"b", 5.0 - i * i}, {"c", 1.0 + (i % 2)}};
    trials.push_back(t);
  }
  std::ostringstream out;
  render("html", build_report(e, {}, trials), out);
  const std::string html = out.str();
  std::size_t n = 0;
  for (std::size_t at = html.find("data-plot=\"scatter\""); at != std::string::npos;
       at = html.find("data-plot=\"scatter\"", at + 1)) {
    ++n;
  }
  EXPECT_EQ(n, 3u);  // a-b, a-c, b-c
}

// Noisy repetitions give CIs wider than the spread of the means and reaching below zero. The
// scatter must fit its axes to the means (the points spread over the plot instead of sitting in
// one dot), keep every whisker inside the frame and never draw a negative rate or CPU share.
TEST(RenderHtml, WhiskersAreClippedAxesFitThePoints) {
  ExperimentRecord e;
  e.spec = Json::parse(R"({"objectives": [{"metric": "rx_pps", "goal": "max"},
                                          {"metric": "dut_cpu_util", "goal": "min"}]})");
  std::vector<TrialRecord> trials;
  const std::vector<std::vector<double>> rates = {
      {100e3, 400e3, 250e3}, {200e3, 300e3, 50e3}, {260e3, 240e3, 250e3}};
  const std::vector<std::vector<double>> cpus = {{2, 90, 10}, {30, 35, 40}, {60, 5, 20}};
  int id = 0;
  for (std::size_t p = 0; p < rates.size(); ++p) {
    for (std::size_t i = 0; i < 3; ++i) {
      TrialRecord t;
      t.id = ++id;
      t.point_id = static_cast<std::int64_t>(p + 1);
      t.point = {{"k", p}};
      t.outcome.metrics = {{"rx_pps", rates[p][i]}, {"dut_cpu_util", cpus[p][i]}};
      trials.push_back(t);
    }
  }
  std::ostringstream out;
  render("html", build_report(e, {}, trials), out);
  const std::string html = out.str();
  const std::size_t from = html.find("data-plot=\"scatter\"");
  ASSERT_NE(from, std::string::npos);
  const std::string scatter = html.substr(from, html.find("</svg>", from) - from);

  // The plot's frame and its y axis (fitted to the means of dut_cpu_util) as the renderer has them.
  double ylo = INFINITY, yhi = -INFINITY;
  for (const auto& c : cpus) {
    const double m = (c[0] + c[1] + c[2]) / 3;
    ylo = std::min(ylo, m);
    yhi = std::max(yhi, m);
  }
  svg::Plot plot("scatter", 520, 380, "");
  plot.y_axis(svg::padded_range(ylo, yhi), "");
  const double zero_cpu = plot.py(0);
  ASSERT_GT(zero_cpu, plot.top());

  const std::regex line(
      R"re(<line class="errbar[^"]*" x1="([-0-9.]+)" x2="([-0-9.]+)" y1="([-0-9.]+)" y2="([-0-9.]+)")re");
  std::size_t whiskers = 0, clipped = 0;
  for (std::sregex_iterator it(scatter.begin(), scatter.end(), line), end; it != end; ++it) {
    ++whiskers;
    if (it->str().find("clipped") != std::string::npos) ++clipped;
    const double x1 = std::stod((*it)[1]), x2 = std::stod((*it)[2]);
    const double y1 = std::stod((*it)[3]), y2 = std::stod((*it)[4]);
    for (double x : {x1, x2}) {
      EXPECT_GE(x, plot.left() - 0.05) << it->str();
      EXPECT_LE(x, plot.right() + 0.05) << it->str();
    }
    for (double y : {y1, y2}) {
      EXPECT_GE(y, plot.top() - 0.05) << it->str();
      EXPECT_LE(y, plot.bottom() + 0.05) << it->str();
      if (x1 == x2) EXPECT_LE(y, zero_cpu + 0.05) << "below 0 % CPU: " << it->str();
    }
  }
  EXPECT_EQ(whiskers, 6u);  // two per configuration
  EXPECT_GE(clipped, 4u);

  // The points spread over most of the frame rather than collapsing into one spot.
  const std::regex dot(R"re(<circle class="pt-[a-z]+" cx="([-0-9.]+)" cy="([-0-9.]+)")re");
  double cx_lo = INFINITY, cx_hi = -INFINITY;
  for (std::sregex_iterator it(scatter.begin(), scatter.end(), dot), end; it != end; ++it) {
    cx_lo = std::min(cx_lo, std::stod((*it)[1]));
    cx_hi = std::max(cx_hi, std::stod((*it)[1]));
  }
  EXPECT_GT(cx_hi - cx_lo, 0.7 * (plot.right() - plot.left()));
}

TEST(RenderHtml, EscapesWhatTheDatabaseSays) {
  ExperimentRecord e;
  e.name = "<script>alert(1)</script>";
  e.spec = Json::parse(R"({"objectives": [{"metric": "a", "goal": "max"}]})");
  TrialRecord t;
  t.id = 1;
  t.point_id = 1;
  t.point = {{"k", "<b>&"}};
  t.outcome.metrics = {{"a", 1}};
  std::ostringstream out;
  render("html", build_report(e, {}, {t}), out);
  EXPECT_EQ(out.str().find("<script>"), std::string::npos);
  EXPECT_NE(out.str().find("&lt;script&gt;"), std::string::npos);
  EXPECT_NE(out.str().find("k=&lt;b&gt;&amp;"), std::string::npos);
}

}  // namespace
}  // namespace nictune::report

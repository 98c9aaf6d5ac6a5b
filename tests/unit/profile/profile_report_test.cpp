// The profile part of reports and the choice of points to profile, on the fixed report
// experiment (tests/unit/reports/report_fixture.hpp) with the captured perf profile.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "agents/profile/perf_fold.hpp"
#include "orchestrator/loaders/report_loaders.hpp"
#include "orchestrator/runner/profile_phase.hpp"
#include "reports/profile_section.hpp"
#include "reports/render.hpp"
#include "tests/unit/reports/report_fixture.hpp"

namespace nictune {
namespace {

Json captured_profile() {
  std::ifstream in(NICTUNE_SOURCE_DIR "/tests/data/profile/perf_script.loopback_rps.txt");
  std::stringstream s;
  s << in.rdbuf();
  return to_json(profile::fold_perf_script(s.str()));
}

struct Fixture {
  testing::ReportFixture f = testing::make_report_fixture();
  void add(char which, Outcome outcome) {
    TrialRecord r;
    r.experiment_id = f.experiment;
    r.point_id = f.points.at(which);
    r.point = *f.store->point(r.point_id);
    r.baseline = which == 'b';
    r.started_at = 1.7e9;
    r.ended_at = 1.7e9 + 4;
    r.outcome = std::move(outcome);
    f.store->record_profile_trial(r);
  }
  std::string render(const std::string& format) {
    std::ostringstream out;
    report::render(format, report::load_report(*f.store, ""), out);
    return out.str();
  }
};

TEST(ProfileReport, TablesInEveryFormatAndFlameGraphsInHtml) {
  Fixture fx;
  Outcome ok;
  ok.details["profile"] = captured_profile();
  fx.add('b', ok);
  fx.add('B', ok);
  Outcome failed{TrialState::kFailed, {}, "profile.start: perf record refused", {}};
  fx.add('A', failed);

  const std::string text = fx.render("text");
  EXPECT_NE(text.find("Where the DUT's CPUs spent their time"), std::string::npos);
  EXPECT_NE(text.find("  baseline (host's own settings)\n    814 samples"), std::string::npos)
      << text;
  EXPECT_NE(text.find("best #2"), std::string::npos);
  EXPECT_NE(text.find("no profile: profile.start: perf record refused"), std::string::npos);
  for (std::size_t pos = 0, end; (end = text.find('\n', pos)) != std::string::npos; pos = end + 1)
    EXPECT_LE(end - pos, 100u) << text.substr(pos, end - pos);

  const std::string md = fx.render("md");
  EXPECT_NE(md.find("| CPU | samples | NET_RX % |"), std::string::npos);

  const Json json = Json::parse(fx.render("json"));
  const Json& p = json.at("profiles");
  ASSERT_EQ(p["profiles"].size(), 3u);
  EXPECT_TRUE(p["profiles"][0]["baseline"].get<bool>());
  double sum = 0;
  for (const auto& [key, share] : p["profiles"][1]["cpus"][1]["shares"].items())
    sum += share.get<double>();
  EXPECT_NEAR(sum, 1.0, 1e-9);
  EXPECT_EQ(p["profiles"][2]["error"], "profile.start: perf record refused");

  const std::string html = fx.render("html");
  std::size_t flames = 0;
  for (auto pos = html.find("data-plot=\"flame\""); pos != std::string::npos;
       pos = html.find("data-plot=\"flame\"", pos + 1))
    ++flames;
  EXPECT_EQ(flames, 4u);  // two CPUs, baseline and best #1
  EXPECT_EQ(html.find("<script"), std::string::npos);
}

TEST(ProfileReport, NoSectionWithoutProfilesAndPerfRefusalIsSaid) {
  Fixture fx;
  EXPECT_EQ(fx.render("text").find("spent their time"), std::string::npos);
  EXPECT_FALSE(Json::parse(fx.render("json")).contains("profiles"));

  report::Report r = report::load_report(*fx.f.store, "");
  r.experiment.spec["profile"] = {{"duration_s", 2}};
  for (auto& h : r.hosts)
    if (h.role == "dut")
      h.facts["perf"] = {{"available", false},
                         {"reason", "perf record refused: Access to performance monitoring"}};
  std::ostringstream out;
  report::render_text(r, out);
  EXPECT_NE(out.str().find("perf cannot sample the DUT: perf record refused"), std::string::npos)
      << out.str();
  EXPECT_NE(out.str().find("No profile was recorded."), std::string::npos);
}

// The report fixture's objectives and constraint, as the profile phase reads them.
ExperimentSpec fixture_spec() {
  ExperimentSpec spec;
  spec.objectives = {{"rx_pps", Goal::kMaximize}, {"dut_cpu_util", Goal::kMinimize}};
  spec.outcome_constraints = {Comparison::parse("loss_ratio <= 0.001")};
  return spec;
}

TEST(ProfilePhase, BestFeasiblePointsByParetoRankThenFirstObjective) {
  testing::ReportFixture f = testing::make_report_fixture();
  ExperimentSpec spec = fixture_spec();
  const auto trials = f.store->trials(f.experiment);
  // Front: B (1.25M), H (1.20M), A (1.10M), D (0.95M); C is faster but infeasible (loss).
  const auto best = points_to_profile(trials, spec, 2);
  ASSERT_EQ(best.size(), 2u);
  EXPECT_EQ(best[0], f.points.at('B'));
  EXPECT_EQ(best[1], f.points.at('H'));
  EXPECT_EQ(points_to_profile(trials, spec, 20).size(), 6u);  // the baseline is never chosen
  spec.outcome_constraints.clear();
  EXPECT_EQ(points_to_profile(trials, spec, 1).front(), f.points.at('C'));
}

TEST(ProfilePhase, TheReportsRecommendationIsProfiledFirst) {
  testing::ReportFixture f = testing::make_report_fixture();
  ExperimentSpec spec = fixture_spec();
  const auto trials = f.store->trials(f.experiment);
  // A recommended point goes first, the others keep their order.
  const auto with_a = points_to_profile(trials, spec, 2, f.points.at('A'));
  ASSERT_EQ(with_a.size(), 2u);
  EXPECT_EQ(with_a[0], f.points.at('A'));
  EXPECT_EQ(with_a[1], f.points.at('B'));
  // An infeasible "recommendation" (C loses packets) is not profiled.
  EXPECT_EQ(points_to_profile(trials, spec, 2, f.points.at('C')),
            (std::vector<std::int64_t>{f.points.at('B'), f.points.at('H')}));
  // The report's own choice, read from the database as the runner reads it.
  const auto recommended = recommended_point(*f.store, f.experiment);
  ASSERT_TRUE(recommended.has_value());
  const report::Report r = report::build_report(f.store->experiment(f.experiment).value(),
                                                f.store->hosts(f.experiment), trials);
  ASSERT_TRUE(r.best.has_value());
  EXPECT_EQ(*recommended, r.points.at(*r.best).point_id);
  EXPECT_FALSE(recommended_point(*f.store, f.experiment + 100).has_value()) << "no such experiment";
}

}  // namespace
}  // namespace nictune

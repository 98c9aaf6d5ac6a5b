// A baseline per workload variant (core/workload_variant.hpp): when the space varies the packet
// size, each configuration is compared with the host's settings at its own size, on scripted
// outcomes. A router forwards about half as many 1472-byte packets as 64-byte ones whatever its
// layout, so a 1472 B layout judged against a 64 B baseline would be a "significant" loss that
// says nothing about the layout.
#include <gtest/gtest.h>

#include <cmath>

#include "reports/compare.hpp"
#include "reports/report.hpp"

namespace nictune::report {
namespace {

// fwd_pps max; rps layouts x payload 64/1472; the spec's own payload 64.
Json spec_doc() {
  return {{"name", "router"},
          {"workload", {{"type", "udp_stream"}, {"payload", 64}}},
          {"space",
           {{"parameters", {{"rps", {"single:0", "spread"}}, {"workload.payload", {64, 1472}}}}}},
          {"objectives", {{{"metric", "fwd_pps"}, {"goal", "max"}}}}};
}

struct Script {
  std::vector<TrialRecord> trials;
  std::int64_t next_id = 1;
  // `n` complete trials of a point with fwd_pps around `level` (±0.5 %, alternating).
  void add(std::int64_t point_id, const Json& point, bool baseline, double level, int n) {
    for (int i = 0; i < n; ++i) {
      TrialRecord t;
      t.id = next_id++;
      t.experiment_id = 1;
      t.point_id = point_id;
      t.point = point;
      t.baseline = baseline;
      t.repetition = i;
      t.outcome.metrics["fwd_pps"] = level * (1 + (i % 2 ? 0.005 : -0.005));
      if (baseline) t.outcome.details["apply"] = {{"dut", {{"rps", "none"}}}};
      trials.push_back(t);
    }
  }
};

ExperimentRecord experiment(const std::string& name = "router") {
  ExperimentRecord e;
  e.id = 1;
  e.name = name;
  e.spec = spec_doc();
  e.status = "complete";
  return e;
}

const PointResult& row(const Report& r, std::int64_t point_id, bool baseline = false) {
  const PointResult* p = r.find_point(point_id, baseline);
  if (!p) throw std::runtime_error("no row for point " + std::to_string(point_id));
  return *p;
}

// Baselines at both sizes (6 trials each, the 64 B ones first, the 1472 B ones last: pooled,
// that is a step of -50 %), and a layout at each size 1 % above its own size's baseline.
Script measured_at_both_sizes(double scale = 1.0) {
  Script s;
  s.add(1, {{"workload.payload", 64}}, true, 100000 * scale, 6);
  s.add(3, {{"rps", "spread"}, {"workload.payload", 64}}, false, 101000 * scale, 3);
  s.add(4, {{"rps", "spread"}, {"workload.payload", 1472}}, false, 50500 * scale, 3);
  s.add(2, {{"workload.payload", 1472}}, true, 50000 * scale, 6);
  return s;
}

TEST(BaselineVariant, EachConfigurationIsJudgedAgainstTheBaselineAtItsOwnSize) {
  const Report r = build_report(experiment(), {}, measured_at_both_sizes().trials);
  const PointResult& small = row(r, 3);
  const PointResult& large = row(r, 4);
  ASSERT_EQ(large.objectives.size(), 1u);
  // About +1 % over its own size's baseline (the scripted noise moves it a little), not -49.5 %
  // against the 64 B one.
  EXPECT_NEAR(large.objectives[0].gain, 0.01, 0.003);
  EXPECT_NEAR(small.objectives[0].gain, 0.01, 0.003);
  EXPECT_TRUE(large.objectives[0].judged);
  // Two baseline rows, each labelled with its size; the configurations keep their size.
  EXPECT_EQ(row(r, 1, true).label(), "(baseline) workload.payload=64");
  EXPECT_EQ(row(r, 2, true).label(), "(baseline) workload.payload=1472");
  EXPECT_EQ(row(r, 2, true).config.value("rps", ""), "none");  // the host's own value
  EXPECT_EQ(large.label(), "rps=spread workload.payload=1472");
  EXPECT_EQ(large.variant, "workload.payload=1472");
  // The baseline shown beside the best point (heat maps, rate search) is its own size's.
  ASSERT_TRUE(r.best && r.baseline);
  EXPECT_EQ(r.points[*r.baseline].variant, r.points[*r.best].variant);
  // Drift is judged per size: 64 B then 1472 B is not a baseline that lost half its rate.
  ASSERT_EQ(r.drift.size(), 2u);  // both sizes' series judged
  for (const auto& d : r.drift) EXPECT_FALSE(d.result.drift) << d.text();
  for (const auto& note : r.notes) EXPECT_EQ(note.find("drift"), std::string::npos) << note;
}

TEST(BaselineVariant, ABaselineWithTheLoadsFixedSettingsIsItsSizesBaseline) {
  // The runner's baseline point carries the LG settings the space fixes (the sender's CPU): one
  // baseline row per size all the same, showing the host's own DUT values beside them.
  Script s;
  s.add(1, {{"lg:app.cpus", "single:0"}, {"workload.payload", 64}}, true, 100000, 4);
  s.add(3, {{"rps", "spread"}, {"lg:app.cpus", "single:0"}, {"workload.payload", 64}}, false,
        110000, 3);
  const Report r = build_report(experiment(), {}, s.trials);
  EXPECT_NEAR(row(r, 3).objectives[0].gain, 0.10, 0.003);
  EXPECT_TRUE(row(r, 3).objectives[0].gain_significant);
  const PointResult& baseline = row(r, 1, true);
  EXPECT_EQ(baseline.variant, "workload.payload=64");
  EXPECT_EQ(baseline.config.value("rps", ""), "none");  // the host's own value
  EXPECT_EQ(baseline.config.value("lg:app.cpus", ""), "single:0");
}

TEST(BaselineVariant, AnOlderRunWithOneBaselineComparesOnlyItsOwnSize) {
  // Before baselines had variants, the baseline point was {} and ran the spec's 64 B: the
  // 1472 B layout has no baseline of its size, so no gain at all rather than a wrong one.
  Script s;
  s.add(1, Json::object(), true, 100000, 4);
  s.add(3, {{"rps", "spread"}, {"workload.payload", 64}}, false, 101000, 3);
  s.add(4, {{"rps", "spread"}, {"workload.payload", 1472}}, false, 50500, 3);
  const Report r = build_report(experiment(), {}, s.trials);
  EXPECT_NEAR(row(r, 3).objectives[0].gain, 0.01, 0.003);
  EXPECT_TRUE(std::isnan(row(r, 4).objectives[0].gain));
  EXPECT_FALSE(row(r, 4).objectives[0].gain_significant);
  EXPECT_EQ(row(r, 1, true).label(), "(baseline) workload.payload=64");
  bool noted = false;
  for (const auto& note : r.notes)
    noted = noted || note.find("no baseline was measured at workload.payload=1472") == 0;
  EXPECT_TRUE(noted);
}

TEST(BaselineVariant, CompareMatchesTheBaselinesBySize) {
  const Report a = build_report(experiment("a"), {}, measured_at_both_sizes().trials);
  const Report b = build_report(experiment("b"), {}, measured_at_both_sizes(0.8).trials);
  const ComparisonResult c = compare_experiments(a, b, {});
  int baselines = 0;
  for (const auto& config : c.configurations) {
    if (!config.baseline) continue;
    ++baselines;
    ASSERT_EQ(config.objectives.size(), 1u);
    // Each size against the same size: -20 % both, never 64 B against 1472 B (-60 % / +60 %).
    EXPECT_NEAR(config.objectives[0].relative, -0.2, 0.01) << config.label;
  }
  EXPECT_EQ(baselines, 2);
  EXPECT_EQ(c.only_in_a, 0u);
  EXPECT_EQ(c.only_in_b, 0u);
}

}  // namespace
}  // namespace nictune::report

// Warm start (strategy.options.warm_start) through the runner.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "tests/unit/orchestrator/runner_fakes.hpp"

namespace nictune {
namespace {

using testing::Harness;
using testing::spec_doc;

// Warm start through the runner: the second experiment on the same (fake) NIC measures the
// first one's Pareto front first, stores and says what it reused; a bad source is refused
// before anything is created or applied.
TEST(Runner, WarmStartMeasuresTheEarlierBestFirstAndSaysSo) {
  Harness h;
  RunResult first = h.run(spec_doc());
  ASSERT_EQ(first.status, ExperimentStatus::kComplete);
  Json doc = spec_doc();
  doc["name"] = "fake-warm";
  doc["strategy"] = {{"type", "random"},
                     {"budget", 3},
                     {"options", {{"warm_start", {{"from", "same-model"}, {"points", 2}}}}}};
  RunResult second = h.run(doc);
  ASSERT_EQ(second.status, ExperimentStatus::kComplete);
  const Json reused = h.store->experiment(second.experiment_id)->warm_start;
  EXPECT_EQ(reused["experiments"], Json::array({first.experiment_id}));
  // The fake's front: rps=all (most rx_pps) and rps=none (least CPU), both with GRO on.
  const std::set<Json> front = {Json{{"rps", "all"}, {"offload.gro", true}},
                                Json{{"rps", "none"}, {"offload.gro", true}}};
  ASSERT_EQ(reused["points"].size(), 2u);
  std::set<Json> seeds(reused["points"].begin(), reused["points"].end());
  EXPECT_EQ(seeds, front);
  // Points are interned in ask order (their trials' repetitions are shuffled within a batch).
  std::map<std::int64_t, Json> asked;
  for (const auto& t : h.store->trials(second.experiment_id))
    if (!t.baseline) asked[t.point_id] = t.point;
  ASSERT_EQ(asked.size(), 3u);
  auto it = asked.begin();
  const Json first_asked = (it++)->second, second_asked = it->second;
  EXPECT_EQ((std::set<Json>{first_asked, second_asked}), front);
  EXPECT_NE(h.out.str().find("warm start (NIC model no-driver): from experiment " +
                             std::to_string(first.experiment_id) + ": 2 point(s) measured first"),
            std::string::npos)
      << h.out.str();

  const std::size_t experiments = h.store->experiments().size();
  const int applies = h.dut.applies;
  doc["name"] = "fake-bad";
  doc["strategy"]["options"]["warm_start"]["from"] = {77};
  try {
    h.run(doc);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalid);
    EXPECT_EQ(std::string(e.what()),
              "strategy.options.warm_start.from[0]: no experiment \"77\" in the database");
  }
  EXPECT_EQ(h.store->experiments().size(), experiments);
  EXPECT_EQ(h.dut.applies, applies);
}

}  // namespace
}  // namespace nictune

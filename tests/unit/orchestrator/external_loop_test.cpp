#include "orchestrator/runner/external_loop.hpp"

#include <gtest/gtest.h>

#include <set>

#include "core/errors.hpp"
#include "orchestrator/store/store_backends.hpp"

namespace nictune {
namespace {

Json spec_doc() {
  return Json::parse(R"({
    "version": 1, "name": "ext",
    "hosts": {"dut": {"transport": "local", "interface": "eth1"}, "lg": {"transport": "local", "interface": "eth1"}},
    "space": {"parameters": {"rps": ["none", "all"], "offload.gro": [true, false]}},
    "workload": {"type": "udp_stream"},
    "objectives": [{"metric": "rx_pps", "goal": "max"}],
    "strategy": {"type": "grid", "budget": 10}
  })");
}

TEST(ExternalLoop, AskNeverHandsOutAPointTwiceAndTellCompletesIt) {
  auto store = open_store(":memory:");
  auto e = store->create_experiment("ext", spec_doc(), "v");
  auto first = ask_points(*store, e, 2);
  auto second = ask_points(*store, e, 2);
  ASSERT_EQ(first.size(), 2u);
  ASSERT_EQ(second.size(), 2u);
  std::set<std::int64_t> ids;
  for (const auto& a : first) ids.insert(a.point_id);
  for (const auto& a : second) ids.insert(a.point_id);
  EXPECT_EQ(ids.size(), 4u);                      // the whole grid, no repeats
  EXPECT_TRUE(ask_points(*store, e, 1).empty());  // exhausted while all are open

  Outcome o;
  o.metrics = {{"rx_pps", 1.0e6}};
  auto trial = tell_point(*store, first[0].point_id, o);
  EXPECT_EQ(trial, first[0].trial_id);
  auto trials = store->trials(e);
  int complete = 0, running = 0;
  for (const auto& t : trials) {
    complete += t.outcome.state == TrialState::kComplete;
    running += t.outcome.state == TrialState::kRunning;
  }
  EXPECT_EQ(complete, 1);
  EXPECT_EQ(running, 3);
}

TEST(ExternalLoop, TellRejectsUnknownMetricsAndPoints) {
  auto store = open_store(":memory:");
  auto e = store->create_experiment("ext", spec_doc(), "v");
  auto asked = ask_points(*store, e, 1);
  Outcome o;
  o.metrics = {{"rx_ppps", 1.0}};
  try {
    tell_point(*store, asked[0].point_id, o);
    FAIL();
  } catch (const Error& err) {
    EXPECT_NE(std::string(err.what()).find("did you mean \"rx_pps\""), std::string::npos)
        << err.what();
  }
  o.metrics = {{"rx_pps", 1.0}};
  EXPECT_THROW(tell_point(*store, 999, o), Error);
}

TEST(ExternalLoop, FailedPointIsNeverAskedAgain) {
  auto store = open_store(":memory:");
  Json doc = spec_doc();
  doc["space"]["parameters"] = {{"rps", {"none", "all"}}};
  auto e = store->create_experiment("ext", doc, "v");
  auto asked = ask_points(*store, e, 1);
  tell_point(*store, asked[0].point_id,
             Outcome{TrialState::kFailed, {}, "tester crashed", Json::object()});
  auto next = ask_points(*store, e, 5);
  ASSERT_EQ(next.size(), 1u);
  EXPECT_NE(next[0].point_id, asked[0].point_id);
}

}  // namespace
}  // namespace nictune

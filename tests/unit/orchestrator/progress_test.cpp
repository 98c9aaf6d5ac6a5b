// Progress output in its three modes: the plain log lines, the TTY status line redrawn in place
// (erased before every other line and at the end, so nothing is left behind it), and JSON events.
#include "orchestrator/runner/progress.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace nictune {
namespace {

const std::string kErase = "\r\033[K";

TrialEvent trial(std::int64_t id, double rx_pps) {
  TrialEvent event;
  event.trial_id = id;
  event.point_id = id;
  event.point = {{"rps", "all"}};
  event.outcome.metrics = {{"rx_pps", rx_pps}};
  return event;
}

std::vector<Objective> objectives() {
  return {{"rx_pps", Goal::kMaximize}};
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(Progress, PlainLinesCarryNoTerminalControls) {
  std::ostringstream out;
  Progress progress(ProgressMode::kPlain, out, objectives());
  progress.started(1, "demo", 2);
  progress.trial_done(trial(1, 1000));
  progress.message("dut reconnected");
  progress.finished("complete", Json::object());
  std::string text = out.str();
  EXPECT_EQ(text.find('\r'), std::string::npos) << text;
  EXPECT_EQ(text.find('\033'), std::string::npos) << text;
  EXPECT_NE(text.find("[1/2] point 1 rep 1: rx_pps=1e+03"), std::string::npos) << text;
  EXPECT_NE(text.find("\ndut reconnected\n"), std::string::npos) << text;
}

TEST(Progress, TtyStatusLineIsRedrawnInPlaceAndClearedAtTheEnd) {
  std::ostringstream out, err;
  Progress progress(ProgressMode::kTty, out, objectives());
  progress.started(1, "demo", 4);
  EXPECT_NE(out.str().find("trials\n[0/4] 0% elapsed 0m00s"), std::string::npos) << out.str();
  progress.trial_done(trial(1, 1000));
  progress.trial_done(trial(2, 50000));
  progress.aside(err, "dut: uploading the agent");
  progress.finished("complete", Json::object());
  std::string text = out.str();
  // Drawn after the start and after each of the two trials and the aside; erased before each
  // trial line, before the aside and at the end.
  EXPECT_EQ(count(text, "elapsed"), 4u) << text;
  EXPECT_EQ(count(text, kErase), 4u) << text;
  EXPECT_NE(text.find(kErase + "[1/4] point 1 rep 1: rx_pps=1e+03"), std::string::npos) << text;
  EXPECT_NE(text.find("[2/4] 50% elapsed 0m00s"), std::string::npos) << text;
  EXPECT_NE(text.find("| best rx_pps=50k"), std::string::npos) << text;
  EXPECT_EQ(text.substr(text.size() - kErase.size()), kErase) << text;
  EXPECT_EQ(err.str(), "dut: uploading the agent\n");
}

TEST(Progress, JsonEventsAreOneObjectPerLine) {
  std::ostringstream out;
  Progress progress(ProgressMode::kJson, out, objectives());
  progress.started(3, "demo", 1);
  progress.trial_done(trial(1, 7));
  progress.finished("complete", {{"trials", 1}});
  std::istringstream lines(out.str());
  std::vector<Json> events;
  for (std::string line; std::getline(lines, line);) events.push_back(Json::parse(line));
  ASSERT_EQ(events.size(), 3u) << out.str();
  EXPECT_EQ(events[0]["event"], "started");
  EXPECT_EQ(events[1]["event"], "trial");
  EXPECT_EQ(events[1]["best"]["rx_pps"], 7.0);
  EXPECT_EQ(events[2]["status"], "complete");
  EXPECT_EQ(events[2]["trials"], 1);
}

}  // namespace
}  // namespace nictune

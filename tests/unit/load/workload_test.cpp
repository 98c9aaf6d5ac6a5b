#include "core/workload.hpp"

#include <gtest/gtest.h>

#include "core/errors.hpp"
#include "core/load_tools.hpp"

namespace nictune {
namespace {

std::vector<std::string> problems(const Json& doc) {
  Issues issues;
  validate_workload(doc, "workload", issues);
  std::vector<std::string> out;
  for (const auto& item : issues.items()) out.push_back(item.path + ": " + item.message);
  return out;
}

bool has(const std::vector<std::string>& lines, const std::string& text) {
  for (const auto& line : lines) {
    if (line.find(text) != std::string::npos) return true;
  }
  return false;
}

std::string all(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

TEST(Workload, DefaultsFromAMinimalDocument) {
  Workload w = parse_workload(Json{{"type", "udp_stream"}});
  EXPECT_EQ(w.type, WorkloadType::kUdpStream);
  EXPECT_EQ(w.tool, &default_load_tool());
  EXPECT_EQ(w.tool->name, "builtin");
  EXPECT_EQ(w.payload, 64);
  EXPECT_EQ(w.flows, 1);
  EXPECT_EQ(w.threads, 1);
  EXPECT_EQ(w.rate_pps, 0);
  EXPECT_EQ(w.interval_ms, 1000);
  EXPECT_EQ(w.poll_mode, PollMode::kBlocking);
  EXPECT_FALSE(w.timestamps);
  EXPECT_FALSE(w.incoming_cpu);
  EXPECT_EQ(parse_workload(Json{{"type", "tcp_stream"}}).payload, 65536);
}

TEST(Workload, ReadsEveryField) {
  Json doc = {{"type", "udp_rr"},     {"tool", "builtin"},    {"payload", 200},
              {"flows", 8},           {"threads", 2},         {"rate_pps", 5000.5},
              {"duration_s", 3},      {"warmup_s", 0.5},      {"interval_ms", 250},
              {"busy_poll_us", 30},   {"poll_mode", "spin"},  {"batch", 16},
              {"timestamps", true},   {"incoming_cpu", true}, {"reply_timeout_ms", 20},
              {"peer_timeout_s", 1.5}};
  Workload w = parse_workload(doc);
  EXPECT_EQ(w.type, WorkloadType::kUdpRr);
  EXPECT_EQ(w.payload, 200);
  EXPECT_EQ(w.flows, 8);
  EXPECT_EQ(w.threads, 2);
  EXPECT_DOUBLE_EQ(w.rate_pps, 5000.5);
  EXPECT_DOUBLE_EQ(w.duration_s, 3);
  EXPECT_DOUBLE_EQ(w.warmup_s, 0.5);
  EXPECT_EQ(w.interval_ms, 250);
  EXPECT_EQ(w.busy_poll_us, 30);
  EXPECT_EQ(w.poll_mode, PollMode::kSpin);
  EXPECT_EQ(w.batch, 16);
  EXPECT_TRUE(w.timestamps);
  EXPECT_TRUE(w.incoming_cpu);
  EXPECT_EQ(w.reply_timeout_ms, 20);
  EXPECT_DOUBLE_EQ(w.peer_timeout_s, 1.5);
  EXPECT_EQ(w.interval_count(), 12u);
  // to_json gives a document that parses back to the same workload.
  EXPECT_EQ(parse_workload(w.to_json()).to_json(), w.to_json());
}

TEST(Workload, MessagesNameThePathTheExpectationAndTheValue) {
  auto p = problems(Json{{"type", "udp_stream"}, {"payload", "64"}});
  ASSERT_EQ(p.size(), 1u) << all(p);
  EXPECT_EQ(p[0], "workload.payload: expected an integer from 18 to 65507, found \"64\"");
  p = problems(Json{{"type", "tcp_rr"}, {"payload", 0}});
  EXPECT_TRUE(has(p, "workload.payload: expected an integer from 1 to 16777216, found 0"))
      << all(p);
  p = problems(Json{{"type", "udp_stream"}, {"duration_s", 0}});
  EXPECT_TRUE(has(p, "workload.duration_s: expected a number above 0 up to 86400, found 0"))
      << all(p);
  p = problems(Json{{"type", "udp_stream"}, {"timestamps", "yes"}});
  EXPECT_TRUE(has(p, "workload.timestamps: expected true or false, found \"yes\"")) << all(p);
  p = problems(Json{{"type", "udp_stream"}, {"flows", 2.5}});
  EXPECT_TRUE(has(p, "workload.flows: expected an integer from 1 to 1024, found 2.5")) << all(p);
}

TEST(Workload, UnknownKeysAndValuesGetDidYouMean) {
  auto p = problems(Json{{"type", "udp_strem"}, {"flws", 4}, {"poll_mode", "busypoll"}});
  EXPECT_TRUE(has(p, "workload.flws: unknown field (did you mean \"flows\"?)")) << all(p);
  EXPECT_TRUE(has(p, "workload.type: unknown value \"udp_strem\" (did you mean \"udp_stream\"?)"))
      << all(p);
  EXPECT_TRUE(
      has(p, "workload.poll_mode: unknown value \"busypoll\" (did you mean \"busy_poll\"?)"))
      << all(p);
}

TEST(Workload, ReportsEveryProblemAtOnce) {
  auto p = problems(
      Json{{"payload", -1}, {"batch", 0}, {"threads", 0}, {"warmup_s", -1}, {"rate_pps", "max"}});
  EXPECT_TRUE(has(p, "workload.type: missing")) << all(p);
  EXPECT_TRUE(has(p, "workload.payload")) << all(p);
  EXPECT_TRUE(has(p, "workload.batch")) << all(p);
  EXPECT_TRUE(has(p, "workload.threads")) << all(p);
  EXPECT_TRUE(has(p, "workload.warmup_s")) << all(p);
  EXPECT_TRUE(has(p, "workload.rate_pps")) << all(p);
  EXPECT_EQ(p.size(), 6u) << all(p);
}

TEST(Workload, NotAnObject) {
  auto p = problems(Json::array());
  ASSERT_EQ(p.size(), 1u);
  EXPECT_TRUE(has(p, "workload: expected an object")) << all(p);
}

TEST(Workload, ThreadsAtMostFlows) {
  auto p = problems(Json{{"type", "udp_stream"}, {"threads", 4}, {"flows", 2}});
  EXPECT_TRUE(
      has(p, "workload.threads: expected at most one thread per flow (flows is 2), found 4"))
      << all(p);
  EXPECT_TRUE(problems(Json{{"type", "udp_stream"}, {"threads", 2}, {"flows", 2}}).empty());
}

TEST(Workload, ToolLimitsAreRefused) {
  auto p = problems(Json{{"type", "udp_rr"}, {"tool", "iperf3"}});
  EXPECT_TRUE(has(p, "workload.tool: iperf3 runs udp_stream and tcp_stream only")) << all(p);
  p = problems(Json{{"type", "tcp_crr"}, {"tool", "sockperf"}});
  EXPECT_TRUE(has(p, "workload.tool: sockperf cannot run tcp_crr")) << all(p);
  p = problems(Json{{"type", "udp_rr"}, {"tool", "sockperf"}, {"flows", 2}, {"timestamps", true}});
  EXPECT_TRUE(has(p, "workload.flows: sockperf runs one flow")) << all(p);
  EXPECT_TRUE(has(p, "workload.timestamps: sockperf reports no kernel timestamps")) << all(p);
  p = problems(
      Json{{"type", "udp_stream"}, {"tool", "iperf3"}, {"duration_s", 2.5}, {"poll_mode", "spin"}});
  EXPECT_TRUE(has(p, "workload.duration_s: iperf3 takes whole seconds")) << all(p);
  EXPECT_TRUE(has(p, "workload.poll_mode: iperf3 has only the blocking mode")) << all(p);
  p = problems(Json{{"type", "tcp_stream"}, {"tool", "sockperf"}});
  EXPECT_TRUE(has(p,
                  "workload.payload: sockperf sends at most 65507 bytes per message, found 65536 "
                  "(the default for tcp_stream)"))
      << all(p);
  EXPECT_TRUE(
      problems(Json{{"type", "tcp_stream"}, {"tool", "sockperf"}, {"payload", 65507}}).empty());
  p = problems(Json{{"type", "udp_stream"}, {"tool", "iperf3"}, {"gso", true}});
  EXPECT_TRUE(has(p, "workload.gso: iperf3 cannot send with UDP_SEGMENT")) << all(p);
  p = problems(Json{{"type", "udp_rr"}, {"gso", true}});
  EXPECT_TRUE(has(p, "workload.gso: gso (UDP segmentation offload on send) applies to udp_stream"))
      << all(p);
  EXPECT_TRUE(parse_workload(Json{{"type", "udp_stream"}, {"gso", true}}).gso);
  // Defaults written out ask for nothing a tool cannot do.
  Workload w = parse_workload(Json{{"type", "udp_stream"}, {"tool", "iperf3"}});
  EXPECT_TRUE(problems(w.to_json()).empty()) << all(problems(w.to_json()));
  Workload s =
      parse_workload(Json{{"type", "udp_rr"}, {"tool", "sockperf"}, {"poll_mode", "busy_poll"}});
  EXPECT_EQ(s.effective_busy_poll_us(), 50);
}

TEST(Workload, ParseThrowsInvalidWithAllIssues) {
  try {
    parse_workload(Json{{"type", "udp_stream"}, {"payload", 1}, {"batch", 5000}});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalid);
    std::string text = e.what();
    EXPECT_NE(text.find("workload.payload"), std::string::npos) << text;
    EXPECT_NE(text.find("workload.batch"), std::string::npos) << text;
  }
}

TEST(Workload, RateSearchIsReadWithDefaultsAndRoundTrips) {
  Workload w = parse_workload(Json{{"type", "udp_stream"},
                                   {"duration_s", 4},
                                   {"rate_search", {{"criterion", "pdr"}, {"max_pps", 1e6}}}});
  ASSERT_TRUE(w.rate_search.has_value());
  EXPECT_EQ(w.rate_search->criterion, LossCriterion::kPdr);
  EXPECT_DOUBLE_EQ(w.rate_search->loss_ratio, 0.005);  // CSIT's PDR when none is given
  EXPECT_DOUBLE_EQ(w.rate_search->precision, 0.01);
  EXPECT_DOUBLE_EQ(w.rate_search->max_pps, 1e6);
  EXPECT_EQ(w.rate_search->metric_name(), "pdr_pps");
  EXPECT_EQ(parse_workload(w.to_json()).to_json(), w.to_json());
  // A duration shorter than the first phase's trial (a screening trial) means one duration.
  Workload short_one = parse_workload(
      Json{{"type", "udp_rr"}, {"duration_s", 0.2}, {"rate_search", {{"max_pps", 5000}}}});
  EXPECT_DOUBLE_EQ(short_one.rate_search->initial_trial_s, 0.2);
  EXPECT_EQ(short_one.rate_search->metric_name(), "ndr_pps");
  EXPECT_FALSE(parse_workload(Json{{"type", "udp_stream"}}).rate_search.has_value());
}

TEST(Workload, RateSearchMessagesNameTheirPaths) {
  auto p =
      problems(Json{{"type", "udp_stream"},
                    {"rate_search", {{"loss_ratio", 1.5}, {"precision", 0}, {"max_pps", 10}}}});
  EXPECT_TRUE(has(p,
                  "workload.rate_search.loss_ratio: expected a number from 0 up to (not "
                  "including) 1, found 1.5"))
      << all(p);
  EXPECT_TRUE(has(p, "workload.rate_search.precision: expected a number above 0 to 0.5, found 0"))
      << all(p);
  EXPECT_TRUE(has(p, "workload.rate_search.max_pps: must be above min_pps (1000), found 10"))
      << all(p);
  p = problems(Json{{"type", "udp_rr"}, {"tool", "sockperf"}, {"rate_search", {{"max_pps", 1e5}}}});
  EXPECT_TRUE(has(p, "workload.tool: sockperf cannot take part in a rate search")) << all(p);
  p = problems(Json{{"type", "tcp_rr"}, {"rate_search", {{"max_pps", 1e5}, {"criterion", "ndx"}}}});
  EXPECT_TRUE(has(p, "workload.type: a rate search needs a workload that counts lost packets"))
      << all(p);
  EXPECT_TRUE(has(p, "workload.rate_search.criterion: unknown value \"ndx\" (did you mean "))
      << all(p);
  p = problems(Json{{"type", "udp_stream"}, {"rate_search", 5}});
  EXPECT_TRUE(has(p, "workload.rate_search: expected an object")) << all(p);
  p = problems(Json{{"type", "udp_stream"},
                    {"tool", "iperf3"},
                    {"duration_s", 4},
                    {"rate_search", {{"max_pps", 1e5}, {"initial_trial_s", 1}, {"phases", 0}}}});
  EXPECT_TRUE(has(p, "workload.rate_search.phases: expected an integer from 1 to 10, found 0"))
      << all(p);
  EXPECT_EQ(p.size(), 1u) << all(p);
}

TEST(Workload, LatencyAtLoadNeedsRoundTripsAndCsitFractions) {
  Json rr = {
      {"type", "udp_rr"},
      {"rate_search", {{"criterion", "pdr"}, {"max_pps", 1e5}, {"latency_at", {0.1, 0.5, 0.9}}}}};
  EXPECT_TRUE(problems(rr).empty()) << all(problems(rr));
  EXPECT_TRUE(parse_workload(rr).rate_search.has_value());
  Json stream = rr;
  stream["type"] = "udp_stream";
  auto p = problems(stream);
  EXPECT_TRUE(has(p,
                  "workload.rate_search.latency_at: latency at load needs round-trip times: a "
                  "udp_rr workload, found udp_stream"))
      << all(p);
  rr["rate_search"]["latency_at"] = {0.5, 0.3};
  p = problems(rr);
  EXPECT_TRUE(has(p,
                  "workload.rate_search.latency_at[1]: expected one of 0.1, 0.5, 0.9 (fractions "
                  "of the found rate), found 0.3"))
      << all(p);
  EXPECT_EQ(p.size(), 1u) << all(p);
}

TEST(Workload, IntervalCount) {
  Workload w;
  w.duration_s = 10;
  w.interval_ms = 1000;
  EXPECT_EQ(w.interval_count(), 10u);
  w.duration_s = 2.5;
  EXPECT_EQ(w.interval_count(), 3u);
  w.interval_ms = 5000;
  EXPECT_EQ(w.interval_count(), 1u);
  auto p = problems(Json{{"type", "udp_stream"}, {"duration_s", 86400}, {"interval_ms", 10}});
  EXPECT_TRUE(has(p, "workload.interval_ms: duration_s / interval_ms gives 8640000 intervals"))
      << all(p);
}

}  // namespace
}  // namespace nictune

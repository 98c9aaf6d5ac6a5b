// The load-tool contract, instantiated over the load-tool registry (core/load_tool_table.hpp):
// every workload type a tool's row claims is run for one second on loopback by the real tool
// (iperf3, sockperf: Debian packages; skipped with the reason when not installed) and must give the
// metric keys the workload type promises (promised_metrics) with plausible values: traffic
// flowed, rates agree with the counts over the measured window, RTT percentiles are ordered. A
// type the row does not claim is refused by the spec parser at workload.tool. A new tool is
// tested the moment it has a row.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "agents/load/load_runner.hpp"
#include "core/load_tools.hpp"
#include "core/metrics.hpp"
#include "orchestrator/spec/experiment_spec.hpp"
#include "test_env.hpp"

namespace nictune::load::testing {
namespace {

struct Claim {
  const LoadTool* tool;
  WorkloadType type;
};

std::vector<Claim> claims() {
  std::vector<Claim> out;
  for (const LoadTool& tool : load_tools()) {
    for (WorkloadType type : tool.types) out.push_back({&tool, type});
  }
  return out;
}

constexpr double kPacedPps = 20000;  // udp_stream: bounded, and a target to stay under

// One second of `type` by `tool`, with the type's default payload or, when that is more than
// the tool sends in one message, the most it does.
Json short_run(const LoadTool& tool, WorkloadType type) {
  Json doc = {{"type", to_string(type)}, {"tool", tool.name}, {"duration_s", 1}, {"warmup_s", 0}};
  const int payload = parse_workload(Json{{"type", to_string(type)}}).payload;
  if (tool.max_payload > 0 && payload > tool.max_payload) doc["payload"] = tool.max_payload;
  return doc;
}

double number(const Json& metrics, const std::string& key) {
  return metrics.contains(key) && metrics[key].is_number() ? metrics[key].get<double>() : NAN;
}

// `rate` over `window` seconds is `count`, within rounding and a window measured apart.
void expect_rate_matches(const Json& m, const std::string& rate, const std::string& count,
                         double window, const std::string& what) {
  const double expected = number(m, count) / window;
  EXPECT_NEAR(number(m, rate), expected, 0.02 * expected + 1)
      << what << ": " << rate << " is not " << count << " over the " << window << " s window";
}

class LoadToolContract : public ::testing::TestWithParam<Claim> {};

TEST_P(LoadToolContract, OneSecondOnLoopbackKeepsTheWorkloadsPromise) {
  const LoadTool& tool = *GetParam().tool;
  const WorkloadType type = GetParam().type;
  if (!tool.program.empty() && !have_tool(tool.program))
    GTEST_SKIP() << tool.program << " is not installed (scripts/install-deps.sh installs it)";
  Json doc = short_run(tool, type);
  if (type == WorkloadType::kUdpStream) doc["rate_pps"] = kPacedPps;
  const Workload w = parse_workload(doc);
  const PairRun r = run_pair(w, "", "127.0.0.1", "");
  const Json& m = r.combined["metrics"];
  const std::string what = tool.name + " " + std::string(to_string(type)) + " " + m.dump();

  for (const std::string& key : promised_metrics(type)) {
    EXPECT_TRUE(m.contains(key) && m[key].is_number()) << what << ": no " << key;
  }
  for (const auto& [name, value] : m.items()) {
    EXPECT_NE(find_metric(name), nullptr) << what << ": " << name << " is not catalogued";
    if (value.is_number()) EXPECT_GE(value.get<double>(), 0) << what << ": " << name;
  }
  // The client's measured window: about the one second asked for.
  const double window = r.client.value("duration_s", 0.0);
  EXPECT_GT(window, 0.5) << what;
  EXPECT_LT(window, 1.5) << what;

  switch (type) {
    case WorkloadType::kUdpStream: {
      EXPECT_GT(number(m, "tx_packets"), 0) << what;
      EXPECT_GT(number(m, "rx_packets"), 0) << what;
      const double excess = r.combined["counts"].value("excess_packets", 0.0);
      EXPECT_EQ(number(m, "tx_packets") + excess,
                number(m, "rx_packets") + number(m, "lost_packets"))
          << what << ": sent = received + lost";
      expect_rate_matches(m, "tx_pps", "tx_packets", window, what);
      expect_rate_matches(m, "rx_pps", "rx_packets", window, what);
      // Paced: never above the target (below it only on a loaded machine).
      EXPECT_LE(number(m, "tx_pps"), kPacedPps * 1.1) << what;
      EXPECT_LE(number(m, "loss_ratio"), 1) << what;
      break;
    }
    case WorkloadType::kTcpStream:
      EXPECT_GT(number(m, "tx_bps"), 0) << what;
      EXPECT_GT(number(m, "rx_bps"), 0) << what;
      // Received is what was acknowledged or read of what was sent in the same window.
      EXPECT_LE(number(m, "rx_bps"), number(m, "tx_bps") * 1.1) << what;
      break;
    case WorkloadType::kUdpRr:
    case WorkloadType::kTcpRr:
      EXPECT_GT(number(m, "rx_packets"), 0) << what;
      EXPECT_GE(number(m, "tx_packets"), number(m, "rx_packets")) << what;
      expect_rate_matches(m, "transactions_per_s", "rx_packets", window, what);
      break;
    case WorkloadType::kTcpCrr:
      EXPECT_GT(number(m, "connections_per_s"), 0) << what;
      break;
  }
  if (w.is_rr()) {
    EXPECT_GT(number(m, "rtt_p50_us"), 0) << what;
    EXPECT_LE(number(m, "rtt_p50_us"), number(m, "rtt_p99_us")) << what;
    if (m.contains("rtt_min_us")) EXPECT_LE(number(m, "rtt_min_us"), number(m, "rtt_p50_us"));
    if (m.contains("rtt_max_us")) EXPECT_LE(number(m, "rtt_p99_us"), number(m, "rtt_max_us"));
  }
}

INSTANTIATE_TEST_SUITE_P(Registry, LoadToolContract, ::testing::ValuesIn(claims()),
                         [](const ::testing::TestParamInfo<Claim>& info) {
                           return info.param.tool->name + "_" +
                                  std::string(to_string(info.param.type));
                         });

Json spec_with(const Json& workload) {
  return {{"version", 1},
          {"name", "contract"},
          {"hosts",
           {{"dut", {{"transport", "local"}, {"interface", "lo"}}},
            {"lg", {{"transport", "local"}, {"interface", "lo"}}}}},
          {"space", {{"parameters", {{"rps", {"none", "all"}}}}}},
          {"workload", workload},
          {"objectives", {{{"metric", "rx_pps"}, {"goal", "max"}}}}};
}

TEST(LoadToolRows, TheSpecParserAcceptsEveryClaimAndRefusesTheRestAtWorkloadTool) {
  std::size_t refused = 0;
  for (const LoadTool& tool : load_tools()) {
    for (WorkloadType type : workload_types()) {
      const Json workload = short_run(tool, type);
      const std::string what = tool.name + " " + std::string(to_string(type));
      if (tool.runs(type)) {
        EXPECT_NO_THROW(parse_spec(spec_with(workload), "inline")) << what;
        continue;
      }
      ++refused;
      try {
        parse_spec(spec_with(workload), "inline");
        ADD_FAILURE() << what << " is not in the row's types but was accepted";
      } catch (const SpecError& e) {
        const std::string text = e.what();
        EXPECT_NE(text.find("workload.tool: " + tool.name), std::string::npos) << text;
        EXPECT_NE(text.find(std::string(to_string(type))), std::string::npos) << text;
      }
    }
  }
  if (refused == 0) GTEST_SKIP() << "every tool claims every workload type: nothing to refuse";
}

}  // namespace
}  // namespace nictune::load::testing

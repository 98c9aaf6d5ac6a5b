// The iperf3 and sockperf adapters against the real tools (Debian packages iperf3, sockperf):
// same methods, same metric names, sent = received + lost where the tool can tell.
#include <gtest/gtest.h>
#include <signal.h>

#include <future>
#include <thread>

#include "agents/load/load_runner.hpp"
#include "core/errors.hpp"
#include "core/metrics.hpp"
#include "test_env.hpp"

namespace nictune::load::testing {
namespace {

#define REQUIRE_TOOL(name) \
  if (!have_tool(name)) GTEST_SKIP() << name << " is not installed (Debian package " << name << ")"

void expect_catalog(const Json& metrics) {
  for (const auto& [name, value] : metrics.items()) EXPECT_NE(find_metric(name), nullptr) << name;
}

TEST(Iperf3Tool, UdpStreamOnLoopback) {
  REQUIRE_TOOL("iperf3");
  Workload w = parse_workload(Json{{"type", "udp_stream"},
                                   {"tool", "iperf3"},
                                   {"duration_s", 1},
                                   {"warmup_s", 1},
                                   {"rate_pps", 20000},
                                   {"flows", 2}});
  PairRun r = run_pair(w, "", "127.0.0.1", "");
  const Json& m = r.combined["metrics"];
  expect_catalog(m);
  EXPECT_GT(m["rx_packets"].get<std::uint64_t>(), 0u) << r.combined.dump();
  // iperf3 cuts the omitted second on each end by its own clock, so a few datagrams sent just
  // before the cut can be counted as received after it: they show as excess, never as negative
  // loss.
  auto tx = m["tx_packets"].get<std::uint64_t>();
  auto excess = r.combined["counts"].value("excess_packets", std::uint64_t{0});
  EXPECT_EQ(tx + excess,
            m["rx_packets"].get<std::uint64_t>() + m["lost_packets"].get<std::uint64_t>());
  EXPECT_LE(excess, tx / 100);
  EXPECT_NEAR(m["tx_pps"].get<double>(), 20000, 2000);
  EXPECT_TRUE(m.contains("jitter_us"));
  EXPECT_TRUE(m.contains("load_cpu_util"));
  EXPECT_EQ(r.client["intervals"].size(), 1u);  // the omitted warm-up second is not there
  EXPECT_EQ(r.server["counts"]["rx_packets"], m["rx_packets"]);
}

TEST(Iperf3Tool, TcpStreamAcrossVeth) {
  REQUIRE_TOOL("iperf3");
  NetnsPair net("3");
  if (!net.unavailable().empty()) GTEST_SKIP() << net.unavailable();
  Workload w = parse_workload(
      Json{{"type", "tcp_stream"}, {"tool", "iperf3"}, {"duration_s", 1}, {"warmup_s", 0}});
  PairRun r = run_pair(w, net.server_ns, net.server_ip, net.client_ns);
  const Json& m = r.combined["metrics"];
  expect_catalog(m);
  EXPECT_GT(m["rx_bps"].get<double>(), 1e6);
  EXPECT_TRUE(m.contains("retransmits"));
}

TEST(Iperf3Tool, ServerDeathIsAnError) {
  REQUIRE_TOOL("iperf3");
  Workload w = parse_workload(
      Json{{"type", "tcp_stream"}, {"tool", "iperf3"}, {"duration_s", 5}, {"warmup_s", 0}});
  ServeOptions so;
  so.bind = "127.0.0.1";
  auto server = start_server(w, so);
  RunOptions ro;
  ro.port = server->port();
  auto run = std::async(std::launch::async, [&] { return run_load(w, ro); });
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  server->stop();
  ASSERT_EQ(run.wait_for(std::chrono::seconds(15)), std::future_status::ready);
  try {
    run.get();
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("iperf3"), std::string::npos) << e.what();
  }
}

TEST(SockperfTool, UdpPingPongOnLoopback) {
  REQUIRE_TOOL("sockperf");
  Workload w = parse_workload(Json{{"type", "udp_rr"},
                                   {"tool", "sockperf"},
                                   {"duration_s", 1},
                                   {"warmup_s", 0.5},
                                   {"interval_ms", 500}});
  PairRun r = run_pair(w, "", "127.0.0.1", "");
  const Json& m = r.combined["metrics"];
  expect_catalog(m);
  EXPECT_GT(r.combined["histogram"]["count"].get<std::uint64_t>(), 100u);
  EXPECT_GT(m["rtt_p50_us"].get<double>(), 0);
  EXPECT_LE(m["rtt_p50_us"].get<double>(), m["rtt_p99_us"].get<double>());
  EXPECT_EQ(r.client["intervals"].size(), 2u);
  EXPECT_GT(r.server["counts"]["rx_packets"].get<std::uint64_t>(), 0u);
}

TEST(SockperfTool, TcpPingPongAcrossVeth) {
  REQUIRE_TOOL("sockperf");
  NetnsPair net("p");
  if (!net.unavailable().empty()) GTEST_SKIP() << net.unavailable();
  Workload w = parse_workload(
      Json{{"type", "tcp_rr"}, {"tool", "sockperf"}, {"duration_s", 1}, {"warmup_s", 0}});
  PairRun r = run_pair(w, net.server_ns, net.server_ip, net.client_ns);
  EXPECT_GT(r.combined["metrics"]["transactions_per_s"].get<double>(), 0);
}

TEST(SockperfTool, UdpThroughputOnLoopback) {
  REQUIRE_TOOL("sockperf");
  Workload w =
      parse_workload(Json{{"type", "udp_stream"}, {"tool", "sockperf"}, {"duration_s", 1}});
  PairRun r = run_pair(w, "", "127.0.0.1", "");
  const Json& m = r.combined["metrics"];
  expect_catalog(m);
  EXPECT_GT(m["tx_packets"].get<std::uint64_t>(), 0u);
  EXPECT_GT(m["rx_packets"].get<std::uint64_t>(), 0u);
  EXPECT_EQ(m["tx_packets"].get<std::uint64_t>(),
            m["rx_packets"].get<std::uint64_t>() + m["lost_packets"].get<std::uint64_t>());
}

TEST(SockperfTool, NoServerIsAnError) {
  REQUIRE_TOOL("sockperf");
  Workload w = parse_workload(
      Json{{"type", "tcp_rr"}, {"tool", "sockperf"}, {"duration_s", 1}, {"warmup_s", 0}});
  RunOptions ro;
  ro.port = 9;
  try {
    run_load(w, ro);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("Connection refused"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace nictune::load::testing

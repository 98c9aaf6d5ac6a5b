// The iperf3 and sockperf parsers against outputs recorded from the real tools
// (tests/data/load/record.sh), including their error outputs.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "agents/load/adapters.hpp"
#include "agents/load/child_process.hpp"
#include "core/errors.hpp"
#include "core/metrics.hpp"

namespace nictune::load {
namespace {

std::string data(const std::string& name) {
  std::ifstream in(std::string(NICTUNE_SOURCE_DIR) + "/tests/data/load/" + name);
  EXPECT_TRUE(in.good()) << name;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

Workload workload(Json doc) {
  return parse_workload(doc);
}

void expect_catalog_names(const Json& metrics) {
  for (const auto& [name, value] : metrics.items()) {
    EXPECT_NE(find_metric(name), nullptr) << "metric " << name << " is not in core/metrics.cpp";
    EXPECT_TRUE(value.is_number()) << name;
  }
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(Iperf3Adapter, UdpClientCountsReceivedFromBytesAndLossAsTheRest) {
  Workload w =
      workload({{"type", "udp_stream"}, {"tool", "iperf3"}, {"duration_s", 2}, {"warmup_s", 1}});
  std::string text = data("iperf3_udp_client.json");
  Json raw = Json::parse(text);
  Json r = parse_iperf3_client(w, text);
  const Json& m = r["metrics"];
  expect_catalog_names(m);
  auto sent = raw["end"]["sum_sent"]["packets"].get<std::uint64_t>();
  auto received = raw["end"]["sum_received"]["bytes"].get<std::uint64_t>() / 64;
  EXPECT_EQ(m["tx_packets"], sent);
  EXPECT_EQ(m["rx_packets"], received);
  EXPECT_EQ(m["lost_packets"].get<std::uint64_t>() + received, sent);  // sent = received + lost
  EXPECT_NEAR(m["loss_ratio"].get<double>(), static_cast<double>(sent - received) / sent, 1e-12);
  double seconds = raw["end"]["sum_sent"]["seconds"].get<double>();
  EXPECT_NEAR(m["tx_pps"].get<double>(), sent / seconds, 1e-6);
  EXPECT_NEAR(m["rx_pps"].get<double>(), received / seconds, 1e-6);
  EXPECT_NEAR(m["jitter_us"].get<double>(),
              raw["end"]["sum_received"]["jitter_ms"].get<double>() * 1000, 1e-9);
  EXPECT_DOUBLE_EQ(m["load_cpu_util"].get<double>(),
                   raw["end"]["cpu_utilization_percent"]["host_total"].get<double>());
  EXPECT_TRUE(m.contains("serve_cpu_util"));
  // The omitted (warm-up) interval is dropped; the others are kept in order.
  ASSERT_EQ(r["intervals"].size(), 2u);
  EXPECT_GT(r["intervals"][1]["t"].get<double>(), r["intervals"][0]["t"].get<double>());
  EXPECT_GT(r["intervals"][0]["tx_pps"].get<double>(), 0);
  EXPECT_EQ(r["tool"], "iperf3");
}

TEST(Iperf3Adapter, TcpClientReportsThroughputAndRetransmits) {
  Workload w =
      workload({{"type", "tcp_stream"}, {"tool", "iperf3"}, {"duration_s", 1}, {"flows", 2}});
  std::string text = data("iperf3_tcp_client.json");
  Json raw = Json::parse(text);
  Json m = parse_iperf3_client(w, text)["metrics"];
  expect_catalog_names(m);
  EXPECT_DOUBLE_EQ(m["rx_bps"].get<double>(),
                   raw["end"]["sum_received"]["bits_per_second"].get<double>());
  EXPECT_EQ(m["retransmits"].get<std::uint64_t>(),
            raw["end"]["sum_sent"]["retransmits"].get<std::uint64_t>());
  EXPECT_GT(m["tx_bps"].get<double>(), 0);
}

TEST(Iperf3Adapter, ServerOutputs) {
  Workload udp = workload({{"type", "udp_stream"}, {"tool", "iperf3"}});
  Json raw = Json::parse(data("iperf3_udp_server.json"));
  Json s = parse_iperf3_server(udp, data("iperf3_udp_server.json"));
  EXPECT_EQ(s["counts"]["rx_packets"].get<std::uint64_t>(),
            raw["end"]["sum_received"]["bytes"].get<std::uint64_t>() / 64);
  expect_catalog_names(s["metrics"]);
  Json t = parse_iperf3_server(workload({{"type", "tcp_stream"}, {"tool", "iperf3"}}),
                               data("iperf3_tcp_server.json"));
  EXPECT_GT(t["metrics"]["rx_bps"].get<double>(), 0);
  // Stopped before any test: no metrics, iperf3's error kept in details.
  Json none = parse_iperf3_server(udp, data("iperf3_server_no_test.json"));
  EXPECT_TRUE(none["metrics"].empty());
  EXPECT_EQ(none["details"]["error"], "interrupt - the server has terminated");
  EXPECT_TRUE(parse_iperf3_server(udp, "")["metrics"].empty());
}

TEST(Iperf3Adapter, ErrorsCarryIperf3sOwnWords) {
  Workload w = workload({{"type", "udp_stream"}, {"tool", "iperf3"}});
  std::string e = error_of([&] { parse_iperf3_client(w, data("iperf3_refused_client.json")); });
  EXPECT_EQ(e, "iperf3: unable to connect to server: Connection refused");
  e = error_of([&] { parse_iperf3_client(w, "iperf3: error - some text\n"); });
  EXPECT_NE(e.find("iperf3 printed no JSON: iperf3: error - some text"), std::string::npos) << e;
  e = error_of([&] { parse_iperf3_client(w, ""); });
  EXPECT_NE(e.find("no output"), std::string::npos) << e;
}

TEST(Iperf3Adapter, ArgumentsFollowTheWorkload) {
  Workload w = workload({{"type", "udp_stream"},
                         {"tool", "iperf3"},
                         {"payload", 100},
                         {"flows", 4},
                         {"rate_pps", 1000},
                         {"duration_s", 5},
                         {"warmup_s", 2},
                         {"interval_ms", 500}});
  RunOptions o;
  o.target = "198.18.0.2";
  o.port = 5201;
  o.bind = "198.18.0.1";
  auto args = iperf3_client_args(w, o, "/usr/bin/iperf3");
  std::string line;
  for (const auto& a : args) line += a + " ";
  EXPECT_EQ(line,
            "/usr/bin/iperf3 -c 198.18.0.2 -p 5201 -J -t 5 -O 2 -P 4 -l 100 -i 0.5 "
            "--connect-timeout 3000 "
            "-u -b 200000 -B 198.18.0.1 ");  // 1000 pps * 100 B * 8 / 4 streams
}

// Exact RTTs from the recorded full log, in the window the adapter must keep.
std::vector<std::uint64_t> log_rtts(const std::string& csv, double warmup_s, double duration_s) {
  std::vector<std::pair<double, double>> rows;
  std::istringstream in(csv);
  std::string line;
  bool table = false;
  while (std::getline(in, line)) {
    if (!table) {
      table = line.rfind("packet, txTime", 0) == 0;
      continue;
    }
    double index, tx, rx;
    char comma;
    std::istringstream row(line);
    if (row >> index >> comma >> tx >> comma >> rx) rows.emplace_back(tx, rx);
  }
  std::vector<std::uint64_t> out;
  double start = rows.front().first + warmup_s;
  for (const auto& [tx, rx] : rows) {
    if (tx >= start && tx < start + duration_s)
      out.push_back(static_cast<std::uint64_t>(std::llround((rx - tx) * 1e9)));
  }
  return out;
}

TEST(SockperfAdapter, PingPongHistogramFromEverySampleInTheWindow) {
  Workload w = workload({{"type", "udp_rr"},
                         {"tool", "sockperf"},
                         {"duration_s", 2},
                         {"warmup_s", 0.3},
                         {"interval_ms", 500}});
  std::string csv = data("sockperf_pp_full_log.csv");
  Json r = parse_sockperf_pingpong(w, csv, data("sockperf_pp_output.txt"));
  std::vector<std::uint64_t> rtts = log_rtts(csv, 0.3, 2);
  ASSERT_GT(rtts.size(), 1000u);
  std::sort(rtts.begin(), rtts.end());
  const Json& h = r["histogram"];
  EXPECT_EQ(h["count"].get<std::size_t>(), rtts.size());
  // Sub-microsecond rounding of the CSV text aside, min and max are the samples'.
  EXPECT_NEAR(h["min"].get<double>(), static_cast<double>(rtts.front()), 2);
  EXPECT_NEAR(h["max"].get<double>(), static_cast<double>(rtts.back()), 2);
  for (auto [key, q] :
       std::vector<std::pair<const char*, double>>{{"p50", 50}, {"p90", 90}, {"p99", 99}}) {
    auto rank = static_cast<std::size_t>(std::ceil(q / 100 * rtts.size()));
    double exact = static_cast<double>(rtts[rank - 1]);
    EXPECT_NEAR(h[key].get<double>(), exact, exact * 0.01 + 2) << key;
  }
  const Json& m = r["metrics"];
  expect_catalog_names(m);
  EXPECT_NEAR(m["rtt_p50_us"].get<double>(), h["p50"].get<double>() / 1000, 1e-9);
  EXPECT_NEAR(m["transactions_per_s"].get<double>(), rtts.size() / 2.0, 1);
  EXPECT_EQ(m["tx_packets"].get<std::uint64_t>(),
            m["rx_packets"].get<std::uint64_t>() + m["lost_packets"].get<std::uint64_t>());
  EXPECT_EQ(r["intervals"].size(), 4u);
}

TEST(SockperfAdapter, PingPongErrors) {
  Workload w = workload({{"type", "tcp_rr"}, {"tool", "sockperf"}, {"duration_s", 1}});
  std::string e = error_of([&] {
    parse_sockperf_pingpong(w, data("sockperf_refused_full_log.csv"),
                            data("sockperf_refused_output.txt"));
  });
  EXPECT_EQ(e, "sockperf ping-pong: ERROR: Can`t connect socket (errno=111 Connection refused)");
  Workload u = workload({{"type", "udp_rr"}, {"tool", "sockperf"}, {"duration_s", 1}});
  e = error_of([&] {
    parse_sockperf_pingpong(u, data("sockperf_no_server_full_log.csv"),
                            data("sockperf_no_server_output.txt"));
  });
  EXPECT_EQ(e,
            "sockperf ping-pong: No messages were received from the server. Is the server down?");
  // A log too short for the warm-up asked for.
  Workload long_warmup =
      workload({{"type", "udp_rr"}, {"tool", "sockperf"}, {"duration_s", 1}, {"warmup_s", 60}});
  e = error_of([&] { parse_sockperf_pingpong(long_warmup, data("sockperf_pp_full_log.csv"), ""); });
  EXPECT_NE(e.find("do not reach past the warm-up"), std::string::npos) << e;
}

TEST(SockperfAdapter, ThroughputAndServerTotals) {
  Workload w = workload({{"type", "udp_stream"}, {"tool", "sockperf"}, {"duration_s", 1}});
  Json r = parse_sockperf_throughput(w, data("sockperf_tp_output.txt"));
  EXPECT_EQ(r["metrics"]["tx_packets"], 41178);
  EXPECT_NEAR(r["metrics"]["tx_pps"].get<double>(), 41178 / 1.004, 1e-6);
  EXPECT_NEAR(r["metrics"]["tx_bps"].get<double>(), 41178 * 64 * 8 / 1.004, 1e-3);
  expect_catalog_names(r["metrics"]);
  Json s = parse_sockperf_server(w, data("sockperf_server_output.txt"));
  EXPECT_EQ(s["counts"]["rx_packets"], 36637);
  std::string e =
      error_of([&] { parse_sockperf_throughput(w, data("sockperf_refused_output.txt")); });
  EXPECT_EQ(e, "sockperf throughput: ERROR: Can`t connect socket (errno=111 Connection refused)");
  EXPECT_TRUE(parse_sockperf_server(w, "")["counts"].empty());
}

TEST(SockperfAdapter, ArgumentsFollowTheWorkload) {
  Workload w = workload({{"type", "udp_rr"},
                         {"tool", "sockperf"},
                         {"payload", 32},
                         {"duration_s", 2},
                         {"warmup_s", 0.5},
                         {"poll_mode", "busy_poll"},
                         {"busy_poll_us", 40}});
  RunOptions o;
  o.target = "127.0.0.1";
  o.port = 11111;
  std::string line;
  for (const auto& a : sockperf_client_args(w, o, "sockperf", "/tmp/x.csv")) line += a + " ";
  EXPECT_EQ(line,
            "sockperf ping-pong -i 127.0.0.1 -p 11111 -m 32 -t 4 --full-rtt --full-log /tmp/x.csv "
            "--mps=max --lls 40 ");
}

TEST(ExternalTools, MissingToolNamesTheDebianPackage) {
  std::string e = error_of([] { find_tool("iperf3", "iperf3", "/nonexistent-dir"); });
  EXPECT_EQ(
      e,
      "iperf3 is not installed (not found in /nonexistent-dir); install the Debian package iperf3");
  try {
    find_tool("sockperf", "sockperf", "/nonexistent-dir:/also-not-here");
    FAIL();
  } catch (const Error& err) {
    EXPECT_EQ(err.code(), ErrorCode::kUnsupported);
  }
  // Through the public entry points too.
  Workload w = workload({{"type", "udp_stream"}, {"tool", "sockperf"}, {"duration_s", 1}});
  ServeOptions so;
  so.bind = "127.0.0.1";
  so.search_path = "/nonexistent-dir";
  e = error_of([&] { start_server(w, so); });
  EXPECT_NE(e.find("install the Debian package sockperf"), std::string::npos) << e;
  RunOptions ro;
  ro.port = 9;
  ro.search_path = "/nonexistent-dir";
  e = error_of([&] {
    run_load(workload({{"type", "udp_stream"}, {"tool", "iperf3"}, {"duration_s", 1}}), ro);
  });
  EXPECT_NE(e.find("install the Debian package iperf3"), std::string::npos) << e;
}

TEST(ExternalTools, StripAnsi) {
  EXPECT_EQ(strip_ansi("a\x1b[2;35mb\x1b[0mc"), "abc");
  EXPECT_EQ(strip_ansi("plain"), "plain");
}

}  // namespace
}  // namespace nictune::load

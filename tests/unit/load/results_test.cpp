#include "core/load_results.hpp"

#include <gtest/gtest.h>

#include "core/metrics.hpp"

namespace nictune {
namespace {

void expect_catalog_names(const Json& metrics) {
  for (const auto& [name, value] : metrics.items()) {
    EXPECT_NE(find_metric(name), nullptr) << "metric " << name << " is not in core/metrics.cpp";
  }
}

Json udp_client() {
  return Json{
      {"tool", "builtin"},
      {"duration_s", 2.0},
      {"counts", {{"tx_packets", 1000}, {"tx_bytes", 64000}}},
      {"metrics",
       {{"tx_pps", 500.0}, {"tx_bps", 256000.0}, {"tx_packets", 1000}, {"load_cpu_util", 30.0}}},
      {"intervals",
       Json::array({{{"t", 1.0}, {"tx_pps", 510.0}}, {{"t", 2.0}, {"tx_pps", 490.0}}})}};
}

Json udp_server() {
  return Json{{"counts", {{"rx_packets", 900}, {"rx_bytes", 57600}}},
              {"metrics", {{"rx_pps", 450.0}, {"flow_spread", 0.9}, {"serve_cpu_util", 12.0}}},
              {"intervals", Json::array({{{"t", 1.0}, {"rx_pps", 460.0}, {"rx_bps", 1.0}},
                                         {{"t", 2.0}, {"rx_pps", 440.0}, {"rx_bps", 2.0}}})}};
}

TEST(CombineLoadResults, UdpStreamAccountsEveryPacket) {
  Workload w = parse_workload(Json{{"type", "udp_stream"}, {"duration_s", 2}});
  Json r = combine_load_results(w, udp_client(), udp_server());
  const Json& m = r["metrics"];
  expect_catalog_names(m);
  EXPECT_EQ(m["tx_packets"], 1000);
  EXPECT_EQ(m["rx_packets"], 900);
  EXPECT_EQ(m["lost_packets"], 100);
  EXPECT_EQ(m["tx_packets"].get<int>(), m["rx_packets"].get<int>() + m["lost_packets"].get<int>());
  EXPECT_DOUBLE_EQ(m["loss_ratio"].get<double>(), 0.1);
  EXPECT_DOUBLE_EQ(m["rx_pps"].get<double>(), 450.0);
  EXPECT_DOUBLE_EQ(m["rx_bps"].get<double>(), 57600.0 * 8 / 2);
  EXPECT_DOUBLE_EQ(m["flow_spread"].get<double>(), 0.9);
  EXPECT_DOUBLE_EQ(m["serve_cpu_util"].get<double>(), 12.0);
  EXPECT_DOUBLE_EQ(m["load_cpu_util"].get<double>(), 30.0);
  ASSERT_EQ(r["intervals"].size(), 2u);
  EXPECT_DOUBLE_EQ(r["intervals"][1]["tx_pps"].get<double>(), 490.0);
  EXPECT_DOUBLE_EQ(r["intervals"][1]["rx_pps"].get<double>(), 440.0);
}

TEST(CombineLoadResults, UdpStreamWithoutServerKeepsTheToolsOwnReceiveCount) {
  Workload w = parse_workload(Json{{"type", "udp_stream"}, {"tool", "iperf3"}, {"duration_s", 2}});
  Json client = udp_client();
  client["counts"]["rx_packets"] = 700;
  client["counts"]["rx_bytes"] = 44800;
  Json r = combine_load_results(w, client, Json());
  EXPECT_EQ(r["metrics"]["rx_packets"], 700);
  EXPECT_EQ(r["metrics"]["lost_packets"], 300);
  // ... and the server's count wins when it has one.
  r = combine_load_results(w, client, udp_server());
  EXPECT_EQ(r["metrics"]["rx_packets"], 900);
}

TEST(CombineLoadResults, MoreReceivedThanSentIsNotNegativeLoss) {
  Workload w = parse_workload(Json{{"type", "udp_stream"}, {"duration_s", 2}});
  Json server = udp_server();
  server["counts"]["rx_packets"] = 1005;
  Json r = combine_load_results(w, udp_client(), server);
  EXPECT_EQ(r["metrics"]["lost_packets"], 0);
  EXPECT_EQ(r["metrics"]["loss_ratio"], 0.0);
  EXPECT_EQ(r["counts"]["excess_packets"], 5);
}

TEST(CombineLoadResults, RequestResponseKeepsTheClientsRttAndHistogram) {
  Workload w = parse_workload(Json{{"type", "udp_rr"}, {"duration_s", 1}});
  Json client{
      {"duration_s", 1.0},
      {"counts", {{"tx_packets", 100}, {"rx_packets", 99}, {"lost_packets", 1}}},
      {"metrics", {{"transactions_per_s", 99.0}, {"rtt_p50_us", 12.5}, {"loss_ratio", 0.01}}},
      {"histogram", {{"unit", "ns"}, {"count", 99}}},
      {"intervals", Json::array()}};
  Json server{{"metrics", {{"rx_pps", 100.0}, {"serve_cpu_util", 5.0}}},
              {"counts", {{"rx_packets", 100}}}};
  Json r = combine_load_results(w, client, server);
  EXPECT_DOUBLE_EQ(r["metrics"]["rtt_p50_us"].get<double>(), 12.5);
  EXPECT_DOUBLE_EQ(r["metrics"]["transactions_per_s"].get<double>(), 99.0);
  EXPECT_DOUBLE_EQ(r["metrics"]["loss_ratio"].get<double>(), 0.01);
  EXPECT_DOUBLE_EQ(r["metrics"]["serve_cpu_util"].get<double>(), 5.0);
  EXPECT_EQ(r["histogram"]["count"], 99);
  expect_catalog_names(r["metrics"]);
}

TEST(CombineLoadResults, TcpStreamFallsBackToTheServersRate) {
  Workload w = parse_workload(Json{{"type", "tcp_stream"}, {"duration_s", 1}});
  Json client{{"duration_s", 1.0}, {"metrics", {{"tx_bps", 1e9}}}};
  Json server{{"metrics", {{"rx_bps", 9e8}}}};
  EXPECT_DOUBLE_EQ(combine_load_results(w, client, server)["metrics"]["rx_bps"].get<double>(), 9e8);
  client["metrics"]["rx_bps"] = 9.5e8;  // the client's acknowledged bytes, over the exact window
  EXPECT_DOUBLE_EQ(combine_load_results(w, client, server)["metrics"]["rx_bps"].get<double>(),
                   9.5e8);
  // A server with a byte count but no rate (sockperf): over the client's window.
  Json counted{{"duration_s", 2.0}, {"metrics", {{"tx_bps", 1e9}}}};
  Json bytes_only{{"metrics", Json::object()}, {"counts", {{"rx_bytes", 2.5e8}}}};
  EXPECT_DOUBLE_EQ(combine_load_results(w, counted, bytes_only)["metrics"]["rx_bps"].get<double>(),
                   1e9);
}

TEST(CombineLoadResults, ToleratesMissingPieces) {
  Workload w = parse_workload(Json{{"type", "udp_stream"}});
  Json r = combine_load_results(w, Json::object(), nullptr);
  EXPECT_TRUE(r["metrics"].is_object());
  EXPECT_TRUE(r["intervals"].is_array());
  r = combine_load_results(w, Json::array(), Json("x"));
  EXPECT_TRUE(r["metrics"].empty());
}

}  // namespace
}  // namespace nictune

// Every built-in workload across a veth pair between two namespaces the test creates
// (198.18.0.0/15), with the server's and the client's sockets in different network stacks.
#include <gtest/gtest.h>

#include "agents/load/load_runner.hpp"
#include "core/errors.hpp"
#include "test_env.hpp"

namespace nictune::load::testing {
namespace {

struct Case {
  const char* name;
  Json workload;
};
void PrintTo(const Case& c, std::ostream* os) {
  *os << c.name;
}

class VethWorkload : public ::testing::TestWithParam<Case> {};

TEST_P(VethWorkload, RunsAcrossNamespaces) {
  NetnsPair net("v");
  if (!net.unavailable().empty()) GTEST_SKIP() << net.unavailable();
  Json doc = {{"duration_s", 1}, {"warmup_s", 0.2}, {"interval_ms", 500}, {"peer_timeout_s", 1}};
  doc.update(GetParam().workload);
  Workload w = parse_workload(doc);
  PairRun r = run_pair(w, net.server_ns, net.server_ip, net.client_ns);
  expect_sane(w, r);
}

const Case kCases[] = {
    {"udp_stream", {{"type", "udp_stream"}, {"flows", 4}, {"threads", 2}}},
    {"udp_stream_gso", {{"type", "udp_stream"}, {"gso", true}, {"flows", 2}}},
    {"udp_rr", {{"type", "udp_rr"}, {"flows", 2}}},
    {"tcp_stream", {{"type", "tcp_stream"}, {"flows", 2}}},
    {"tcp_rr", {{"type", "tcp_rr"}}},
    {"tcp_crr", {{"type", "tcp_crr"}}},
};

INSTANTIATE_TEST_SUITE_P(Builtin, VethWorkload, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(Veth, GsoDatagramsLargerThanTheMtuAreRefusedWithTheReason) {
  NetnsPair net("g");
  if (!net.unavailable().empty()) GTEST_SKIP() << net.unavailable();
  // veth MTU 1500: a 2000-byte segment cannot be sent unfragmented, and GSO never fragments.
  Workload w = parse_workload(Json{{"type", "udp_stream"},
                                   {"gso", true},
                                   {"payload", 2000},
                                   {"duration_s", 1},
                                   {"warmup_s", 0.2},
                                   {"peer_timeout_s", 1}});
  try {
    run_pair(w, net.server_ns, net.server_ip, net.client_ns);
    FAIL() << "a GSO send above the MTU must fail";
  } catch (const Error& e) {
    std::string text = e.what();
    EXPECT_NE(text.find("gso: the kernel refused a UDP_SEGMENT send"), std::string::npos) << text;
    EXPECT_NE(text.find("set \"gso\": false"), std::string::npos) << text;
  }
}

TEST(Veth, ServerIsNotReachableFromTheHostNamespace) {
  // Guards the premise of the tests above: the two stacks are really separate.
  NetnsPair net("i");
  if (!net.unavailable().empty()) GTEST_SKIP() << net.unavailable();
  Workload w =
      parse_workload(Json{{"type", "tcp_rr"}, {"duration_s", 0.5}, {"peer_timeout_s", 0.5}});
  ServeOptions so;
  so.bind = net.server_ip;
  auto server =
      in_netns(net.server_ns, [&] { return std::shared_ptr<LoadServer>(start_server(w, so)); });
  RunOptions ro;
  ro.target = net.server_ip;
  ro.port = server->port();
  EXPECT_THROW(run_load(w, ro), Error);  // from the host namespace: no route or no listener
  server->stop();
}

}  // namespace
}  // namespace nictune::load::testing

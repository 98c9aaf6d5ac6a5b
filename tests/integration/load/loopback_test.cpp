// Every built-in workload end to end on loopback, in this process: traffic flows, every packet
// is accounted for, runs are bounded, servers stop cleanly, a dying peer is reported.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>

#include "agents/load/load_runner.hpp"
#include "core/errors.hpp"
#include "core/load_results.hpp"
#include "test_env.hpp"

namespace nictune::load::testing {
namespace {

Workload short_run(Json doc) {
  Json base = {{"duration_s", 1}, {"warmup_s", 0.2}, {"interval_ms", 250}, {"peer_timeout_s", 1}};
  base.update(doc);
  return parse_workload(base);
}

struct Case {
  const char* name;
  Json workload;
};
void PrintTo(const Case& c, std::ostream* os) {
  *os << c.name;
}

class LoopbackWorkload : public ::testing::TestWithParam<Case> {};

TEST_P(LoopbackWorkload, RunsAndAccountsForEveryPacket) {
  Workload w = short_run(GetParam().workload);
  PairRun r = run_pair(w, "", "127.0.0.1", "");
  expect_sane(w, r);
}

const Case kCases[] = {
    {"udp_stream", {{"type", "udp_stream"}, {"flows", 4}, {"threads", 2}}},
    {"udp_stream_paced", {{"type", "udp_stream"}, {"rate_pps", 20000}, {"batch", 16}}},
    {"udp_stream_large", {{"type", "udp_stream"}, {"payload", 1400}, {"batch", 8}}},
    {"udp_stream_gso", {{"type", "udp_stream"}, {"gso", true}, {"flows", 2}}},
    {"udp_stream_gso_paced",
     {{"type", "udp_stream"}, {"gso", true}, {"rate_pps", 20000}, {"payload", 1400}}},
    {"udp_rr", {{"type", "udp_rr"}}},
    {"udp_rr_flows", {{"type", "udp_rr"}, {"flows", 3}, {"threads", 2}}},
    {"udp_rr_spin", {{"type", "udp_rr"}, {"poll_mode", "spin"}, {"flows", 2}}},
    {"udp_rr_busy_poll", {{"type", "udp_rr"}, {"poll_mode", "busy_poll"}, {"busy_poll_us", 20}}},
    {"tcp_stream", {{"type", "tcp_stream"}, {"flows", 2}}},
    {"tcp_rr", {{"type", "tcp_rr"}, {"payload", 1}}},
    {"tcp_rr_spin", {{"type", "tcp_rr"}, {"poll_mode", "spin"}, {"flows", 2}}},
    {"tcp_crr", {{"type", "tcp_crr"}, {"flows", 2}, {"threads", 2}}},
};

INSTANTIATE_TEST_SUITE_P(Builtin, LoopbackWorkload, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(Loopback, PacedUdpStreamHoldsTheRateWithoutBurningTheCpu) {
  Workload w = short_run({{"type", "udp_stream"}, {"rate_pps", 2000}, {"duration_s", 1}});
  PairRun r = run_pair(w, "", "127.0.0.1", "");
  expect_sane(w, r);
  EXPECT_NEAR(r.combined["metrics"]["tx_pps"].get<double>(), 2000, 100);
  EXPECT_LT(r.combined["metrics"]["load_cpu_util"].get<double>(), 30) << "the pacer should sleep";
  for (const auto& interval : r.client["intervals"])
    EXPECT_NEAR(interval["tx_pps"].get<double>(), 2000, 200);
}

TEST(Loopback, GsoSendsDatagramsTheSinkCountsOneByOne) {
  Workload w = short_run({{"type", "udp_stream"}, {"gso", true}, {"payload", 100}});
  PairRun r = run_pair(w, "", "127.0.0.1", "");
  expect_sane(w, r);
  EXPECT_EQ(r.client["details"]["threads"][0]["send_path"], "udp_gso") << r.client.dump();
  // The kernel cut every send into payload-sized datagrams, each with its own header.
  const Json& m = r.combined["metrics"];
  EXPECT_NEAR(m["rx_bps"].get<double>() / 8 / m["rx_pps"].get<double>(), 100, 0.01) << m.dump();
  EXPECT_EQ(r.server["details"]["foreign_packets"], 0) << r.server.dump();
  Workload plain = short_run({{"type", "udp_stream"}, {"duration_s", 0.3}, {"interval_ms", 300}});
  PairRun p = run_pair(plain, "", "127.0.0.1", "");
  EXPECT_EQ(p.client["details"]["threads"][0]["send_path"], "sendmmsg") << p.client.dump();
}

TEST(Loopback, TimestampsAndIncomingCpuAreReported) {
  Workload w = short_run({{"type", "udp_rr"}, {"timestamps", true}, {"incoming_cpu", true}});
  PairRun r = run_pair(w, "", "127.0.0.1", "");
  expect_sane(w, r);
  const Json& thread = r.client["details"]["threads"][0];
  EXPECT_GT(thread["kernel_rtt"]["count"].get<std::uint64_t>(), 0u) << thread.dump();
  // The kernel saw the reply before the user thread did.
  EXPECT_LE(thread["kernel_rtt"]["p50"].get<double>(), r.client["histogram"]["p50"].get<double>());
  EXPECT_FALSE(thread["incoming_cpus"].empty());
  EXPECT_FALSE(r.server["details"]["incoming_cpus"].empty());
  EXPECT_GT(r.server["details"]["rx_to_user"]["count"].get<std::uint64_t>(), 0u);
}

TEST(Loopback, ThreadsRunOnTheCpusAsked) {
  if (std::thread::hardware_concurrency() < 2) GTEST_SKIP() << "needs 2 CPUs";
  Workload w = short_run({{"type", "udp_stream"}, {"duration_s", 0.5}, {"interval_ms", 500}});
  PairRun r = run_pair(w, "", "127.0.0.1", "", "1", "0");
  expect_sane(w, r);
  EXPECT_EQ(r.client["details"]["threads"][0]["cpu"], 0);
  EXPECT_EQ(r.server["details"]["threads"][0]["cpu"], 1);
}

// The server stops half-way through a run: the client must fail with a clear message, long
// before the run would have ended.
class PeerDeath : public ::testing::TestWithParam<Case> {};

TEST_P(PeerDeath, IsDetectedAndReported) {
  Workload w = short_run(GetParam().workload);
  w.duration_s = 8;
  w.interval_ms = 1000;
  ServeOptions so;
  so.bind = "127.0.0.1";
  auto server = start_server(w, so);
  RunOptions ro;
  ro.target = "127.0.0.1";
  ro.port = server->port();
  auto t0 = std::chrono::steady_clock::now();
  auto run = std::async(std::launch::async, [&] { return run_load(w, ro); });
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  server->stop();
  server.reset();
  ASSERT_EQ(run.wait_for(std::chrono::seconds(6)), std::future_status::ready) << "load.run hangs";
  try {
    run.get();
    FAIL() << "a run whose server died must fail";
  } catch (const Error& e) {
    std::string text = e.what();
    EXPECT_EQ(e.code(), ErrorCode::kIo) << text;
    EXPECT_TRUE(text.find("server") != std::string::npos)
        << text;  // "is the server still running?"
    EXPECT_NE(text.find("127.0.0.1:" + std::to_string(ro.port)), std::string::npos) << text;
  }
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_LT(took, 4.0);
}

const Case kDeathCases[] = {
    {"udp_stream", {{"type", "udp_stream"}}},
    {"udp_rr", {{"type", "udp_rr"}}},
    {"udp_rr_spin", {{"type", "udp_rr"}, {"poll_mode", "spin"}}},
    {"tcp_stream", {{"type", "tcp_stream"}}},
    {"tcp_rr", {{"type", "tcp_rr"}}},
    {"tcp_crr", {{"type", "tcp_crr"}}},
};

INSTANTIATE_TEST_SUITE_P(Builtin, PeerDeath, ::testing::ValuesIn(kDeathCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(Loopback, NobodyListeningFailsAtOnce) {
  for (const char* type : {"udp_rr", "tcp_stream", "tcp_rr", "tcp_crr"}) {
    Workload w = short_run({{"type", type}});
    RunOptions ro;
    ro.target = "127.0.0.1";
    ro.port = 9;  // discard: nothing listens here in a test box
    auto t0 = std::chrono::steady_clock::now();
    EXPECT_THROW(run_load(w, ro), Error) << type;
    EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 2.5)
        << type;
  }
}

TEST(Loopback, BadOptionsAreInvalid) {
  Workload w = short_run({{"type", "udp_stream"}});
  RunOptions ro;
  ro.port = 0;
  try {
    run_load(w, ro);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalid);
    EXPECT_NE(std::string(e.what()).find("port: expected the server's port"), std::string::npos)
        << e.what();
  }
  ro.port = 5000;
  ro.target = "localhost";
  try {
    run_load(w, ro);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "target: expected a numeric IPv4 or IPv6 address, found \"localhost\"");
  }
  ro.target = "127.0.0.1";
  ro.cpus = {4095};
  try {
    run_load(w, ro);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("cpus: CPU 4095 is not available here"), std::string::npos)
        << e.what();
  }
  ServeOptions so;
  so.bind = "not-an-address";
  EXPECT_THROW(start_server(w, so), Error);
}

TEST(Loopback, Ipv6Works) {
  Workload w = short_run({{"type", "udp_rr"}, {"duration_s", 0.5}, {"interval_ms", 500}});
  PairRun r;
  try {
    r = run_pair(w, "", "::1", "");
  } catch (const Error& e) {
    GTEST_SKIP() << "no IPv6 loopback here: " << e.what();
  }
  expect_sane(w, r);
}

}  // namespace
}  // namespace nictune::load::testing

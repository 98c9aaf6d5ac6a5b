// serve.start / serve.stop / load.run through nictune-agent's JSON-RPC, as the orchestrator
// drives them: on loopback, across a veth between namespaces, with the DUT agent killed
// mid-run, and with bad requests.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>

#include "agents/load/sys_util.hpp"
#include "core/load_results.hpp"
#include "core/metrics.hpp"
#include "test_env.hpp"

namespace nictune::load::testing {
namespace {

const Json kUdpStream = {
    {"type", "udp_stream"}, {"duration_s", 1}, {"warmup_s", 0.2}, {"flows", 2}};
const Json kTcpRr = {{"type", "tcp_rr"}, {"duration_s", 1}, {"warmup_s", 0.2}};

Json result_of(const Json& response) {
  EXPECT_TRUE(response.is_object() && response.contains("result")) << response.dump();
  return response.is_object() && response.contains("result") ? response["result"] : Json();
}

// One measurement through two agents, combined like the orchestrator does.
Json measure(AgentProcess& dut, AgentProcess& lg, const Json& workload,
             const std::string& server_ip) {
  Json started = result_of(
      dut.call("serve.start", {{"workload", workload}, {"bind", server_ip}, {"port", 0}}));
  EXPECT_EQ(started["id"].get<std::string>().rfind("s", 0), 0u) << started;
  EXPECT_GT(started["port"].get<int>(), 0);
  Json client = result_of(lg.call(
      "load.run", {{"workload", workload}, {"target", server_ip}, {"port", started["port"]}}));
  Json server = result_of(dut.call("serve.stop", {{"id", started["id"]}}));
  for (const char* key : {"metrics", "intervals", "details"})
    EXPECT_TRUE(client.contains(key)) << key;
  for (const char* key : {"metrics", "details"}) EXPECT_TRUE(server.contains(key)) << key;
  return combine_load_results(parse_workload(workload), client, server);
}

TEST(AgentLoad, MethodsAreListed) {
  AgentProcess agent;
  Json hello = result_of(agent.call("hello", Json::object()));
  std::vector<std::string> methods = hello["methods"];
  for (const char* m : {"serve.start", "serve.stop", "load.run"}) {
    EXPECT_NE(std::find(methods.begin(), methods.end(), m), methods.end()) << m;
  }
}

TEST(AgentLoad, UdpStreamOnLoopback) {
  AgentProcess dut, lg;
  Json r = measure(dut, lg, kUdpStream, "127.0.0.1");
  const Json& m = r["metrics"];
  EXPECT_GT(m["rx_packets"].get<std::uint64_t>(), 0u);
  EXPECT_EQ(m["tx_packets"].get<std::uint64_t>(),
            m["rx_packets"].get<std::uint64_t>() + m["lost_packets"].get<std::uint64_t>());
  for (const auto& [name, value] : m.items()) EXPECT_NE(find_metric(name), nullptr) << name;
  ASSERT_EQ(r["intervals"].size(), 1u);
  EXPECT_TRUE(r["intervals"][0].contains("rx_pps"));
  EXPECT_TRUE(r["intervals"][0].contains("tx_pps"));
}

TEST(AgentLoad, AcrossVethBetweenNamespaces) {
  NetnsPair net("a");
  if (!net.unavailable().empty()) GTEST_SKIP() << net.unavailable();
  AgentProcess dut(net.server_ns), lg(net.client_ns);
  Json r = measure(dut, lg, kUdpStream, net.server_ip);
  EXPECT_GT(r["metrics"]["rx_packets"].get<std::uint64_t>(), 0u);
  r = measure(dut, lg, kTcpRr, net.server_ip);
  EXPECT_GT(r["metrics"]["transactions_per_s"].get<double>(), 0);
  EXPECT_GT(r["histogram"]["count"].get<std::uint64_t>(), 0u);
}

// The DUT agent is killed during load.run (the host crashed, the SSH session died): load.run
// must come back with an error, well before the run's end.
void expect_peer_death_reported(const std::string& server_ns, const std::string& server_ip,
                                const std::string& client_ns, const Json& workload) {
  AgentProcess dut(server_ns), lg(client_ns);
  Json started = result_of(dut.call("serve.start", {{"workload", workload}, {"bind", server_ip}}));
  auto t0 = std::chrono::steady_clock::now();
  lg.send_request("load.run",
                  {{"workload", workload}, {"target", server_ip}, {"port", started["port"]}});
  usleep(800000);
  dut.kill(SIGKILL);
  Json response = lg.read_response(8000);
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_TRUE(response.is_object()) << "no answer: load.run hangs after the peer died";
  ASSERT_TRUE(response.contains("error")) << response.dump().substr(0, 300);
  EXPECT_EQ(response["error"]["data"]["code"], "io");
  EXPECT_NE(response["error"]["message"].get<std::string>().find("server"), std::string::npos)
      << response["error"]["message"];
  EXPECT_LT(took, 5.0);
}

TEST(AgentLoad, DutAgentKilledMidRunOnLoopback) {
  Json w = {{"type", "udp_rr"}, {"duration_s", 10}, {"warmup_s", 0.2}, {"peer_timeout_s", 1}};
  expect_peer_death_reported("", "127.0.0.1", "", w);
  w["type"] = "tcp_stream";
  expect_peer_death_reported("", "127.0.0.1", "", w);
}

TEST(AgentLoad, DutAgentKilledMidRunAcrossVeth) {
  NetnsPair net("k");
  if (!net.unavailable().empty()) GTEST_SKIP() << net.unavailable();
  Json w = {{"type", "udp_stream"}, {"duration_s", 10}, {"warmup_s", 0.2}, {"peer_timeout_s", 1}};
  expect_peer_death_reported(net.server_ns, net.server_ip, net.client_ns, w);
  w["type"] = "tcp_crr";
  expect_peer_death_reported(net.server_ns, net.server_ip, net.client_ns, w);
}

TEST(AgentLoad, EndOfInputStopsRunningServersAndExitsCleanly) {
  AgentProcess dut;
  Json started = result_of(dut.call("serve.start", {{"workload", kTcpRr}, {"bind", "127.0.0.1"}}));
  int port = started["port"];
  dut.close_input();
  int status = dut.wait(3000);
  ASSERT_NE(status, -1) << "the agent did not exit after end of input";
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  // The port is free again: the server's sockets are gone with it.
  Fd fd = make_socket(AF_INET, SOCK_STREAM);
  EXPECT_NO_THROW(bind_to(fd.get(), parse_address("127.0.0.1", port, "test")));
}

TEST(AgentLoad, BadRequestsNameTheProblem) {
  AgentProcess agent;
  Json r = agent.call("serve.start", {{"workload", {{"type", "udp_stream"}, {"payload", "64"}}}});
  ASSERT_TRUE(r.contains("error")) << r.dump();
  EXPECT_EQ(r["error"]["code"], -32602);
  EXPECT_EQ(r["error"]["data"]["code"], "invalid");
  EXPECT_EQ(r["error"]["message"],
            "workload.payload: expected an integer from 18 to 65507, found \"64\"");

  r = agent.call("load.run", {{"workload", kTcpRr}, {"prot", 5}});
  EXPECT_NE(r["error"]["message"].get<std::string>().find(
                "prot: unknown parameter (did you mean \"port\"?)"),
            std::string::npos)
      << r.dump();

  r = agent.call("serve.stop", {{"id", "s7"}});
  EXPECT_EQ(r["error"]["message"], "id: no running server \"s7\"; none is running");

  r = agent.call("serve.start", {{"workload", kTcpRr}, {"cpus", "0-"}});
  EXPECT_EQ(r["error"]["data"]["code"], "invalid") << r.dump();

  r = agent.call(
      "serve.start",
      {{"workload", {{"type", "udp_stream"}, {"tool", "iperf3"}, {"poll_mode", "spin"}}}});
  EXPECT_NE(r["error"]["message"].get<std::string>().find(
                "workload.poll_mode: iperf3 has only the blocking mode"),
            std::string::npos)
      << r.dump();
}

}  // namespace
}  // namespace nictune::load::testing

// Local-only behaviour: network namespaces, start failures, process hygiene.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "core/version.hpp"
#include "orchestrator/lab/netns.hpp"
#include "orchestrator/transport/agent_client.hpp"
#include "orchestrator/transport/local_transport.hpp"
#include "orchestrator/transport/subprocess.hpp"
#include "ssh_test_host.hpp"

namespace nictune {
namespace {

using namespace std::chrono_literals;
using testing::test_agent_binary;

HostSpec local_spec() {
  HostSpec spec;
  spec.role = "lg";
  spec.transport = "local";
  return spec;
}

TransportOptions local_options() {
  TransportOptions options;
  options.agent_binary = test_agent_binary();
  return options;
}

TEST(LocalTransport, DescribesItselfByPid) {
  LocalTransport transport(local_spec(), local_options());
  EXPECT_EQ(transport.describe(), "local pid " + std::to_string(transport.pid()));
}

TEST(LocalTransport, AgentRunsInItsOwnProcessGroup) {
  // A Ctrl-C at the terminal must reach the orchestrator only; it then restores in order.
  auto transport = std::make_unique<LocalTransport>(local_spec(), local_options());
  pid_t pid = transport->pid();
  EXPECT_EQ(getpgid(pid), pid);
  EXPECT_NE(getpgid(pid), getpgid(0));
}

TEST(LocalTransport, AgentsDoNotInheritEachOthersPipes) {
  // Two benches: closing the first must end the first agent even though the second was
  // started after it (and would hold its stdin open had it inherited it).
  AgentClient first(std::make_unique<LocalTransport>(local_spec(), local_options()), "a");
  pid_t first_pid = first.call("pid", Json::object(), 10s)["pid"].get<pid_t>();
  AgentClient second(std::make_unique<LocalTransport>(local_spec(), local_options()), "b");
  second.hello();
  auto start = std::chrono::steady_clock::now();
  first.close();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);  // not the 15 s close grace
  EXPECT_FALSE(subprocess::alive(first_pid));
  EXPECT_EQ(second.call("echo", {{"ok", 1}}, 10s)["ok"], 1);
}

TEST(LocalTransport, MissingAgentBinaryIsAClearError) {
  auto options = local_options();
  options.agent_binary = "/nonexistent/nictune-agent";
  try {
    LocalTransport transport(local_spec(), options);
    FAIL() << "expected an error";
  } catch (const TransportError& e) {
    EXPECT_EQ(e.kind(), TransportErrorKind::kUnreachable);
    std::string what = e.what();
    EXPECT_NE(what.find("/nonexistent/nictune-agent"), std::string::npos) << what;
    EXPECT_EQ(what.rfind("lg (local): cannot start the agent", 0), 0u) << what;
  }
}

TEST(LocalTransport, SpecAgentPathWinsOverTheDefault) {
  auto spec = local_spec();
  spec.agent_path = test_agent_binary();
  auto options = local_options();
  options.agent_binary = "/nonexistent/nictune-agent";
  AgentClient agent(std::make_unique<LocalTransport>(spec, options), "lg");
  EXPECT_EQ(agent.hello()["protocol"], kProtocolVersion);
}

TEST(LocalTransport, MissingNetnsIsAClearError) {
  auto spec = local_spec();
  spec.netns = "nictune-no-such-ns-" + std::to_string(getpid());
  try {
    LocalTransport transport(spec, local_options());
    FAIL() << "expected an error";
  } catch (const TransportError& e) {
    EXPECT_EQ(e.kind(), TransportErrorKind::kUnreachable);
    EXPECT_NE(std::string(e.what()).find("does not exist"), std::string::npos) << e.what();
  }
}

TEST(LocalTransport, RunsInsideANetworkNamespaceAndSeesItsInterfaces) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root (network namespaces)";
  std::string netns = "ntl-" + std::to_string(getpid());
  std::string link = "ntl" + std::to_string(getpid());
  struct Cleanup {
    std::string netns, link;
    ~Cleanup() {
      for (pid_t pid : lab::netns_pids(netns)) subprocess::stop(pid);
      lab::netns_delete(netns);
      lab::link_delete(link);
    }
  } cleanup{netns, link};
  lab::netns_add(netns);
  lab::ip({"link", "add", link, "type", "veth", "peer", "name", "nt-inside0", "netns", netns},
          "test veth");

  auto spec = local_spec();
  spec.netns = netns;
  AgentClient agent(std::make_unique<LocalTransport>(spec, local_options()), "lg");
  EXPECT_NE(agent.label().find("in netns " + netns), std::string::npos) << agent.label();
  pid_t pid = agent.call("pid", Json::object(), 10s)["pid"].get<pid_t>();
  auto pids = lab::netns_pids(netns);
  EXPECT_NE(std::find(pids.begin(), pids.end(), pid), pids.end());
  // `ip netns exec` remounted /sys: the agent sees the namespace's interfaces, not ours.
  auto interfaces =
      agent.call("interfaces", Json::object(), 10s)["interfaces"].get<std::vector<std::string>>();
  std::sort(interfaces.begin(), interfaces.end());
  EXPECT_EQ(interfaces, (std::vector<std::string>{"lo", "nt-inside0"}));
  agent.close();
  EXPECT_TRUE(lab::netns_pids(netns).empty());
}

TEST(LocalTransport, RealAgentHelloAndShutdown) {
  auto options = local_options();
  options.agent_binary = NICTUNE_AGENT_BINARY;
  auto agent = AgentClient::connect(local_spec(), options);
  EXPECT_EQ(agent->facts()["version"], kVersion);
  EXPECT_EQ(agent->call("shutdown", Json::object(), 10s)["ok"], true);
  agent->close();
}

}  // namespace
}  // namespace nictune

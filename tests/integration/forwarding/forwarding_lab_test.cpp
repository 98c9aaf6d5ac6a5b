// `lab up --forwarding`: the LG's built-in UDP generator sends to the sink address through the
// DUT, which forwards between its two links; the LG's sink counts what came through, and the
// DUT's interface counters (rx on the ingress, tx on the egress) agree with both ends within 1 %.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <set>

#include "orchestrator/lab/forwarding.hpp"
#include "orchestrator/lab/lab.hpp"
#include "orchestrator/lab/lab_files.hpp"
#include "tests/integration/agents/agent_process.hpp"
#include "tests/support/lab_slot.hpp"

namespace nictune {
namespace {

namespace fs = std::filesystem;
using testing::Agent;
using testing::netns_agent_args;
using testing::shell;

class ForwardingLab : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (namespaces, sshd)";
    if (::access("/usr/sbin/sshd", X_OK) != 0) GTEST_SKIP() << "openssh-server is not installed";
    config_.name = "fw" + std::to_string(::getpid() % 1000000);
    config_.queues = 2;
    config_.forwarding = true;
    slot_ = testing::lab_index_slot(config_);
    config_.index = slot_.number();
    config_.dir = "/var/lib/nictune/lab/" + config_.name;
    config_.template_path = config_.dir + "/experiment.json";
    state_ = lab::lab_up(config_);
    up_ = true;
    char tmpl[] = "/tmp/nictune-fwd-test-XXXXXX";
    agent_state_ = ::mkdtemp(tmpl);
  }
  void TearDown() override {
    if (up_ && HasFailure()) testing::print_lab_logs(state_);
    if (up_) lab::lab_down(config_);
    std::error_code ec;
    if (!agent_state_.empty()) fs::remove_all(agent_state_, ec);
  }
  const lab::LabHost& host(const std::string& role) const {
    return state_.hosts.at(0).role == role ? state_.hosts.at(0) : state_.hosts.at(1);
  }
  double counter(const std::string& netns, const std::string& dev, const std::string& name) {
    return std::stod(
        shell("ip netns exec " + netns + " cat /sys/class/net/" + dev + "/statistics/" + name));
  }

  testing::HostSlot slot_;  // the lab index, held until the fixture is gone (after lab_down)
  lab::LabConfig config_;
  lab::LabState state_;
  bool up_ = false;
  fs::path agent_state_;
};

TEST_F(ForwardingLab, DutForwardsAndItsCountersAgreeWithTheSink) {
  ASSERT_TRUE(state_.forwarding.is_object());
  const Json& plan = state_.forwarding;
  const std::string sink = plan["sink_address"];
  // The plan's layout: the sink's /26 at .192 of the lab's upper (management) block.
  EXPECT_EQ(sink, lab::block_address(2 * config_.index + 1, 193));
  const std::string dut_ns = host("dut").netns;
  EXPECT_EQ(shell("ip netns exec " + dut_ns + " sysctl -n net.ipv4.ip_forward"), "1");

  Agent lg(netns_agent_args(host("lg").netns, agent_state_.string()));
  const Json workload = {{"type", "udp_stream"}, {"payload", 64},   {"flows", 4},
                         {"rate_pps", 20000},    {"duration_s", 2}, {"warmup_s", 0}};
  Json server = lg.result("serve.start", {{"workload", workload}, {"bind", sink}, {"port", 0}});
  const std::string in = plan["dut_ingress"], out = plan["dut_egress"];
  const double rx0 = counter(dut_ns, in, "rx_packets");
  const double tx0 = counter(dut_ns, out, "tx_packets");
  Json client = lg.result("load.run", {{"workload", workload},
                                       {"target", sink},
                                       {"port", server["port"]},
                                       {"bind", host("lg").data_address}});
  Json served = lg.result("serve.stop", {{"id", server["id"]}});
  const double ingress = counter(dut_ns, in, "rx_packets") - rx0;
  const double egress = counter(dut_ns, out, "tx_packets") - tx0;
  lg.close_input();
  EXPECT_TRUE(lg.wait_exit());

  const double sent = client["counts"].value("tx_packets", 0.0);
  const double received = served["counts"].value("rx_packets", 0.0);
  ASSERT_GT(received, 10000) << served.dump() << "\n" << client.dump();
  // Everything the sink got went through the DUT: the LG's own packets never short-cut.
  EXPECT_NEAR(egress, received, 0.01 * received) << "DUT egress tx vs sink";
  EXPECT_NEAR(ingress, sent, 0.01 * sent) << "DUT ingress rx vs sent";
  EXPECT_LE(received, sent);
}

TEST_F(ForwardingLab, AddressSpreadFlowsEachSendFromTheirOwnSourceThroughTheDut) {
  const Json& plan = state_.forwarding;
  const std::string sink = plan["sink_address"];
  const std::string dut_ns = host("dut").netns;
  Agent lg(netns_agent_args(host("lg").netns, agent_state_.string()));
  const Json workload = {{"type", "udp_stream"},
                         {"payload", 64},
                         {"flows", 8},
                         {"rate_pps", 16000},
                         {"duration_s", 1},
                         {"warmup_s", 0},
                         {"source_prefix", plan["source_prefix"]},
                         {"source_addresses", 8}};
  Json server = lg.result("serve.start", {{"workload", workload}, {"bind", sink}, {"port", 0}});
  const std::string out = plan["dut_egress"];
  const double tx0 = counter(dut_ns, out, "tx_packets");
  Json client =
      lg.result("load.run", {{"workload", workload}, {"target", sink}, {"port", server["port"]}});
  Json served = lg.result("serve.stop", {{"id", server["id"]}});
  const double egress = counter(dut_ns, out, "tx_packets") - tx0;
  lg.close_input();
  EXPECT_TRUE(lg.wait_exit());

  std::set<std::string> sources;
  for (const auto& thread : client["details"].value("threads", Json::array()))
    for (const auto& flow : thread.value("flows", Json::array()))
      sources.insert(flow.value("source", std::string()));
  for (const auto& flow : client["details"].value("flows", Json::array()))
    sources.insert(flow.value("source", std::string()));
  sources.erase("");
  EXPECT_EQ(sources.size(), 8u) << client["details"].dump();
  // The source prefix is the upper half of the data block: its first usable address is .129.
  EXPECT_EQ(sources.count(lab::block_address(2 * config_.index, 129)), 1u);
  const double received = served["counts"].value("rx_packets", 0.0);
  ASSERT_GT(received, 5000) << served.dump();
  EXPECT_NEAR(egress, received, 0.01 * received) << "the DUT forwarded every source";
}

TEST_F(ForwardingLab, LabDownRemovesEverything) {
  const std::string dut_ns = host("dut").netns, lg_ns = host("lg").netns;
  lab::lab_down(config_);
  up_ = false;
  EXPECT_EQ(shell("ip netns list | grep -c -e " + dut_ns + " -e " + lg_ns), "0");
  EXPECT_FALSE(fs::exists(config_.dir));
}

}  // namespace
}  // namespace nictune

// The VethAgent fixture of the agent's real-kernel tests (veth_agent_test.cpp,
// veth_counters_test.cpp): two network namespaces joined by a veth pair with 4 rx/tx queues,
// removed in TearDown, and the values the tests touch read without the agent (ethtool, cat of
// the sysfs files).
#pragma once

#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "agent_process.hpp"
#include "core/cpu_set.hpp"
#include "core/json_util.hpp"

namespace nictune::testing {

class VethAgent : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root for network namespaces";
    if (shell("command -v ethtool").empty()) GTEST_SKIP() << "needs ethtool for independent checks";
    std::string pid = std::to_string(::getpid());
    ns_a_ = "nta" + pid;
    ns_b_ = "ntb" + pid;
    int status = 0;
    shell("ip netns add " + ns_a_, &status);
    if (status != 0) GTEST_SKIP() << "cannot create network namespaces (ip netns add failed)";
    created_.push_back(ns_a_);
    shell("ip netns add " + ns_b_, &status);
    ASSERT_EQ(status, 0);
    created_.push_back(ns_b_);
    std::string out = shell("ip -n " + ns_a_ +
                                " link add va numtxqueues 4 numrxqueues 4 type veth peer name vb " +
                                "numtxqueues 4 numrxqueues 4 netns " + ns_b_,
                            &status);
    ASSERT_EQ(status, 0) << out;
    shell("ip -n " + ns_a_ + " addr add 198.18.0.1/30 dev va && ip -n " + ns_a_ +
          " link set va up && ip -n " + ns_a_ + " link set lo up");
    shell("ip -n " + ns_b_ + " addr add 198.18.0.2/30 dev vb && ip -n " + ns_b_ +
          " link set vb up");
    // The kernel attaches the veth's queueing discipline asynchronously (linkwatch, up to a
    // second after `link set up`) and drops what is sent before: traffic tests wait for it.
    auto up = [&](const std::string& ns, const std::string& dev) {
      return shell("ip netns exec " + ns + " cat /sys/class/net/" + dev + "/operstate") == "up";
    };
    for (int i = 0; i < 250 && !(up(ns_a_, "va") && up(ns_b_, "vb")); ++i) ::usleep(20000);
    ASSERT_TRUE(up(ns_a_, "va") && up(ns_b_, "vb")) << "the veth did not come up within 5 s";
    state_dir_ = std::filesystem::temp_directory_path() /
                 ("nictune-veth-" + pid + "-" +
                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(state_dir_);
    std::filesystem::create_directories(state_dir_);
    original_ = values();
  }
  void TearDown() override {
    for (const auto& ns : created_) shell("ip netns del " + ns);
    if (!state_dir_.empty()) std::filesystem::remove_all(state_dir_);
  }

  std::string in_a(const std::string& command) {
    return shell("ip netns exec " + ns_a_ + " bash -c '" + command + "'");
  }
  std::string cat(const std::string& file) {
    return in_a("cat " + file + " 2>/dev/null || echo absent");
  }
  std::string mask_list(const std::string& file) {
    std::string text = cat(file);
    return text == "absent" ? text : CpuSet::parse_mask(text).to_list();
  }
  // "rx tx" of `ethtool -l`'s current settings.
  std::string channels() {
    std::string text = in_a("ethtool -l va");
    auto current = text.find("Current hardware settings:");
    if (current == std::string::npos) return "?";
    text = text.substr(current);
    auto field = [&](const std::string& name) {
      auto pos = text.find(name + ":");
      if (pos == std::string::npos) return std::string("?");
      auto start = text.find_first_not_of(" \t", pos + name.size() + 1);
      return text.substr(start, text.find('\n', start) - start);
    };
    return field("RX") + " " + field("TX");
  }
  std::string gro() {
    std::string text = in_a("ethtool -k va");
    auto pos = text.find("generic-receive-offload: ");
    return pos == std::string::npos ? "?" : text.substr(pos + 25, text.find('\n', pos) - pos - 25);
  }
  // Every value the tests touch, read without the agent.
  std::string values() {
    std::string out = "channels=" + channels() + " gro=" + gro();
    for (int q = 0; q < 4; ++q) {
      std::string rx = "/sys/class/net/va/queues/rx-" + std::to_string(q);
      std::string tx = "/sys/class/net/va/queues/tx-" + std::to_string(q);
      out += " rps" + std::to_string(q) + "=" + mask_list(rx + "/rps_cpus");
      out += " flow" + std::to_string(q) + "=" + cat(rx + "/rps_flow_cnt");
      out += " xps" + std::to_string(q) + "=" + mask_list(tx + "/xps_cpus");
      out += " xps_rxqs" + std::to_string(q) + "=" + mask_list(tx + "/xps_rxqs");
    }
    return out;
  }
  Json apply_point(Agent& agent) {
    Json result = agent.result("apply", {{"interface", "va"},
                                         {"values",
                                          {{"channels.rx", 2},
                                           {"channels.tx", 2},
                                           {"rps", "all"},
                                           {"xps", "spread"},
                                           {"rfs.flow_cnt", 3000},
                                           {"offload.gro", true}}}});
    EXPECT_EQ(channels(), "2 2");
    EXPECT_EQ(gro(), "on");
    std::string all = CpuSet::parse_list(shell("cat /sys/devices/system/cpu/online")).to_list();
    EXPECT_EQ(mask_list("/sys/class/net/va/queues/rx-0/rps_cpus"), all);
    EXPECT_EQ(mask_list("/sys/class/net/va/queues/rx-1/rps_cpus"), all);
    EXPECT_EQ(cat("/sys/class/net/va/queues/rx-1/rps_flow_cnt"), "4096");
    EXPECT_EQ(mask_list("/sys/class/net/va/queues/tx-0/xps_cpus"), "0");
    EXPECT_NE(values(), original_);
    return result;
  }
  std::string snapshot_file() const { return (state_dir_ / "va.snapshot.json").string(); }

  std::string ns_a_, ns_b_;
  std::vector<std::string> created_;
  std::filesystem::path state_dir_;
  std::string original_;
};

}  // namespace nictune::testing

// A real lab: up, SSH to both agents, status, a damaged lab rebuilt, down leaves nothing behind.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/errors.hpp"
#include "core/version.hpp"
#include "orchestrator/cli/commands.hpp"
#include "orchestrator/lab/lab.hpp"
#include "orchestrator/lab/netns.hpp"
#include "orchestrator/transport/agent_client.hpp"
#include "orchestrator/transport/subprocess.hpp"
#include "ssh_test_host.hpp"
#include "tests/support/lab_slot.hpp"

namespace nictune::lab {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

class LabTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why = nictune::testing::ssh_tests_unavailable();
    if (!why.empty()) GTEST_SKIP() << why;
    dir_ = std::make_unique<nictune::testing::TempDir>("lab");
    config_.name = "t" + std::to_string(getpid() % 10000000);
    config_.dir = dir_->path() + "/state";
    config_.template_path = dir_->path() + "/experiments/lab-" + config_.name + ".json";
    config_.queues = 3;
    slot_ = nictune::testing::lab_index_slot(config_);
    config_.index = slot_.number();
  }

  void TearDown() override {
    if (dir_ && HasFailure()) nictune::testing::print_lab_logs(plan_lab(config_));
    if (dir_) {
      try {
        lab_down(config_);
      } catch (const std::exception& e) {
        ADD_FAILURE() << "lab_down: " << e.what();
      }
    }
  }

  TransportOptions options() const {
    TransportOptions options;
    options.agent_binary = nictune::testing::release_agent_binary();
    options.remote_cache_dir = dir_->path() + "/agent-cache";
    return options;
  }

  // Nothing of the lab is left: namespaces, links, processes, files.
  void expect_gone(const LabState& state, const std::vector<pid_t>& pids) {
    for (const auto& host : state.hosts) {
      EXPECT_FALSE(netns_exists(host.netns)) << host.netns;
      EXPECT_FALSE(link_exists(host.root_interface)) << host.root_interface;
      EXPECT_TRUE(interface_holding(host.root_address).empty()) << host.root_address;
    }
    for (pid_t pid : pids)
      EXPECT_FALSE(subprocess::alive(pid)) << "pid " << pid << ": " << subprocess::cmdline(pid);
    EXPECT_FALSE(fs::exists(state.dir)) << state.dir;
    EXPECT_FALSE(fs::exists(state.template_path)) << state.template_path;
  }

  std::unique_ptr<nictune::testing::TempDir> dir_;
  nictune::testing::HostSlot
      slot_;  // the lab index, held until the fixture is gone (after lab_down)
  LabConfig config_;
};

TEST_F(LabTest, UpSshStatusDown) {
  std::vector<std::string> log;
  config_.log = [&](const std::string& line) { log.push_back(line); };
  LabState state = lab_up(config_);
  ASSERT_EQ(state.hosts.size(), 2u);
  EXPECT_FALSE(log.empty());

  // Namespaces, the data link with its queues, addresses.
  for (const auto& host : state.hosts) {
    ASSERT_TRUE(netns_exists(host.netns)) << host.netns;
    auto info = link_info(host.data_interface, host.netns);
    ASSERT_TRUE(info) << host.data_interface;
    EXPECT_EQ(info->value("num_tx_queues", 0), 3);
    EXPECT_EQ(info->value("num_rx_queues", 0), 3);
    EXPECT_EQ(interface_holding(host.data_address, host.netns), host.data_interface);
    EXPECT_EQ(interface_holding(host.mgmt_address, host.netns), host.mgmt_interface);
    EXPECT_EQ(interface_holding(host.root_address), host.root_interface);
    EXPECT_TRUE(subprocess::alive(host.sshd_pid));
  }
  // The data link carries traffic between the namespaces (not through ours).
  auto reach = subprocess::run({"ip", "netns", "exec", state.hosts[0].netns, "bash", "-c",
                                "exec 3<>/dev/tcp/" + state.hosts[1].data_address + "/22"});
  EXPECT_FALSE(reach.ok()) << "the LG's sshd listens on its management address only";
  EXPECT_EQ(reach.err.find("No route"), std::string::npos) << reach.err;  // refused, not unroutable

  // The template points at the lab and is valid JSON.
  Json spec = load_json_file(state.template_path);
  EXPECT_EQ(spec, experiment_template(state));
  EXPECT_EQ(spec["hosts"]["dut"]["host"], state.hosts[0].mgmt_address);
  EXPECT_EQ(spec["space"]["parameters"]["channels.rx"], (Json{1, 2, 3}));

  // SSH to both agents, which run inside their namespaces.
  for (const auto& host : state.hosts) {
    auto agent = AgentClient::connect(state.host_spec(host.role), options());
    EXPECT_EQ(agent->facts()["protocol"], kProtocolVersion);
    EXPECT_EQ(agent->label(), host.role + " (ssh root@" + host.mgmt_address + ":22)");
    auto pids = netns_pids(host.netns);
    EXPECT_GE(pids.size(), 2u) << "sshd and at least the agent";
    agent->close();
  }

  auto status = lab_status(config_);
  EXPECT_TRUE(status.healthy) << status.render();
  EXPECT_TRUE(status.problems.empty());
  EXPECT_EQ(status.hosts[0].data_queues, 3);
  EXPECT_NE(status.render().find("is up"), std::string::npos) << status.render();
  EXPECT_EQ(status.to_json()["healthy"], true);

  // Up again: kept as it is.
  LabState again = lab_up(config_);
  EXPECT_EQ(again.hosts[0].sshd_pid, state.hosts[0].sshd_pid);

  std::vector<pid_t> pids = {state.hosts[0].sshd_pid, state.hosts[1].sshd_pid};
  auto removed = lab_down(config_);
  EXPECT_FALSE(removed.empty());
  expect_gone(state, pids);
  auto after = lab_status(config_);
  EXPECT_FALSE(after.exists) << after.render();
  EXPECT_TRUE(lab_down(config_).empty()) << "a second down has nothing to do";
}

TEST_F(LabTest, HalfMadeLabIsRebuiltByTheCli) {
  auto command = nictune::cli::lab_command();
  std::vector<std::string> common = {"--name", config_.name, "--dir", config_.dir};
  std::vector<std::string> up = {
      "up",         "--queues",           "3", "--index", std::to_string(config_.index),
      "--template", config_.template_path};
  up.insert(up.end(), common.begin(), common.end());
  // What `nictune` finds next to itself; the test binary has none there.
  const std::string agent = nictune::testing::release_agent_binary();
  setenv("NICTUNE_AGENT", agent.c_str(), 1);
  struct Unset {
    ~Unset() { unsetenv("NICTUNE_AGENT"); }
  } unset;
  ::testing::internal::CaptureStdout();
  ASSERT_EQ(command.run(up), nictune::cli::kExitOk);
  std::string out = ::testing::internal::GetCapturedStdout();
  EXPECT_NE(out.find("is up"), std::string::npos) << out;
  LabState state = LabState::from_json(load_json_file(config_.dir + "/state.json"));
  // The namespaces see our files: the template runs the local agent, nothing is uploaded.
  EXPECT_EQ(load_json_file(config_.template_path)["hosts"]["dut"]["agent_path"], agent);

  // Damage it: the DUT's sshd dies, the LG's namespace disappears.
  subprocess::stop(state.hosts[0].sshd_pid);
  for (pid_t pid : netns_pids(state.hosts[1].netns)) subprocess::stop(pid);
  netns_delete(state.hosts[1].netns);

  std::vector<std::string> status_args = {"status", "--json"};
  status_args.insert(status_args.end(), common.begin(), common.end());
  ::testing::internal::CaptureStdout();
  EXPECT_EQ(command.run(status_args), nictune::cli::kExitFailed);
  Json status = Json::parse(::testing::internal::GetCapturedStdout());
  EXPECT_EQ(status["healthy"], false);
  EXPECT_EQ(status["exists"], true);
  EXPECT_GE(status["problems"].size(), 2u) << status.dump(2);

  ::testing::internal::CaptureStdout();
  ASSERT_EQ(command.run(up), nictune::cli::kExitOk);
  ::testing::internal::GetCapturedStdout();
  LabState rebuilt = LabState::from_json(load_json_file(config_.dir + "/state.json"));
  EXPECT_NE(rebuilt.hosts[0].sshd_pid, state.hosts[0].sshd_pid);

  status_args = {"status", "--ssh"};
  status_args.insert(status_args.end(), common.begin(), common.end());
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  int code = command.run(status_args);
  std::string text = ::testing::internal::GetCapturedStdout();
  std::string notices = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(code, nictune::cli::kExitOk) << text << notices;
  EXPECT_EQ(notices.find("uploading"), std::string::npos) << notices;
  EXPECT_NE(text.find("dut agent: nictune-agent"), std::string::npos) << text;
  EXPECT_NE(text.find("lg agent: nictune-agent"), std::string::npos) << text;

  std::vector<std::string> down = {"down"};
  down.insert(down.end(), common.begin(), common.end());
  ::testing::internal::CaptureStdout();
  EXPECT_EQ(command.run(down), nictune::cli::kExitOk);
  out = ::testing::internal::GetCapturedStdout();
  EXPECT_NE(out.find("removed"), std::string::npos) << out;
  expect_gone(rebuilt, {rebuilt.hosts[0].sshd_pid, rebuilt.hosts[1].sshd_pid});
}

TEST_F(LabTest, FailedUpRemovesWhatItMade) {
  // An "sshd" that passes the config check and then exits: the lab fails after the namespaces
  // and links exist.
  std::string fake = dir_->path() + "/fake-sshd";
  std::ofstream(fake) << "#!/bin/sh\nexit 0\n";
  fs::permissions(fake, fs::perms::owner_all);
  config_.sshd_path = fake;
  try {
    lab_up(config_);
    FAIL() << "expected lab up to fail";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("did not start listening"), std::string::npos) << e.what();
  }
  expect_gone(plan_lab(config_), {});
}

TEST_F(LabTest, RefusesADirectoryOthersCanWrite) {
  config_.dir = "/tmp/nictune-lab-" + std::to_string(getpid());
  try {
    lab_up(config_);
    FAIL() << "expected a refusal";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalid);
    EXPECT_NE(std::string(e.what()).find("/tmp"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(netns_exists(plan_lab(config_).hosts[0].netns));
}

}  // namespace
}  // namespace nictune::lab

// The LabExperiment fixture of the whole-experiment tests (experiment_lab_test.cpp,
// lease_lab_test.cpp): a namespace lab with real OpenSSH brought up for each test on a lab index
// of its own and taken down after it, a spec written for it, and what the DUT holds read
// independently of the agent.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "orchestrator/lab/lab.hpp"
#include "tests/support/command_line.hpp"
#include "tests/support/lab_slot.hpp"

namespace nictune::testing {

namespace fs = std::filesystem;

inline std::string capture(const std::string& command) {
  return testing::run_command(command).output;
}
inline std::string agent_binary() {
  return testing::built_agent_binary();
}
inline std::string nictune_binary() {
  return testing::built_nictune_binary();
}

// What a DUT holds, read independently of the agent.
inline std::map<std::string, std::string> dut_state(const lab::LabHost& dut) {
  std::string prefix = "ip netns exec " + dut.netns + " ";
  std::string sys = "/sys/class/net/" + dut.data_interface;
  std::map<std::string, std::string> state;
  for (int q = 0; q < 4; ++q) {
    state["rps" + std::to_string(q)] = capture(prefix + "cat " + sys + "/queues/rx-" +
                                               std::to_string(q) + "/rps_cpus 2>/dev/null");
  }
  state["rx_queues"] = capture(prefix + "sh -c 'ls -d " + sys + "/queues/rx-* | wc -l'");
  state["gro"] =
      capture(prefix + "ethtool -k " + dut.data_interface + " | grep '^generic-receive-offload:'");
  return state;
}

class LabExperiment : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root (network namespaces, sshd)";
    if (!fs::exists("/usr/sbin/sshd")) GTEST_SKIP() << "needs OpenSSH sshd (Debian openssh-server)";
    if (!fs::exists(nictune_binary())) GTEST_SKIP() << "nictune binary not built";
    dir_ = fs::temp_directory_path() / ("nictune-labexp-" + std::to_string(getpid()));
    fs::create_directories(dir_);
    config_.name = "x" + std::to_string(getpid() % 100000);
    config_.dir =
        "";  // the default under /var/lib/nictune: sshd refuses keys below world-writable /tmp
    slot_ = testing::lab_index_slot(config_);
    config_.index = slot_.number();
    config_.queues = 4;
    config_.template_path = (dir_ / "template.json").string();
    state_ = lab::lab_up(config_);
    up_ = true;
  }

  void TearDown() override {
    if (up_ && HasFailure()) testing::print_lab_logs(state_);
    if (up_) lab::lab_down(config_);
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  std::string write_spec(const std::string& name, int repetitions, double duration_s) {
    Json spec = lab::experiment_template(state_);
    spec["name"] = name;
    spec["space"] =
        Json::parse(R"({"parameters": {"rps": ["none", "all"], "offload.gro": [true, false]}})");
    spec["workload"] = {{"type", "udp_stream"},
                        {"payload", 64},
                        {"flows", 2},
                        {"duration_s", duration_s},
                        {"warmup_s", 0}};
    spec["objectives"] = Json::parse(
        R"([{"metric": "rx_pps", "goal": "max"}, {"metric": "dut_cpu_util", "goal": "min"}])");
    spec["strategy"] = {{"type", "grid"}, {"budget", 4}, {"seed", 1}};
    spec["repetitions"] = {{"count", repetitions}};
    spec["baseline"] = true;
    spec["settle_s"] = 0;
    spec.erase("outcome_constraints");
    std::string path = (dir_ / (name + ".json")).string();
    std::ofstream(path) << spec.dump(2);
    return path;
  }

  std::string run_command(const std::string& spec, const std::string& extra = "") {
    return nictune_binary() + " run --db " + (dir_ / "lab.db").string() + " --agent " +
           agent_binary() + " " + extra + " " + spec;
  }

  const lab::LabHost& dut() const {
    return state_.hosts.at(0).role == "dut" ? state_.hosts.at(0) : state_.hosts.at(1);
  }

  fs::path dir_;
  testing::HostSlot slot_;  // the lab index, held until the fixture is gone (after lab_down)
  lab::LabConfig config_;
  lab::LabState state_;
  bool up_ = false;
};

}  // namespace nictune::testing

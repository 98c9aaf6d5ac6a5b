// What a lab would be, without making it: names, addresses, the template, the CLI's parsing.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "core/errors.hpp"
#include "orchestrator/cli/commands.hpp"
#include "orchestrator/lab/forwarding.hpp"
#include "orchestrator/lab/lab.hpp"
#include "orchestrator/spec/experiment_spec.hpp"

namespace nictune::lab {
namespace {

LabConfig config(const std::string& name = "default", int index = 0, int queues = 4) {
  LabConfig c;
  c.name = name;
  c.index = index;
  c.queues = queues;
  c.dir = "/var/lib/nictune/lab/" + name;
  c.template_path = "/var/lib/nictune/lab/" + name + "/experiment.json";
  return c;
}

TEST(LabPlan, DefaultLabNamesAndAddresses) {
  LabState state = plan_lab(config());
  ASSERT_EQ(state.hosts.size(), 2u);
  const auto& dut = state.hosts[0];
  const auto& lg = state.hosts[1];
  EXPECT_EQ(dut.role, "dut");
  EXPECT_EQ(dut.netns, "nt-default-dut");
  EXPECT_EQ(dut.data_interface, "nt-dut0");
  EXPECT_EQ(dut.data_address, "198.18.0.1");
  EXPECT_EQ(dut.root_address, "198.18.1.1");
  EXPECT_EQ(dut.mgmt_address, "198.18.1.2");
  EXPECT_EQ(dut.root_interface, "ntm-default-d");
  EXPECT_EQ(lg.netns, "nt-default-lg");
  EXPECT_EQ(lg.data_interface, "nt-lg0");
  EXPECT_EQ(lg.data_address, "198.18.0.2");
  EXPECT_EQ(lg.root_address, "198.18.1.5");
  EXPECT_EQ(lg.mgmt_address, "198.18.1.6");
  EXPECT_EQ(state.identity_file, "/var/lib/nictune/lab/default/id_ed25519");
  EXPECT_EQ(state.known_hosts, "/var/lib/nictune/lab/default/known_hosts");
  for (const auto& host : state.hosts) {
    EXPECT_LE(host.root_interface.size(), 15u);
    EXPECT_LE(host.data_interface.size(), 15u);
  }
}

TEST(LabPlan, IndexMovesEveryAddressIntoItsOwnBlock) {
  LabState state = plan_lab(config("b", 7));
  EXPECT_EQ(state.hosts[0].data_address, "198.18.14.1");
  EXPECT_EQ(state.hosts[1].data_address, "198.18.14.2");
  EXPECT_EQ(state.hosts[0].mgmt_address, "198.18.15.2");
  EXPECT_EQ(state.hosts[1].root_address, "198.18.15.5");
  LabState last = plan_lab(config("c", 127));
  EXPECT_EQ(last.hosts[1].mgmt_address, "198.18.255.6");
}

TEST(LabPlan, RejectsNamesThatDoNotFitInterfaceNames) {
  EXPECT_THROW(plan_lab(config("much-too-long")), Error);
  EXPECT_THROW(plan_lab(config("Upper")), Error);
  EXPECT_THROW(plan_lab(config("a b")), Error);
  EXPECT_THROW(plan_lab(config("-x")), Error);
  EXPECT_THROW(plan_lab(config("x", 128)), Error);
  EXPECT_THROW(plan_lab(config("x", 0, 0)), Error);
  EXPECT_NO_THROW(plan_lab(config("t4194304")));
}

TEST(LabPlan, HostSpecsPointAtTheLab) {
  LabState state = plan_lab(config());
  HostSpec dut = state.host_spec("dut");
  EXPECT_EQ(dut.transport, "ssh");
  EXPECT_EQ(dut.host, "198.18.1.2");
  EXPECT_EQ(dut.user, "root");
  EXPECT_EQ(dut.identity_file, state.identity_file);
  EXPECT_EQ(dut.known_hosts, state.known_hosts);
  EXPECT_EQ(dut.interface, "nt-dut0");
  EXPECT_EQ(dut.address, "198.18.0.1");
  EXPECT_THROW(state.host_spec("nope"), Error);
}

TEST(LabPlan, ExperimentTemplate) {
  Json spec = experiment_template(plan_lab(config()));
  EXPECT_EQ(spec["version"], 1);
  EXPECT_EQ(spec["name"], "lab-default");
  EXPECT_EQ(spec["hosts"]["dut"],
            (Json{{"transport", "ssh"},
                  {"host", "198.18.1.2"},
                  {"port", 22},
                  {"user", "root"},
                  {"identity_file", "/var/lib/nictune/lab/default/id_ed25519"},
                  {"known_hosts", "/var/lib/nictune/lab/default/known_hosts"},
                  {"interface", "nt-dut0"},
                  {"address", "198.18.0.1"}}));
  EXPECT_EQ(spec["hosts"]["lg"]["host"], "198.18.1.6");
  EXPECT_EQ(spec["hosts"]["lg"]["interface"], "nt-lg0");
  EXPECT_EQ(spec["space"]["parameters"]["rps"], (Json{"none", "all"}));
  EXPECT_EQ(spec["space"]["parameters"]["channels.rx"], (Json{1, 2, 4}));
  EXPECT_EQ(spec["workload"], (Json{{"type", "udp_stream"},
                                    {"payload", 64},
                                    {"flows", 4},
                                    {"duration_s", 3},
                                    {"warmup_s", 1}}));
  EXPECT_EQ(spec["objectives"], (Json{{{"metric", "rx_pps"}, {"goal", "max"}},
                                      {{"metric", "dut_cpu_util"}, {"goal", "min"}}}));
  EXPECT_EQ(spec["strategy"], (Json{{"type", "grid"}, {"budget", 20}, {"seed", 1}}));
  EXPECT_EQ(spec["repetitions"], (Json{{"count", 1}}));
  // Channel counts never exceed the queues the lab has.
  EXPECT_EQ(experiment_template(plan_lab(config("q", 0, 2)))["space"]["parameters"]["channels.rx"],
            (Json{1, 2}));
  EXPECT_EQ(experiment_template(plan_lab(config("q", 0, 3)))["space"]["parameters"]["channels.rx"],
            (Json{1, 2, 3}));
  EXPECT_EQ(experiment_template(plan_lab(config("q", 0, 1)))["space"]["parameters"]["channels.rx"],
            (Json{1}));
}

TEST(LabPlan, AgentPathGoesIntoTheHosts) {
  LabConfig c = config();
  c.agent_path = "/build/agents/nictune-agent";
  LabState state = plan_lab(c);
  EXPECT_EQ(state.host_spec("lg").agent_path, "/build/agents/nictune-agent");
  Json spec = experiment_template(state);
  EXPECT_EQ(spec["hosts"]["dut"]["agent_path"], "/build/agents/nictune-agent");
  EXPECT_EQ(spec["hosts"]["lg"]["agent_path"], "/build/agents/nictune-agent");
  EXPECT_FALSE(experiment_template(plan_lab(config()))["hosts"]["dut"].contains("agent_path"));
}

TEST(LabPlan, ExperimentTemplateIsAValidSpec) {
  // The spec checks that the identity file exists: give it one.
  std::string dir = std::filesystem::temp_directory_path().string() + "/nictune-lab-plan-" +
                    std::to_string(getpid());
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/id_ed25519") << "not a key, only present\n";
  for (int queues : {1, 2, 4, 8}) {
    LabConfig c = config("v", 0, queues);
    c.dir = dir;
    try {
      ExperimentSpec spec = parse_spec(experiment_template(plan_lab(c)), "lab-v.json");
      EXPECT_EQ(spec.name, "lab-v");
      ASSERT_EQ(spec.benches.size(), 1u);
      EXPECT_EQ(spec.benches[0].dut.host, "198.18.1.2");
      EXPECT_EQ(spec.benches[0].lg.interface, "nt-lg0");
    } catch (const Error& e) {
      ADD_FAILURE() << e.what();
    }
  }
  std::filesystem::remove_all(dir);
}

// lab up --forwarding: the template is a valid forwarding experiment naming this lab's second
// link, its sink and its source prefix.
TEST(LabPlan, ForwardingTemplateIsAValidForwardingSpec) {
  std::string dir = std::filesystem::temp_directory_path().string() + "/nictune-lab-fwd-" +
                    std::to_string(getpid());
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/id_ed25519") << "not a key, only present\n";
  LabConfig c = config("f", 5, 2);
  c.dir = dir;
  c.forwarding = true;
  LabState state = plan_lab(c);
  state.forwarding = plan_forwarding(state).to_json();
  const Json doc = experiment_template(state);
  EXPECT_EQ(doc["workload"]["source_prefix"], "198.18.10.128/25");
  try {
    ExperimentSpec spec = parse_spec(doc, "lab-f.json");
    ASSERT_EQ(spec.benches.size(), 1u);
    ASSERT_TRUE(spec.benches[0].forwarding);
    EXPECT_EQ(spec.benches[0].forwarding->dut_egress, "nt-dut1");
    EXPECT_EQ(spec.benches[0].forwarding->lg_sink, "nt-lg1");
    EXPECT_EQ(spec.benches[0].forwarding->sink_address, "198.18.11.193");
    EXPECT_EQ(spec.objectives.at(0).metric, "fwd_pps");
  } catch (const Error& e) {
    ADD_FAILURE() << e.what();
  }
  std::filesystem::remove_all(dir);
}

TEST(LabPlan, StateRoundTripsThroughJson) {
  LabConfig c = config("rt", 3, 2);
  c.agent_path = "/x/nictune-agent";
  LabState state = plan_lab(c);
  state.hosts[0].sshd_pid = 1234;
  LabState back = LabState::from_json(state.to_json());
  EXPECT_EQ(back.to_json(), state.to_json());
}

std::set<std::string> keys_of(const Json& object) {
  std::set<std::string> keys;
  for (const auto& [key, value] : object.items()) keys.insert(key);
  return keys;
}

// The state file's keys are its format. A field left out of both directions would still round
// trip, so the keys and the values read back are checked one by one.
TEST(LabPlan, StateFileKeepsEveryFieldUnderItsKey) {
  LabConfig c = config("rt", 3, 2);
  c.agent_path = "/x/nictune-agent";
  const LabState state = [&] {
    LabState s = plan_lab(c);
    s.hosts[1].sshd_pid = 1234;
    return s;
  }();
  const Json json = state.to_json();
  EXPECT_EQ(keys_of(json),
            (std::set<std::string>{"agent_path", "dir", "hosts", "identity_file", "index",
                                   "known_hosts", "name", "queues", "template_path"}));
  ASSERT_EQ(json.at("hosts").size(), 2u);
  EXPECT_EQ(keys_of(json.at("hosts").at(1)),
            (std::set<std::string>{"data_address", "data_interface", "mgmt_address",
                                   "mgmt_interface", "netns", "role", "root_address",
                                   "root_interface", "sshd_dir", "sshd_pid"}));
  EXPECT_EQ(json.at("hosts").at(1).at("root_address"), state.hosts[1].root_address);
  const LabState back = LabState::from_json(json);
  EXPECT_EQ(back.name, "rt");
  EXPECT_EQ(back.dir, state.dir);
  EXPECT_EQ(back.queues, 2);
  EXPECT_EQ(back.index, 3);
  EXPECT_EQ(back.identity_file, state.identity_file);
  EXPECT_EQ(back.known_hosts, state.known_hosts);
  EXPECT_EQ(back.template_path, state.template_path);
  EXPECT_EQ(back.agent_path, "/x/nictune-agent");
  ASSERT_EQ(back.hosts.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    const LabHost& a = state.hosts[i];
    const LabHost& b = back.hosts[i];
    EXPECT_EQ(b.role, a.role);
    EXPECT_EQ(b.netns, a.netns);
    EXPECT_EQ(b.data_interface, a.data_interface);
    EXPECT_EQ(b.data_address, a.data_address);
    EXPECT_EQ(b.mgmt_interface, a.mgmt_interface);
    EXPECT_EQ(b.mgmt_address, a.mgmt_address);
    EXPECT_EQ(b.root_interface, a.root_interface);
    EXPECT_EQ(b.root_address, a.root_address);
    EXPECT_EQ(b.sshd_dir, a.sshd_dir);
    EXPECT_EQ(b.sshd_pid, a.sshd_pid);
  }
  EXPECT_EQ(back.hosts[1].sshd_pid, 1234);
}

// Keys added after the first state files (template_path, agent_path, sshd_pid) read as empty
// when missing; a missing or mistyped older key makes the file unreadable (lab_down then
// cleans up by names).
TEST(LabPlan, StateFileOptionalKeysDefaultAndRequiredOnesAreRequired) {
  Json json = plan_lab(config()).to_json();
  json.erase("template_path");
  json.erase("agent_path");
  json["hosts"][0].erase("sshd_pid");
  const LabState back = LabState::from_json(json);
  EXPECT_EQ(back.template_path, "");
  EXPECT_EQ(back.agent_path, "");
  EXPECT_EQ(back.hosts[0].sshd_pid, 0);
  Json no_netns = json;
  no_netns["hosts"][1].erase("netns");
  EXPECT_ANY_THROW(LabState::from_json(no_netns));
  Json no_dir = json;
  no_dir.erase("dir");
  EXPECT_ANY_THROW(LabState::from_json(no_dir));
  Json numeric_name = json;
  numeric_name["name"] = 5;
  EXPECT_ANY_THROW(LabState::from_json(numeric_name));
}

TEST(LabCli, UsageErrorsAreInvalid) {
  auto command = nictune::cli::lab_command();
  EXPECT_EQ(command.name, "lab");
  EXPECT_NE(command.help.find("lab up"), std::string::npos);
  auto code_of = [&](const std::vector<std::string>& args) {
    try {
      command.run(args);
    } catch (const Error& e) {
      return e.code();
    }
    return ErrorCode::kInternal;
  };
  EXPECT_EQ(code_of({}), ErrorCode::kInvalid);
  EXPECT_EQ(code_of({"sideways"}), ErrorCode::kInvalid);
  EXPECT_EQ(code_of({"up", "--queues"}), ErrorCode::kInvalid);
  EXPECT_EQ(code_of({"up", "--queues", "four"}), ErrorCode::kInvalid);
  EXPECT_EQ(code_of({"down", "--queues", "2"}), ErrorCode::kInvalid);
  EXPECT_EQ(code_of({"up", "--json"}), ErrorCode::kInvalid);
  EXPECT_EQ(code_of({"status", "--name", "Bad Name"}), ErrorCode::kInvalid);
  EXPECT_EQ(code_of({"status", "--frobnicate"}), ErrorCode::kInvalid);
  // VM lab options belong to `lab up --vm`, and are checked before anything is built.
  EXPECT_EQ(code_of({"up", "--kernel", "6.1"}), ErrorCode::kInvalid);
  EXPECT_EQ(code_of({"status", "--nics", "virtio"}), ErrorCode::kInvalid);
  EXPECT_EQ(code_of({"up", "--vm", "--nics", "virtio,tulip"}), ErrorCode::kInvalid);
  EXPECT_EQ(code_of({"up", "--vm", "--accel", "hvf"}), ErrorCode::kInvalid);
  EXPECT_EQ(code_of({"up", "--vm", "--boot-timeout", "soon"}), ErrorCode::kInvalid);
  EXPECT_EQ(code_of({"up", "--vm", "--queues", "2"}), ErrorCode::kInvalid);
  EXPECT_EQ(code_of({"down", "--udev"}), ErrorCode::kInvalid);
  // A forwarding guest needs an ingress and an egress NIC.
  EXPECT_EQ(code_of({"up", "--vm", "--forwarding", "--nics", "virtio"}), ErrorCode::kInvalid);
}

TEST(LabCli, StatusOfALabThatDoesNotExistFails) {
  auto command = nictune::cli::lab_command();
  testing::internal::CaptureStdout();
  int code = command.run(
      {"status", "--name", "nx" + std::to_string(getpid() % 100000), "--dir", "/nonexistent/lab"});
  std::string out = testing::internal::GetCapturedStdout();
  EXPECT_EQ(code, nictune::cli::kExitFailed);
  EXPECT_NE(out.find("is not up"), std::string::npos) << out;
}

}  // namespace
}  // namespace nictune::lab

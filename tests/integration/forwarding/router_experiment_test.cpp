// experiments/router-seed002.json, shortened, end to end in a forwarding veth lab the way a user
// runs it: `nictune run` over real OpenSSH with the built agents, the DUT routing between its two
// links, the LG's sink counting; every trial stores the forwarding figures and its DUT egress
// counter agrees with the sink within 1 %; `report` (every format), `compare` and `check` work
// on the result unchanged; each trial's packets at the sink have the size its point's
// "workload.payload" asks (the payload is a search dimension); the DUT's RPS masks are back to what
// they were (read with cat).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "orchestrator/lab/lab.hpp"
#include "orchestrator/store/store_backends.hpp"
#include "tests/support/command_line.hpp"
#include "tests/support/lab_slot.hpp"

namespace nictune {
namespace {

namespace fs = std::filesystem;
using testing::run_command;

class RouterExperiment : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (network namespaces, sshd)";
    if (::access("/usr/sbin/sshd", X_OK) != 0) GTEST_SKIP() << "openssh-server is not installed";
    if (!fs::exists(testing::built_nictune_binary())) GTEST_SKIP() << "nictune is not built";
    dir_ = fs::temp_directory_path() / ("nictune-router-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    config_.name = "rt" + std::to_string(::getpid() % 1000000);
    config_.queues = 2;
    config_.forwarding = true;
    slot_ = testing::lab_index_slot(config_);
    config_.index = slot_.number();
    config_.template_path = (dir_ / "template.json").string();
    state_ = lab::lab_up(config_);
    up_ = true;
  }
  void TearDown() override {
    if (up_ && HasFailure()) testing::print_lab_logs(state_);
    if (up_) lab::lab_down(config_);
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }

  // The shipped spec with this lab's hosts (its template's, forwarding member included) and
  // short, bounded trials: a fixed offered rate the veth path carries on a busy 2-CPU host.
  std::string write_spec() {
    Json spec =
        load_json_file(std::string(NICTUNE_SOURCE_DIR) + "/experiments/router-seed002.json");
    const Json lab = load_json_file(config_.template_path);
    spec["hosts"] = lab["hosts"];
    spec["workload"]["source_prefix"] = lab["workload"]["source_prefix"];
    spec["workload"]["duration_s"] = 1;
    spec["workload"]["warmup_s"] = 0.5;
    spec["workload"]["rate_pps"] = 20000;
    // Few points: two layouts by the shipped three sizes, once each.
    spec["space"]["parameters"]["rps"] = {"single:0", "spread"};
    spec["repetitions"] = {{"count", 1}};
    spec["settle_s"] = 0;
    const std::string path = (dir_ / "router.json").string();
    std::ofstream(path) << spec.dump(2);
    return path;
  }
  std::string nictune(const std::string& args) {
    return testing::built_nictune_binary() + " " + args + " --db " + (dir_ / "router.db").string();
  }
  std::string rps_masks() {
    const lab::LabHost& dut =
        state_.hosts.at(0).role == "dut" ? state_.hosts.at(0) : state_.hosts.at(1);
    return run_command("ip netns exec " + dut.netns + " sh -c 'cat /sys/class/net/" +
                       dut.data_interface + "/queues/rx-*/rps_cpus'")
        .output;
  }

  fs::path dir_;
  testing::HostSlot slot_;  // the lab index, held until the fixture is gone (after lab_down)
  lab::LabConfig config_;
  lab::LabState state_;
  bool up_ = false;
};

TEST_F(RouterExperiment, RunsEndToEndAndTheEgressCountersAgreeWithTheSink) {
  ASSERT_TRUE(state_.forwarding.is_object());
  const std::string before = rps_masks();
  const std::string agent = " --agent " + testing::built_agent_binary();
  const auto run = run_command(nictune("run" + agent + " " + write_spec()));
  ASSERT_EQ(run.code, 0) << run.output;
  EXPECT_EQ(rps_masks(), before) << "the DUT is left as it was found";

  auto store = open_store((dir_ / "router.db").string());
  auto experiment = store->find_experiment("router-seed002");
  ASSERT_TRUE(experiment);
  const auto trials = store->trials(experiment->id);
  // 2 layouts x 3 sizes, and a baseline per size first and last
  ASSERT_EQ(trials.size(), 2u * 3u + 3u * 2u) << run.output;
  std::int64_t point = 0;
  std::set<int> sizes, baseline_sizes;
  for (const auto& t : trials) {
    ASSERT_EQ(t.outcome.state, TrialState::kComplete) << t.outcome.error;
    const auto& m = t.outcome.metrics;
    const Json& f = t.outcome.details.at("forwarding");
    EXPECT_GT(m.at("fwd_pps"), 10000) << f.dump();
    EXPECT_GT(m.at("dut_egress_tx_pps"), 0);
    EXPECT_GT(m.at("dut_ingress_rx_pps"), 0);
    EXPECT_TRUE(m.count("dut_softirq_max_cpu_util"));
    EXPECT_LE(m.at("fwd_counter_mismatch"), 0.01) << f.dump();
    EXPECT_EQ(f.at("counters_agree"), true) << f.dump();
    EXPECT_GT(f.at("sink_packets").get<double>(), 10000) << f.dump();
    EXPECT_EQ(t.outcome.details.at("counters").at("links").size(), 1u);
    // What the sink received is the point's payload; a baseline's point carries its size only.
    const int payload = t.point.at("workload.payload").get<int>();
    if (t.baseline) EXPECT_EQ(t.point.size(), 1u) << t.point.dump();
    const Json& counts = t.outcome.details.at("load").at("server").at("counts");
    ASSERT_GT(counts.at("rx_packets").get<double>(), 0) << counts.dump();
    EXPECT_EQ(counts.at("rx_bytes").get<double>() / counts.at("rx_packets").get<double>(), payload)
        << counts.dump();
    EXPECT_EQ(t.outcome.details.at("workload").at("payload"), payload);
    (t.baseline ? baseline_sizes : sizes).insert(payload);
    if (!t.baseline) point = t.point_id;
  }
  EXPECT_EQ(sizes, (std::set<int>{64, 512, 1472}));
  EXPECT_EQ(baseline_sizes, sizes);

  for (const char* format : {"text", "md", "html", "csv", "json"}) {
    const auto report =
        run_command(nictune("report --experiment router-seed002 --format " + std::string(format)));
    EXPECT_EQ(report.code, 0) << format << "\n" << report.output;
    EXPECT_NE(report.output.find("fwd_pps"), std::string::npos) << format;
    EXPECT_NE(report.output.find("workload.payload"), std::string::npos) << format;
    // One baseline row per payload (text, md, json label it; html says "at").
    if (std::string(format) != "csv")
      EXPECT_NE(report.output.find("workload.payload=1472"), std::string::npos) << format;
  }
  const auto compare = run_command(nictune("compare router-seed002 router-seed002"));
  EXPECT_EQ(compare.code, 0) << compare.output;
  EXPECT_NE(compare.output.find("fwd_pps"), std::string::npos) << compare.output;

  // check re-measures one layout on the same lab: good or bad is the noise's business here,
  // measured (not skipped, not refused) is what this shows.
  const auto check = run_command(
      nictune("check --baseline router-seed002 --point " + std::to_string(point) + agent));
  EXPECT_TRUE(check.code == 0 || check.code == 1) << check.output;
  EXPECT_NE(check.output.find("fwd_pps"), std::string::npos) << check.output;
  auto rerun = open_store((dir_ / "router.db").string())->find_experiment("router-seed002-check");
  ASSERT_TRUE(rerun) << check.output;
  EXPECT_EQ(rps_masks(), before);
}

}  // namespace
}  // namespace nictune

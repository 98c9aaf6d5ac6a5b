// One trial on a forwarding bench against scripted agents: who serves (the LG's sink, at the
// sink address), what the DUT's counter window takes (ingress and the egress link), and the
// forwarding figures and the 1 % agreement flag computed from what the agents answered.
// The real thing (veth lab, real routing) is tests/integration/forwarding.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <sstream>

#include "orchestrator/runner/forwarding_trial.hpp"
#include "orchestrator/runner/runner.hpp"
#include "orchestrator/runner/trial_executor.hpp"
#include "orchestrator/store/store_backends.hpp"

namespace nictune {
namespace {

struct Call {
  std::string host, method;
  Json params;
};

// Answers like an agent would for a forwarding run: the sink got `sink_packets` in the measured
// window and 1000 in the warm-up, the DUT's egress sent `egress_tx` over its counter window.
class ScriptedAgent : public AgentCaller {
 public:
  ScriptedAgent(std::string name, std::vector<Call>& log, double& egress_tx)
      : name_(std::move(name)), log_(log), egress_tx_(egress_tx) {}
  Json call(const std::string& method, const Json& params, std::chrono::milliseconds) override {
    log_.push_back({name_, method, params});
    // What the runner asks around the trials (probe, snapshot, apply, restore, lease).
    if (method == "probe" && params.value("interface", "") == "nt-dut1" && egress_tx_ < 0)
      throw Error(ErrorCode::kInvalid, "interface \"nt-dut1\": no such interface");
    if (method == "probe")
      return {{"host", Json::object()},
              {"knobs", {{"rps", {{"supported", true}, {"current", "none"}}}}}};
    if (method == "snapshot") return {{"values", {{"rps", "none"}}}};
    if (method == "apply")
      return {{"applied", params["values"]}, {"commands", Json::array()}, {"lease_s", 60}};
    if (method == "restore") return {{"restored", Json::array()}, {"mismatches", Json::array()}};
    if (method == "lease.renew") return {{"lease_s", 60}};
    if (method == "serve.start") return {{"id", "s1"}, {"port", 7000}};
    if (method == "serve.stop")
      return {{"counts", {{"rx_packets", 99000}, {"rx_bytes", 99000 * 64}}},
              {"metrics", {{"rx_packets", 99000}}},
              {"details",
               {{"warmup_packets", 1000},
                {"foreign_packets", 0},
                {"threads", {{{"socket_drops", 0}}}}}}};
    if (method == "load.run")
      return {{"duration_s", 2.0},
              {"counts", {{"tx_packets", 100000}}},
              {"metrics", {{"tx_pps", 50000.0}}},
              {"details", {{"warmup", {{"tx_packets", 1000}}}}}};
    if (method == "counters.start") return {{"ok", true}};
    if (method == "counters.stop") {
      Json details = {
          {"seconds", 4.0},
          {"link", {{"rx_packets", 101000}}},
          {"per_cpu", {{{"cpu", 0}, {"softirq", 62.5}}, {{"cpu", 1}, {"softirq", 3.0}}}}};
      if (name_ == "dut") details["links"] = {{"nt-dut1", {{"tx_packets", egress_tx_}}}};
      return {{"metrics", {{"dut_cpu_util", 80.0}}}, {"details", details}};
    }
    throw Error(ErrorCode::kUnsupported, "scripted agent: no method " + method);
  }
  std::string describe() const override { return name_; }
  void close() override {}

 private:
  std::string name_;
  std::vector<Call>& log_;
  double& egress_tx_;
};

class ForwardingTrial : public ::testing::Test {
 protected:
  void SetUp() override {
    Json doc = {
        {"version", 1},
        {"name", "fwd"},
        {"hosts",
         {{"dut", {{"transport", "local"}, {"netns", "d"}, {"interface", "nt-dut0"}}},
          {"lg",
           {{"transport", "local"},
            {"netns", "l"},
            {"interface", "nt-lg0"},
            {"address", "198.18.0.2"}}},
          {"forwarding",
           {{"dut_egress", "nt-dut1"}, {"lg_sink", "nt-lg1"}, {"sink_address", "198.18.1.193"}}}}},
        {"space", {{"parameters", {{"rps", {"none", "all"}}}}}},
        {"workload", {{"type", "udp_stream"}, {"duration_s", 2}, {"warmup_s", 0.5}}},
        {"objectives", {{{"metric", "fwd_pps"}, {"goal", "max"}}}},
        {"settle_s", 0}};
    spec_ = parse_spec(doc, "test");
    ASSERT_TRUE(spec_.benches.at(0).forwarding);
    bench_.dut.spec = spec_.benches[0].dut;
    bench_.lg.spec = spec_.benches[0].lg;
    bench_.forwarding = spec_.benches[0].forwarding;
    bench_.dut.agent = std::make_shared<ScriptedAgent>("dut", log_, egress_tx_);
    bench_.lg.agent = std::make_shared<ScriptedAgent>("lg", log_, egress_tx_);
  }
  const Call& find(const std::string& host, const std::string& method) {
    for (const auto& c : log_)
      if (c.host == host && c.method == method) return c;
    static const Call none;
    ADD_FAILURE() << host << " " << method << " was never called";
    return none;
  }

  // The whole experiment through a Runner whose hosts are ScriptedAgents: into store_, its
  // progress lines into out_.
  RunResult run_experiment() {
    Progress progress(ProgressMode::kPlain, out_, spec_.objectives);
    auto connector = [this](const HostSpec& h) -> std::unique_ptr<AgentCaller> {
      return std::make_unique<ScriptedAgent>(h.role, log_, egress_tx_);
    };
    Runner runner(spec_, *store_, connector, progress, interrupted_, RunOptions{});
    return runner.run();
  }

  ExperimentSpec spec_;
  BenchSession bench_;
  std::vector<Call> log_;
  double egress_tx_ = 100000;  // sink: 99000 measured + 1000 warm-up
  std::unique_ptr<Store> store_ = open_store(":memory:");
  std::atomic<bool> interrupted_{false};
  std::ostringstream out_;
};

TEST_F(ForwardingTrial, TheLgSinkServesBehindTheDutAndTheDutWindowTakesBothLinks) {
  Outcome o = run_trial(bench_, spec_, Point{{"rps", "all"}}, false);
  ASSERT_EQ(o.state, TrialState::kComplete) << o.error;
  for (const auto& c : log_) EXPECT_FALSE(c.host == "dut" && c.method.rfind("serve.", 0) == 0);
  EXPECT_EQ(find("lg", "serve.start").params["bind"], "198.18.1.193");
  EXPECT_EQ(find("lg", "load.run").params["target"], "198.18.1.193");
  EXPECT_EQ(find("lg", "load.run").params["port"], 7000);
  EXPECT_EQ(find("lg", "load.run").params["bind"], "198.18.0.2");
  EXPECT_EQ(find("dut", "counters.start").params["interface"], "nt-dut0");
  EXPECT_EQ(find("dut", "counters.start").params["links"], Json::array({"nt-dut1"}));
  EXPECT_EQ(find("lg", "serve.stop").params["id"], "s1");
}

TEST_F(ForwardingTrial, ForwardingFiguresComeFromBothEndsAndAgreeWithinOnePercent) {
  Outcome o = run_trial(bench_, spec_, Point{{"rps", "all"}}, false);
  ASSERT_EQ(o.state, TrialState::kComplete) << o.error;
  EXPECT_DOUBLE_EQ(o.metrics.at("fwd_pps"), 99000 / 2.0);  // the sink's measured window
  EXPECT_DOUBLE_EQ(o.metrics.at("loss_ratio"), 0.01);      // 100000 sent, 99000 measured
  EXPECT_DOUBLE_EQ(o.metrics.at("dut_ingress_rx_pps"), 101000 / 4.0);
  EXPECT_DOUBLE_EQ(o.metrics.at("dut_egress_tx_pps"), 100000 / 4.0);
  EXPECT_DOUBLE_EQ(o.metrics.at("fwd_counter_mismatch"), 0.0);
  EXPECT_DOUBLE_EQ(o.metrics.at("dut_softirq_max_cpu_util"), 62.5);
  const Json& f = o.details.at("forwarding");
  EXPECT_EQ(f["counters_agree"], true);
  EXPECT_EQ(f["sink_packets"], 100000.0);
  EXPECT_EQ(f["lg_sent_packets"], 101000.0);
  EXPECT_EQ(f["dut_dropped_packets"], 1000.0);
}

TEST_F(ForwardingTrial, EgressAndSinkMoreThanOnePercentApartAreFlagged) {
  egress_tx_ = 102000;  // 2 % more than the sink saw
  Outcome o = run_trial(bench_, spec_, Point{{"rps", "all"}}, false);
  ASSERT_EQ(o.state, TrialState::kComplete) << o.error;
  EXPECT_NEAR(o.metrics.at("fwd_counter_mismatch"), 0.02, 1e-12);
  EXPECT_EQ(o.details["forwarding"]["counters_agree"], false);
  egress_tx_ = 100900;  // 0.9 %: within
  o = run_trial(bench_, spec_, Point{{"rps", "all"}}, false);
  EXPECT_EQ(o.details["forwarding"]["counters_agree"], true);
}

// The whole run: the runner probes the egress and sink links, and says live which trials'
// counters disagree (here every trial's: the DUT's egress sent 2 % more than the sink got).
TEST_F(ForwardingTrial, TheRunnerProbesBothLinksAndSaysWhenCountersDisagree) {
  egress_tx_ = 102000;
  const RunResult r = run_experiment();
  EXPECT_EQ(r.status, nictune::ExperimentStatus::kComplete) << out_.str();
  bool probed_egress = false, probed_sink = false;
  for (const auto& c : log_) {
    probed_egress |= c.host == "dut" && c.method == "probe" && c.params["interface"] == "nt-dut1";
    probed_sink |= c.host == "lg" && c.method == "probe" && c.params["interface"] == "nt-lg1";
  }
  EXPECT_TRUE(probed_egress);
  EXPECT_TRUE(probed_sink);
  EXPECT_NE(out_.str().find("forwarding counters disagree in trial 1: DUT egress sent 102000, the "
                            "sink received 100000"),
            std::string::npos)
      << out_.str();
  const auto trials = store_->trials(r.experiment_id);
  ASSERT_FALSE(trials.empty());
  for (const auto& t : trials) EXPECT_EQ(t.outcome.details["forwarding"]["counters_agree"], false);
}

TEST_F(ForwardingTrial, AnEgressLinkTheDutLacksIsRefusedBeforeAnythingChanges) {
  egress_tx_ = -1;  // the scripted DUT has no nt-dut1
  try {
    run_experiment();
    ADD_FAILURE() << "ran without the egress link";
  } catch (const SpecError& e) {
    EXPECT_NE(std::string(e.what()).find("hosts.forwarding.dut_egress: dut (dut): interface "
                                         "\"nt-dut1\": no such interface"),
              std::string::npos)
        << e.what();
  }
  for (const auto& c : log_) EXPECT_NE(c.method, "apply");
}

TEST(ForwardingOutcome, AWindowWithoutTheEgressLinkSaysSoAndAgreesOnNothing) {
  std::map<std::string, double> metrics{{"rx_pps", 10.0}};
  Json f = forwarding_outcome({"nt-dut1", "nt-lg1", "198.18.1.193"},
                              {{"seconds", 1.0}, {"link", {{"rx_packets", 10}}}}, Json::object(),
                              Json::object(), metrics);
  EXPECT_EQ(f["counters_agree"], false);
  EXPECT_NE(f.value("why", "").find("nt-dut1"), std::string::npos);
  EXPECT_FALSE(metrics.count("fwd_counter_mismatch"));
  EXPECT_FALSE(metrics.count("dut_egress_tx_pps"));
  EXPECT_DOUBLE_EQ(metrics.at("fwd_pps"), 10.0);
}

}  // namespace
}  // namespace nictune

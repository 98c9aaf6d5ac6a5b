// The rate search end to end: `nictune run` with real agents, against a rate limit the test
// imposes itself — a token-bucket shaper (tc tbf) of known packet rate on an ifb device that the
// DUT's ingress is redirected to, so what exceeds the rate is dropped where the sender cannot see
// it. Once on the loopback of a namespace (DUT and LG one host), once across a veth pair between
// two namespaces (198.18.0.0/24). The found NDR must lie within the requested precision of the
// shaper's rate, and independent fixed-rate runs at 95 % of it must lose nothing while 110 % loses.
// Host-wide state touched: none outside the namespaces the test creates (and deletes).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "core/json_util.hpp"
#include "orchestrator/store/store_backends.hpp"
#include "tests/support/command_line.hpp"

namespace nictune {
namespace {

namespace fs = std::filesystem;

constexpr double kLimitPps = 5000;
constexpr double kPrecision = 0.03;
constexpr int kPayload = 64;
// What the shaper counts per datagram: Ethernet 14 + IPv4 20 + UDP 8 + payload.
constexpr int kWireBytes = 14 + 20 + 8 + kPayload;
constexpr double kDuration = 8;  // the full trial; 1 s of warm-up before each
// The shaper's bucket and queue, in packets: 150 ms and 20 ms of traffic. The bucket lets a
// sender's catch-up burst after a scheduling stall through (on a loaded two-core machine stalls
// of tens of ms are common); the short queue rides out short stalls of the shaper's own dequeue
// and drains in 20 ms after an overloaded step, so it never carries over into the next step.
// What they hide above the rate is at most 850 packets per trial: 94 packets/s (1.9 %) over an
// 8 s trial and its 1 s warm-up, inside the precision.
constexpr int kBucketPackets = 750;
constexpr int kQueuePackets = 100;

int run(const std::string& command, std::string* output = nullptr) {
  testing::CommandResult r = testing::run_command(command);
  if (output) *output = r.output;
  return r.code;
}

class RateSearchLab : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root for network namespaces";
    pid_ = std::to_string(::getpid());
    dir_ = fs::temp_directory_path() / ("nictune-rate-" + pid_);
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    for (const auto& ns : namespaces_) run("ip netns del " + ns);
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  std::string add_namespace(const std::string& tag) {
    std::string ns = "ntrate" + tag + pid_;
    if (run("ip netns add " + ns) != 0) return "";
    namespaces_.push_back(ns);
    run("ip -n " + ns + " link set lo up");
    return ns;
  }

  // Redirects what arrives on `dev` in `ns` through a tbf of kLimitPps packets/s on an ifb.
  ::testing::AssertionResult shape(const std::string& ns, const std::string& dev) {
    const std::string ip = "ip -n " + ns + " ";
    const std::string tc = "ip netns exec " + ns + " tc ";
    const long long bits = static_cast<long long>(kLimitPps) * kWireBytes * 8;
    for (const std::string& command :
         {ip + "link add ifbrate type ifb", ip + "link set ifbrate up",
          tc + "qdisc add dev ifbrate root tbf rate " + std::to_string(bits) + "bit burst " +
              std::to_string(kBucketPackets * kWireBytes) + " limit " +
              std::to_string(kQueuePackets * kWireBytes),
          tc + "qdisc add dev " + dev + " ingress",
          tc + "filter add dev " + dev +
              // UDP only: the ICMP port-unreachables that late datagrams of a finished step
              // draw must not take the shaper's capacity.
              " parent ffff: protocol ip u32 match ip protocol 17 0xff action mirred egress "
              "redirect dev ifbrate"}) {
      std::string out;
      if (run(command, &out) != 0) return ::testing::AssertionFailure() << command << ": " << out;
    }
    return ::testing::AssertionSuccess();
  }

  // Runs one experiment and answers its only trial's metrics and details.
  ::testing::AssertionResult run_experiment(const std::string& name, const Json& hosts,
                                            const Json& workload, TrialRecord* trial) {
    Json spec = {
        {"version", 1},
        {"name", name},
        {"hosts", hosts},
        {"space", {{"parameters", {{"rps", {"none"}}}}}},
        {"workload", workload},
        {"objectives",
         {{{"metric", workload.contains("rate_search") ? "ndr_pps" : "rx_pps"}, {"goal", "max"}}}},
        {"strategy", {{"type", "grid"}, {"budget", 1}, {"seed", 1}}},
        {"repetitions", {{"count", 1}}},  // one trial (racing, the default, would repeat it)
        {"baseline", false},
        {"settle_s", 0}};
    const std::string path = (dir_ / (name + ".json")).string();
    std::ofstream(path) << spec.dump(2);
    const std::string db = (dir_ / "rate.db").string();
    std::string output;
    // Niced up (the agents and their generators inherit it): on a loaded two-core machine a
    // normal-priority sender stalls for hundreds of ms and then sends the backlog as one burst,
    // which no shaper queue short enough to measure with absorbs.
    int code = run("nice -n -10 " + testing::built_nictune_binary() + " run --db " + db +
                       " --agent " + testing::built_agent_binary() + " " + path,
                   &output);
    if (code != 0)
      return ::testing::AssertionFailure() << "nictune run: " << code << "\n" << output;
    auto store = open_store(db);
    auto experiment = store->find_experiment(name);
    if (!experiment) return ::testing::AssertionFailure() << "no experiment " << name;
    auto trials = store->trials(experiment->id);
    if (trials.size() != 1) return ::testing::AssertionFailure() << trials.size() << " trials";
    *trial = trials[0];
    if (trial->outcome.state != TrialState::kComplete)
      return ::testing::AssertionFailure() << trial->outcome.error;
    return ::testing::AssertionSuccess();
  }

  static double metric(const TrialRecord& t, const std::string& name) {
    auto it = t.outcome.metrics.find(name);
    return it == t.outcome.metrics.end() ? -1 : it->second;
  }

  // One search and its independent checks at fixed rates. Deterministic properties of what was
  // stored are checked directly; the figures, which a software shaper on a loaded machine can
  // spoil (its dequeue runs from a softirq that may be deferred to a starved ksoftirqd), come
  // back as "" when they hold, else as what did not.
  std::string search_and_check_once(const Json& hosts, const std::string& tag) {
    Json workload = {{"type", "udp_stream"},
                     {"payload", kPayload},
                     {"duration_s", kDuration},
                     {"warmup_s", 1},
                     {"rate_search",
                      {{"criterion", "ndr"},
                       {"precision", kPrecision},
                       {"min_pps", 1000},
                       {"max_pps", 10000},
                       {"initial_trial_s", 0.5}}}};  // phases of 0.5, 2 and 8 s
    TrialRecord searched;
    auto ran = run_experiment("search" + tag, hosts, workload, &searched);
    if (!ran) return "the search did not run: " + std::string(ran.message());
    const Json& details = searched.outcome.details;
    if (!details.contains("rate_search")) return "no details.rate_search: " + details.dump();
    const Json& search = details["rate_search"];
    const double ndr = metric(searched, "ndr_pps");
    std::printf("NDR %.1f packets/s against a %.0f packets/s shaper: %zu steps, %.1f trial-s\n",
                ndr, kLimitPps, search["steps"].size(), search["trial_seconds"].get<double>());
    // Every step recorded with what was offered, received and lost, and for how long.
    EXPECT_GE(search["steps"].size(), 3u);
    for (const auto& step : search["steps"]) {
      for (const char* field : {"offered_pps", "duration_s", "sent", "received", "lost", "passed"})
        EXPECT_TRUE(step.contains(field)) << field;
    }
    // Short trials bracket, the reported rate passed a full-length trial whose load metrics are
    // the trial's.
    EXPECT_DOUBLE_EQ(search["steps"][0]["duration_s"].get<double>(), 0.5);
    if (search["result_step"].get<int>() >= 0) {
      const Json& result_step = search["steps"][search["result_step"].get<std::size_t>()];
      EXPECT_DOUBLE_EQ(result_step["duration_s"].get<double>(), kDuration);
      EXPECT_TRUE(result_step["passed"].get<bool>());
      EXPECT_DOUBLE_EQ(result_step["offered_pps"].get<double>(), ndr);
      EXPECT_EQ(metric(searched, "lost_packets"), 0);
      EXPECT_GT(metric(searched, "rx_pps"), ndr * 0.97);
    }

    std::string why;
    char text[160];
    if (!search["complete"].get<bool>()) why += "the search did not complete; ";
    if (ndr < kLimitPps * (1 - kPrecision) || ndr > kLimitPps * (1 + kPrecision)) {
      std::snprintf(text, sizeof text, "NDR %.1f outside %.0f +- %.0f %%; ", ndr, kLimitPps,
                    kPrecision * 100);
      why += text;
    }
    // Independent checks at fixed rates.
    Json fixed = workload;
    fixed.erase("rate_search");
    fixed["rate_pps"] = 0.95 * ndr;
    TrialRecord below;
    ran = run_experiment("below" + tag, hosts, fixed, &below);
    if (!ran) return why + "the 95 % run did not run: " + ran.message();
    if (metric(below, "lost_packets") != 0 ||
        metric(below, "tx_packets") < 0.95 * ndr * kDuration * 0.99) {
      std::snprintf(text, sizeof text, "95 %% of the NDR: sent %.0f, lost %.0f; ",
                    metric(below, "tx_packets"), metric(below, "lost_packets"));
      why += text;
      why += "DUT link " + below.outcome.details["counters"].value("link", Json::object()).dump() +
             "; ";
    }
    fixed["rate_pps"] = 1.10 * ndr;
    TrialRecord above;
    ran = run_experiment("above" + tag, hosts, fixed, &above);
    if (!ran) return why + "the 110 % run did not run: " + ran.message();
    // 10 % over the shaper for the 1 s warm-up and the 8 s trial: about 4500 packets more than
    // it passes, less the 850 the queue and bucket hide. Where the shaper's drops reach back to
    // the sender (ENOBUFS through a veth), they show as packets the LG could not send rather than
    // as loss at the sink: count what was offered and never received.
    const double undelivered = 1.10 * ndr * kDuration - metric(above, "rx_packets");
    if (undelivered <= 0.5 * 0.10 * ndr * kDuration) {
      std::snprintf(text, sizeof text, "110 %% of the NDR got through: sent %.0f, lost %.0f; ",
                    metric(above, "tx_packets"), metric(above, "lost_packets"));
      why += text;
    }
    if (!why.empty()) {
      for (const auto& step : search["steps"]) {
        std::snprintf(text, sizeof text,
                      "\n  phase %d: %.1f pps for %.2f s, sent %llu, received %llu",
                      step["phase"].get<int>(), step["offered_pps"].get<double>(),
                      step["duration_s"].get<double>(), step["sent"].get<unsigned long long>(),
                      step["received"].get<unsigned long long>());
        why += text;
      }
    }
    return why;
  }

  // Up to three attempts: the figures must hold in one of them (a real regression fails all).
  void search_and_check(const Json& hosts) {
    std::string why;
    for (int attempt = 1; attempt <= 3; ++attempt) {
      why = search_and_check_once(hosts, std::to_string(attempt));
      if (why.empty()) return;
      std::printf("attempt %d failed: %s\n", attempt, why.c_str());
    }
    ADD_FAILURE() << "three attempts failed; the last: " << why;
  }

  std::string pid_;
  fs::path dir_;
  std::vector<std::string> namespaces_;
};

TEST_F(RateSearchLab, LoopbackNdrMatchesTheShaper) {
  const std::string ns = add_namespace("l");
  if (ns.empty()) GTEST_SKIP() << "cannot create network namespaces";
  ASSERT_TRUE(shape(ns, "lo"));
  Json host = {{"transport", "local"}, {"netns", ns}, {"interface", "lo"}};
  search_and_check({{"dut", host}, {"lg", host}});
}

// udp_rr through the same shaper: a transaction is two datagrams through it (request and reply
// both arrive on lo), so the no-drop transaction rate is half the shaper's packet rate; then the
// RTT at 50 and 90 % of it.
TEST_F(RateSearchLab, LoopbackRequestResponseNdrAndLatencyAtLoad) {
  const std::string ns = add_namespace("r");
  if (ns.empty()) GTEST_SKIP() << "cannot create network namespaces";
  ASSERT_TRUE(shape(ns, "lo"));
  Json host = {{"transport", "local"}, {"netns", ns}, {"interface", "lo"}};
  Json workload = {{"type", "udp_rr"},
                   {"payload", kPayload},
                   {"flows", 4},
                   {"duration_s", kDuration},
                   {"warmup_s", 1},
                   {"reply_timeout_ms", 200},
                   {"rate_search",
                    {{"criterion", "ndr"},
                     {"precision", kPrecision},
                     {"min_pps", 500},
                     {"max_pps", 5000},
                     {"initial_trial_s", 0.5},
                     {"latency_at", {0.5, 0.9}}}}};
  TrialRecord trial;
  ASSERT_TRUE(run_experiment("rr", {{"dut", host}, {"lg", host}}, workload, &trial));
  const Json& search = trial.outcome.details["rate_search"];
  SCOPED_TRACE("search: " + search.dump(1));
  const double ndr = metric(trial, "ndr_pps");
  const double limit = kLimitPps / 2;
  std::printf("NDR %.1f transactions/s against %.0f; p99 RTT %.1f us at 50 %%, %.1f us at 90 %%\n",
              ndr, limit, metric(trial, "rtt_p99_us_at_50pct_ndr"),
              metric(trial, "rtt_p99_us_at_90pct_ndr"));
  EXPECT_GE(ndr, limit * (1 - kPrecision));
  EXPECT_LE(ndr, limit * (1 + kPrecision));
  ASSERT_EQ(search["latency"].size(), 2u);
  EXPECT_NEAR(search["latency"][0]["offered_pps"].get<double>(), 0.5 * ndr, 1e-6);
  EXPECT_NEAR(search["latency"][1]["offered_pps"].get<double>(), 0.9 * ndr, 1e-6);
  for (const char* name : {"rtt_p50_us_at_50pct_ndr", "rtt_p99_us_at_50pct_ndr",
                           "rtt_p99_us_at_90pct_ndr", "rtt_p999_us_at_90pct_ndr"}) {
    EXPECT_GT(metric(trial, name), 0) << name;
  }
  EXPECT_LE(metric(trial, "rtt_p50_us_at_50pct_ndr"), metric(trial, "rtt_p99_us_at_50pct_ndr"));
}

TEST_F(RateSearchLab, VethNdrMatchesTheShaper) {
  const std::string dut = add_namespace("d");
  const std::string lg = add_namespace("g");
  if (dut.empty() || lg.empty()) GTEST_SKIP() << "cannot create network namespaces";
  const std::string veth_dut = "ntrd" + pid_, veth_lg = "ntrg" + pid_;
  for (const std::string& command : {"ip link add " + veth_dut + " netns " + dut +
                                         " type veth peer name " + veth_lg + " netns " + lg,
                                     "ip -n " + dut + " addr add 198.18.0.1/24 dev " + veth_dut,
                                     "ip -n " + lg + " addr add 198.18.0.2/24 dev " + veth_lg,
                                     "ip -n " + dut + " link set " + veth_dut + " up",
                                     "ip -n " + lg + " link set " + veth_lg + " up"}) {
    std::string out;
    ASSERT_EQ(run(command, &out), 0) << command << ": " << out;
  }
  ASSERT_TRUE(shape(dut, veth_dut));
  search_and_check({{"dut",
                     {{"transport", "local"},
                      {"netns", dut},
                      {"interface", veth_dut},
                      {"address", "198.18.0.1"}}},
                    {"lg",
                     {{"transport", "local"},
                      {"netns", lg},
                      {"interface", veth_lg},
                      {"address", "198.18.0.2"}}}});
}

}  // namespace
}  // namespace nictune

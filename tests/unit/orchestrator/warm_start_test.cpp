// Warm start on a simulated NIC: a first experiment's trials in a real (in-memory) store, a
// second experiment on the same model seeded from them through resolve_warm_start, against the
// same search started cold. Also the spec and resolution errors, with their JSON paths.
#include "orchestrator/runner/warm_start.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <random>

#include "core/errors.hpp"
#include "core/pareto.hpp"
#include "orchestrator/store/store_backends.hpp"
#include "tests/unit/strategies/test_spaces.hpp"

namespace nictune {
namespace {

const Json kVethFacts = {{"hostname", "lab-dut"},
                         {"kernel", "6.1.0-sim"},
                         {"driver", "veth"},
                         {"nic", {{"pci_id", ""}, {"speed_mbps", 10000}}}};
const Json kIxgbeFacts = {{"hostname", "rack7"},
                          {"kernel", "6.12.0-sim"},
                          {"driver", "ixgbe"},
                          {"nic", {{"pci_id", "8086:10fb"}, {"speed_mbps", 10000}}}};

// Two objectives over the NIC-like space with a float coalescing range: rx_pps (max) and the
// p99 RTT (min), each measured with 1 % noise.
ExperimentSpec sim_spec(std::uint64_t seed, int budget) {
  ExperimentSpec spec;
  spec.name = "sim";
  spec.space = test::nic_space(/*with_float=*/true);
  spec.objectives = {{"rx_pps", Goal::kMaximize}, {"p99_rtt_us", Goal::kMinimize}};
  spec.strategy = "bayes";
  spec.seed = seed;
  spec.budget = budget;
  spec.strategy_options = {{"candidates", 200}, {"restarts", 0}};
  return spec;
}

Outcome measure(const Point& p, std::mt19937_64& rng) {
  Outcome o = test::nic_outcome(p);
  std::normal_distribution<double> noise(1, 0.01);
  for (auto& [name, value] : o.metrics) value *= noise(rng);
  o.state = TrialState::kComplete;
  return o;
}

// Fixed reference: no traffic, a 200 us p99.
double hypervolume_of(const std::vector<std::vector<double>>& minimised) {
  return minimised.empty() ? 0 : hypervolume(minimised, {0, 200});
}

struct Search {
  std::vector<std::vector<double>> seen;  // minimised objective vectors, in evaluation order
  std::vector<double> growth;             // hypervolume after each evaluation
};

// Runs the spec's search; every evaluation is stored in `store` under `experiment` when given.
Search run_search(const ExperimentSpec& spec, const WarmStart& warm, std::uint64_t noise_seed,
                  Store* store = nullptr, std::int64_t experiment = 0) {
  StrategyConfig config = spec.strategy_config();
  warm.apply_to(config);
  auto strategy = make_strategy(spec.strategy, config);
  std::mt19937_64 rng(noise_seed);
  Search s;
  for (;;) {
    auto batch = strategy->ask(1);
    if (batch.empty()) break;
    Outcome o = measure(batch[0], rng);
    strategy->tell(batch[0], o);
    if (store) {
      auto t =
          store->begin_trial(experiment, store->intern_point(experiment, batch[0]), 0, false, "");
      store->finish_trial(t, o);
    }
    s.seen.push_back({-o.metrics["rx_pps"], o.metrics["p99_rtt_us"]});
    s.growth.push_back(hypervolume_of(s.seen));
  }
  return s;
}

// Evaluations until the hypervolume reaches `target`; budget + 1 when it never does.
std::size_t evaluations_to(const Search& s, double target) {
  for (std::size_t i = 0; i < s.growth.size(); ++i)
    if (s.growth[i] >= target) return i + 1;
  return s.growth.size() + 1;
}

TEST(WarmStart, SecondExperimentOnTheSameModelReachesTheFirstsHypervolumeSooner) {
  constexpr int kBudget = 18;
  std::size_t warm_total = 0, cold_total = 0, warm_ahead = 0;
  const std::uint64_t seeds[] = {1, 2, 3, 4, 5};
  for (std::uint64_t seed : seeds) {
    auto store = open_store(":memory:");
    // Experiment 1: cold, on the lab's veth; a decoy on another model must not be used.
    auto decoy = store->create_experiment("other-nic", Json::object(), "test");
    store->record_host(decoy, "dut", "", kIxgbeFacts);
    auto first = store->create_experiment("first", Json::object(), "test");
    store->record_host(first, "dut", "", kVethFacts);
    const Search one =
        run_search(sim_spec(seed, kBudget), WarmStart{}, seed * 7, store.get(), first);
    const double target = one.growth.back();
    auto decoy_point = store->intern_point(decoy, Json{{"channels.combined", 16},
                                                       {"rps", "all"},
                                                       {"offload.gro", true},
                                                       {"coalesce.rx_usecs", 30.0}});
    store->finish_trial(
        store->begin_trial(decoy, decoy_point, 0, false, ""),
        Outcome{TrialState::kComplete, {{"rx_pps", 1e9}, {"p99_rtt_us", 1}}, "", Json::object()});

    // Experiment 2, same model, other seed: cold, then warm from the store.
    ExperimentSpec second = sim_spec(seed + 100, kBudget);
    const Search cold = run_search(second, WarmStart{}, seed * 13);
    second.warm_start.enabled = true;
    second.warm_start.points = 5;
    second.warm_start.observations = true;
    NicIdentity dut = nic_identity_from_facts(kVethFacts);
    WarmStart warm = resolve_warm_start(second, *store, dut, std::nullopt);
    ASSERT_EQ(warm.experiments, std::vector<std::int64_t>{first}) << "the ixgbe decoy was used";
    EXPECT_EQ(warm.points.size(), 5u);
    EXPECT_EQ(warm.observations.size(), static_cast<std::size_t>(kBudget));
    const Search hot = run_search(second, warm, seed * 13);

    std::size_t w = evaluations_to(hot, target), c = evaluations_to(cold, target);
    std::printf(
        "seed %llu: first experiment's hypervolume %.4g after %d evaluations; second "
        "reaches it after %zu warm, %zu cold (%d = never within the budget)\n",
        static_cast<unsigned long long>(seed), target, kBudget, w, c, kBudget + 1);
    warm_total += w;
    cold_total += c;
    warm_ahead += w < c ? 1 : 0;
  }
  std::printf("total evaluations to the first's hypervolume: warm %zu, cold %zu\n", warm_total,
              cold_total);
  EXPECT_LT(warm_total, cold_total);
  EXPECT_GE(warm_ahead, 4u) << "warm start was not ahead on most seeds";
}

TEST(WarmStart, SeedPointsAreTheBestOfTheSourcesAndAskedFirst) {
  auto store = open_store(":memory:");
  auto first = store->create_experiment("first", Json::object(), "test");
  store->record_host(first, "dut", "", kVethFacts);
  ExperimentSpec spec = sim_spec(3, 12);
  run_search(spec, WarmStart{}, 9, store.get(), first);
  spec.strategy = "random";
  spec.strategy_options = Json::object();
  spec.warm_start.enabled = true;
  spec.warm_start.points = 2;
  spec.warm_start.observations = false;
  WarmStart warm = resolve_warm_start(spec, *store, nic_identity_from_facts(kVethFacts), {});
  ASSERT_EQ(warm.points.size(), 2u);
  EXPECT_TRUE(warm.observations.empty());
  // The first seed is on the sources' Pareto front.
  std::vector<std::vector<double>> all;
  std::vector<Point> points;
  for (const auto& t : store->trials(first)) {
    all.push_back({-t.outcome.metrics.at("rx_pps"), t.outcome.metrics.at("p99_rtt_us")});
    points.push_back(t.point);
  }
  bool on_front = false;
  for (int i : pareto_front_indices(all))
    on_front = on_front || points[static_cast<std::size_t>(i)] == warm.points[0];
  EXPECT_TRUE(on_front) << warm.points[0];
  StrategyConfig config = spec.strategy_config();
  warm.apply_to(config);
  auto strategy = make_strategy("random", config);
  auto asked = strategy->ask(3);
  ASSERT_EQ(asked.size(), 3u);
  EXPECT_EQ(asked[0], warm.points[0]);
  EXPECT_EQ(asked[1], warm.points[1]);
  EXPECT_EQ(warm.to_json()["experiments"], Json::array({first}));
  EXPECT_NE(warm.describe().find("2 point(s) measured first"), std::string::npos)
      << warm.describe();
}

TEST(WarmStart, UnknownOrOtherModelExperimentsAreSpecErrorsWithTheirPath) {
  auto store = open_store(":memory:");
  auto veth = store->create_experiment("veth-run", Json::object(), "test");
  store->record_host(veth, "dut", "", kVethFacts);
  auto ixgbe = store->create_experiment("ixgbe-run", Json::object(), "test");
  store->record_host(ixgbe, "dut", "", kIxgbeFacts);
  ExperimentSpec spec = sim_spec(1, 10);
  spec.warm_start.enabled = true;
  spec.warm_start.same_model = false;
  const NicIdentity dut = nic_identity_from_facts(kVethFacts);
  auto message = [&](std::vector<std::string> from) {
    spec.warm_start.experiments = std::move(from);
    try {
      resolve_warm_start(spec, *store, dut, std::nullopt);
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kInvalid);
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message({std::to_string(veth), "42"}),
            "strategy.options.warm_start.from[1]: no experiment \"42\" in the database");
  EXPECT_EQ(message({"ixgbe-run"}),
            "strategy.options.warm_start.from[0]: experiment 2 (ixgbe-run) measured ixgbe "
            "8086:10fb; this DUT's NIC is veth (a warm start reuses experiments on the same NIC "
            "model)");
  EXPECT_EQ(message({"veth-run"}), "no error");
  // Resuming experiment 1: it cannot be its own source.
  spec.warm_start.experiments = {"veth-run"};
  EXPECT_THROW(resolve_warm_start(spec, *store, dut, veth), Error);
  // same-model finds the veth run only; from the ixgbe's view it finds nothing and says so.
  spec.warm_start.same_model = true;
  EXPECT_EQ(resolve_warm_start(spec, *store, dut, {}).experiments, std::vector<std::int64_t>{veth});
  WarmStart none =
      resolve_warm_start(spec, *store, nic_identity_from_facts(Json{{"driver", "e1000e"}}), {});
  EXPECT_TRUE(none.experiments.empty());
  EXPECT_NE(none.describe().find("starts cold"), std::string::npos);
}

Json spec_with_warm_start(const Json& warm, const std::string& type = "bayes") {
  Json doc = Json::parse(R"({
    "version": 1, "name": "w",
    "hosts": {"dut": {"transport": "local", "interface": "eth1", "address": "198.18.0.1"},
              "lg": {"transport": "local", "netns": "nt-lg", "interface": "eth1", "address": "198.18.0.2"}},
    "space": {"parameters": {"rps": ["none", "all"], "offload.gro": [true, false]}},
    "workload": {"type": "udp_stream", "duration_s": 1},
    "objectives": [{"metric": "rx_pps", "goal": "max"}]
  })");
  doc["strategy"] = {{"type", type}, {"options", {{"warm_start", warm}}}};
  return doc;
}

std::string spec_error(const Json& doc) {
  try {
    parse_spec(doc, "w.json");
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalid);
    return e.what();
  }
  return "no error";
}

TEST(WarmStart, SpecOptionsAreCheckedWithTheirPaths) {
  ExperimentSpec ok =
      parse_spec(spec_with_warm_start({{"from", {3, "baseline-run"}}, {"points", 2}}), "w.json");
  EXPECT_TRUE(ok.warm_start.enabled);
  EXPECT_FALSE(ok.warm_start.same_model);
  EXPECT_EQ(ok.warm_start.experiments, (std::vector<std::string>{"3", "baseline-run"}));
  EXPECT_EQ(ok.warm_start.points, 2);
  EXPECT_TRUE(ok.warm_start.observations);                   // bayes' default
  EXPECT_FALSE(ok.strategy_options.contains("warm_start"));  // the factory never sees it
  EXPECT_TRUE(parse_spec(spec_with_warm_start(Json::object()), "w.json").warm_start.same_model);
  EXPECT_FALSE(
      parse_spec(spec_with_warm_start(Json::object(), "grid"), "w.json").warm_start.observations);

  EXPECT_EQ(spec_error(spec_with_warm_start({{"from", "same-nic"}})),
            "w.json: strategy.options.warm_start.from: expected \"same-model\" or a list of "
            "experiment ids, found \"same-nic\"\n");
  EXPECT_EQ(spec_error(spec_with_warm_start({{"from", {1, -2}}})),
            "w.json: strategy.options.warm_start.from[1]: expected an experiment id (a positive "
            "integer) or name, found -2\n");
  EXPECT_NE(spec_error(spec_with_warm_start({{"points", -1}}))
                .find("strategy.options.warm_start.points: "),
            std::string::npos);
  EXPECT_NE(spec_error(spec_with_warm_start({{"pionts", 3}}))
                .find("strategy.options.warm_start.pionts: "),
            std::string::npos);
  EXPECT_EQ(spec_error(spec_with_warm_start({{"observations", true}}, "grid")),
            "w.json: strategy.options.warm_start.observations: only bayes learns from earlier "
            "observations; grid can reuse points only (\"points\": K)\n");
}

}  // namespace
}  // namespace nictune

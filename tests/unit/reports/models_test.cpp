// `nictune models` over stores with several experiments: two kernels on one ixgbe model (the
// fixture experiment twice, the newer kernel 10 % faster), a veth experiment with other
// objectives in a second database, and an experiment without a recorded NIC.
#include "reports/models.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "orchestrator/loaders/report_loaders.hpp"
#include "orchestrator/store/store_backends.hpp"
#include "reports/render.hpp"
#include "tests/unit/reports/golden.hpp"
#include "tests/unit/reports/report_fixture.hpp"

namespace nictune::report {
namespace {

struct Lab {
  std::unique_ptr<Store> rack = nictune::testing::make_report_fixture(":memory:", "on-6.1").store;
  std::unique_ptr<Store> veth = open_store(":memory:");
  Lab() {
    nictune::testing::add_fixture_experiment(*rack, "on-6.12", 1.1, "6.12.9-amd64", nullptr);
    rack->create_experiment("no-host-recorded", Json::object(), "0.0.7");
    const Json spec = {{"objectives", {{{"metric", "rtt_p99_us"}, {"goal", "min"}}}}};
    auto e = veth->create_experiment("veth-latency", spec, "0.0.7");
    veth->record_host(e, "dut", "",
                      {{"hostname", "lab-dut"},
                       {"kernel", "6.1.0-sim"},
                       {"driver", "veth"},
                       {"nic", {{"pci_id", ""}, {"speed_mbps", 10000}}}});
    for (const auto& [rps, rtt] :
         std::vector<std::pair<std::string, double>>{{"none", 40}, {"all", 31}}) {
      auto p = veth->intern_point(e, {{"rps", rps}});
      for (int rep = 0; rep < 2; ++rep) {
        auto t = veth->begin_trial(e, p, rep, false, "");
        veth->finish_trial(
            t, Outcome{TrialState::kComplete, {{"rtt_p99_us", rtt + rep}}, "", Json::object()});
      }
    }
  }
  std::vector<ModelSummary> summaries() {
    auto models = build_model_summaries(
        {load_model_source(*rack, "rack.db"), load_model_source(*veth, "veth.db")});
    // Store timestamps are wall-clock; goldens need fixed ones.
    for (auto& m : models)
      for (auto& e : m.experiments) e.created_at = 1714564800 + 3600.0 * double(e.id);
    return models;
  }
};

TEST(Models, GroupsByModelAndMarksTheBestAcrossKernels) {
  Lab lab;
  auto models = lab.summaries();
  ASSERT_EQ(models.size(), 2u);
  const ModelSummary& ixgbe = models[0];
  EXPECT_EQ(ixgbe.model, "ixgbe");  // the fixture's facts name no PCI id
  ASSERT_EQ(ixgbe.experiments.size(), 2u);
  EXPECT_EQ(ixgbe.experiments[0].nic.kernel, "6.1.0-18-amd64");
  EXPECT_EQ(ixgbe.experiments[1].nic.kernel, "6.12.9-amd64");
  EXPECT_EQ(ixgbe.experiments[0].nic.firmware, "0x800003df");
  ASSERT_EQ(ixgbe.groups.size(), 1u);
  const auto& configs = ixgbe.groups[0].configurations;
  // Each experiment's front (A, B, D, H) is there; the 6.12 run beats every 6.1 one.
  ASSERT_EQ(configs.size(), 8u);
  for (const auto& c : configs) {
    EXPECT_EQ(c.best_across, c.experiment == 1) << c.label << " of experiment " << c.experiment;
  }
  EXPECT_EQ(configs[0].label, "channels.combined=4 rps=all sysctl.net.core.busy_poll=50");
  EXPECT_NEAR(configs[0].figures[0].mean, 1.25e6 * 1.1, 1);
  const ModelSummary& veth = models[1];
  EXPECT_EQ(veth.model, "veth");
  ASSERT_EQ(veth.groups.size(), 1u);
  ASSERT_EQ(veth.groups[0].configurations.size(), 1u);
  EXPECT_EQ(veth.groups[0].configurations[0].config, (Json{{"rps", "all"}}));
  EXPECT_EQ(veth.experiments[0].database, "veth.db");
}

TEST(Models, WarmStartTextSaysWhatWasReused) {
  ExperimentRecord e;
  EXPECT_EQ(warm_start_text(e), "");  // started cold
  e.warm_start = {{"model", "ixgbe 8086:10fb"},
                  {"experiments", {3, 7}},
                  {"points", {{{"rps", "all"}}, {{"rps", "none"}}}},
                  {"observations", 24}};
  EXPECT_EQ(warm_start_text(e),
            "warm start (NIC model ixgbe 8086:10fb): 2 point(s) of experiment(s) 3, 7 measured "
            "first, 24 observation(s) for the model");
  e.warm_start = {{"model", "veth"}, {"experiments", Json::array()}, {"points", Json::array()}};
  EXPECT_EQ(warm_start_text(e), "warm start: no earlier experiment on NIC model veth");
}

std::string rendered(const std::string& format) {
  Lab lab;
  auto models = lab.summaries();
  std::ostringstream out;
  render(format, models, out);
  return out.str();
}

class ModelsGolden : public ::testing::TestWithParam<std::string> {};

// NICTUNE_UPDATE_GOLDENS=1 rewrites tests/data/reports/models.*.
TEST_P(ModelsGolden, MatchesTheGoldenFile) {
  nictune::testing::expect_matches_golden(nictune::testing::golden_name("models", GetParam()),
                                          rendered(GetParam()));
}

INSTANTIATE_TEST_SUITE_P(Registry, ModelsGolden,
                         ::testing::ValuesIn(renderer_names(Output::kModels)));

}  // namespace
}  // namespace nictune::report

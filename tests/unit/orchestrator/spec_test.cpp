#include "orchestrator/spec/experiment_spec.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace nictune {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> lines_of(const fs::path& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

TEST(Spec, EveryShippedExperimentValidates) {
  int count = 0;
  for (const auto& entry : fs::directory_iterator(fs::path(NICTUNE_SOURCE_DIR) / "experiments")) {
    if (entry.path().extension() != ".json") continue;
    ++count;
    try {
      ExperimentSpec spec = load_spec(entry.path().string());
      EXPECT_FALSE(spec.name.empty());
      EXPECT_FALSE(spec.benches.empty());
      EXPECT_GT(spec.space.grid_size(), 0u) << entry.path();
    } catch (const Error& e) {
      ADD_FAILURE() << entry.path() << ":\n" << e.what();
    }
  }
  EXPECT_GE(count, 3);
}

// Each broken spec keeps, beside it, the lines its validation must print.
TEST(Spec, BrokenSpecsReportEveryProblemWithItsPath) {
  int count = 0;
  for (const auto& entry :
       fs::directory_iterator(fs::path(NICTUNE_SOURCE_DIR) / "tests/data/specs/broken")) {
    if (entry.path().extension() != ".json") continue;
    ++count;
    fs::path expected = entry.path();
    expected.replace_extension(".expected");
    ASSERT_TRUE(fs::exists(expected)) << expected;
    std::string message;
    try {
      load_spec(entry.path().string());
      ADD_FAILURE() << entry.path() << " validated";
      continue;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kInvalid);
      message = e.what();
    }
    for (const auto& line : lines_of(expected)) {
      EXPECT_NE(message.find(line), std::string::npos)
          << entry.path().filename() << " should report:\n  " << line << "\nbut reported:\n"
          << message;
    }
  }
  EXPECT_GE(count, 5);
}

TEST(Spec, RacePolicyFields) {
  Json doc = Json::parse(R"({
    "version": 1, "name": "r",
    "hosts": {"dut": {"transport": "local", "interface": "lo"}, "lg": {"transport": "local", "interface": "lo"}},
    "space": {"parameters": {"rps": ["none", "all"]}},
    "workload": {"type": "udp_stream"},
    "objectives": [{"metric": "rx_pps", "goal": "max"}],
    "repetitions": {"budget": 40, "precision": 0.05, "max": 6}
  })");
  ExperimentSpec spec = parse_spec(doc, "inline");
  EXPECT_TRUE(spec.repetitions.race()) << "budget/precision without a policy race";
  EXPECT_EQ(spec.repetitions.min, kRaceDefaultMin);
  EXPECT_EQ(spec.repetitions.max, 6);
  EXPECT_EQ(spec.repetitions.budget, 40);
  EXPECT_DOUBLE_EQ(spec.repetitions.precision, 0.05);
  EXPECT_EQ(spec.repetitions.baseline_every, 0) << "the default";

  doc["repetitions"] = {{"baseline_every", 8}};
  spec = parse_spec(doc, "inline");
  EXPECT_TRUE(spec.repetitions.race()) << "baseline_every without a policy races";
  EXPECT_EQ(spec.repetitions.baseline_every, 8);
  doc["repetitions"] = {{"count", 2}};
  EXPECT_FALSE(parse_spec(doc, "inline").repetitions.race());
  doc["repetitions"] = {{"policy", "fixed"}, {"budget", 10}};
  try {
    parse_spec(doc, "inline");
    ADD_FAILURE() << "budget with a fixed policy validated";
  } catch (const SpecError& e) {
    EXPECT_NE(std::string(e.what()).find("belong to \"policy\": \"race\""), std::string::npos)
        << e.what();
  }
  doc["repetitions"] = {{"policy", "adaptive"}, {"baseline_every", 4}};
  EXPECT_THROW(parse_spec(doc, "inline"), SpecError) << "baseline_every outside a race";
}

TEST(Spec, DefaultsAreFilledIn) {
  Json doc = Json::parse(R"({
    "version": 1, "name": "d",
    "hosts": {"dut": {"transport": "local", "interface": "lo"}, "lg": {"transport": "local", "interface": "lo"}},
    "space": {"parameters": {"rps": ["none", "all"]}},
    "workload": {"type": "udp_stream"},
    "objectives": [{"metric": "rx_pps", "goal": "max"}]
  })");
  ExperimentSpec spec = parse_spec(doc, "inline");
  EXPECT_EQ(spec.strategy, "grid");
  // Without "repetitions" the race decides, with its defaults.
  EXPECT_TRUE(spec.repetitions.race());
  EXPECT_EQ(spec.repetitions.min, kRaceDefaultMin);
  EXPECT_EQ(spec.repetitions.max, kRaceDefaultMax);
  EXPECT_EQ(spec.repetitions.budget, 0) << "0: derived from the plan";
  EXPECT_FALSE(spec.repetitions.adaptive());
  EXPECT_TRUE(spec.baseline);
  ASSERT_EQ(spec.benches.size(), 1u);
  EXPECT_EQ(spec.benches[0].dut.role, "dut");
  EXPECT_EQ(spec.benches[0].lg.interface, "lo");
  EXPECT_EQ(spec.document, doc);
}

TEST(Spec, WorkloadIsCheckedByTheValidatorTheAgentRuns) {
  Json doc = Json::parse(R"({
    "version": 1, "name": "w",
    "hosts": {"dut": {"transport": "local", "interface": "lo"}, "lg": {"transport": "local", "interface": "lo"}},
    "space": {"parameters": {"rps": ["none", "all"]}},
    "workload": {"type": "udp_rr", "reply_timeout_ms": 50, "peer_timeout_s": 2},
    "objectives": [{"metric": "rtt_p50_us", "goal": "min"}]
  })");
  EXPECT_EQ(parse_spec(doc, "inline").workload["reply_timeout_ms"], 50);
  doc["workload"] = {{"type", "udp_rr"}, {"tool", "iperf3"}, {"gso", true}};
  try {
    parse_spec(doc, "inline");
    FAIL() << "iperf3 udp_rr accepted";
  } catch (const SpecError& e) {
    std::string text = e.what();
    EXPECT_NE(text.find("workload.tool: iperf3 runs udp_stream and tcp_stream only"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("workload.gso: "), std::string::npos) << text;
  }
}

TEST(Spec, WorkloadFieldsAsSearchDimensions) {
  Json doc = Json::parse(R"({
    "version": 1, "name": "w",
    "hosts": {"dut": {"transport": "local", "interface": "lo"}, "lg": {"transport": "local", "interface": "lo"}},
    "space": {"parameters": {"rps": ["none", "all"], "workload.payload": [64, 1472]}},
    "workload": {"type": "udp_stream", "payload": 64},
    "objectives": [{"metric": "rx_pps", "goal": "max"}]
  })");
  EXPECT_EQ(parse_spec(doc, "inline").space.grid_size(), 4u);
  doc["space"]["parameters"]["workload.payload"] = {64, 0};
  doc["space"]["parameters"]["workload.colour"] = {1};
  try {
    parse_spec(doc, "inline");
    FAIL() << "payload 0 and an unknown workload field accepted";
  } catch (const SpecError& e) {
    std::string text = e.what();
    EXPECT_NE(text.find("space.parameters.workload.payload.values[1]: expected"), std::string::npos)
        << text;
    EXPECT_NE(text.find("space.parameters.workload.colour: unknown workload field"),
              std::string::npos)
        << text;
  }
}

// The baseline runs the workload variant and the LG settings the space fixes: a space of those
// only has every configuration equal to its baseline. A searched LG parameter or any DUT one
// makes it a comparison again, as does "baseline": false.
TEST(Spec, ASpaceWhoseEveryConfigurationIsTheBaselineIsRefused) {
  Json doc = Json::parse(R"({
    "version": 1, "name": "w",
    "hosts": {"dut": {"transport": "local", "interface": "lo"}, "lg": {"transport": "local", "interface": "lo"}},
    "space": {"parameters": {"lg:app.cpus": ["single:0"], "workload.payload": [64, 1472]}},
    "workload": {"type": "udp_stream", "payload": 64},
    "objectives": [{"metric": "rx_pps", "goal": "max"}]
  })");
  try {
    parse_spec(doc, "inline");
    FAIL() << "a space of fixed load settings and workload sizes accepted with a baseline";
  } catch (const SpecError& e) {
    const std::string text = e.what();
    EXPECT_NE(text.find("baseline: every configuration of this space is the baseline"),
              std::string::npos)
        << text;
  }
  doc["baseline"] = false;
  EXPECT_EQ(parse_spec(doc, "inline").space.grid_size(), 2u);
  doc.erase("baseline");
  doc["space"]["parameters"]["lg:app.cpus"] = {"single:0", "single:1"};
  EXPECT_EQ(parse_spec(doc, "inline").space.grid_size(), 4u);
  doc["space"]["parameters"]["lg:app.cpus"] = {"single:0"};
  doc["space"]["parameters"]["sysctl.net.core.busy_read"] = {0};
  EXPECT_EQ(parse_spec(doc, "inline").space.grid_size(), 2u);
}

TEST(Spec, BenchesAndAdaptiveRepetitions) {
  Json doc = Json::parse(R"({
    "version": 1, "name": "b",
    "benches": [
      {"name": "a", "dut": {"transport": "local", "interface": "lo"}, "lg": {"transport": "local", "interface": "lo"}},
      {"name": "a", "dut": {"transport": "local", "interface": "lo"}, "lg": {"transport": "local", "interface": "lo"}}
    ],
    "space": {"parameters": {"rps": ["none", "all"]}},
    "workload": {"type": "udp_stream"},
    "objectives": [{"metric": "rx_pps", "goal": "max"}],
    "repetitions": {"min": 2, "max": 6, "ci_rel_width": 0.05}
  })");
  try {
    parse_spec(doc, "inline");
    FAIL();
  } catch (const SpecError& e) {
    EXPECT_NE(std::string(e.what()).find("benches[1].name: duplicate bench name \"a\""),
              std::string::npos)
        << e.what();
  }
  doc["benches"][1]["name"] = "b";
  ExperimentSpec spec = parse_spec(doc, "inline");
  EXPECT_EQ(spec.benches.size(), 2u);
  EXPECT_TRUE(spec.repetitions.adaptive());
  EXPECT_EQ(spec.repetitions.max, 6);
}

}  // namespace
}  // namespace nictune

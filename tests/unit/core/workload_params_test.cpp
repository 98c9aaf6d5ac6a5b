#include "core/workload_params.hpp"

#include <gtest/gtest.h>

#include "core/knob_catalog.hpp"

namespace nictune {
namespace {

Space parse(const Json& doc, Issues& issues) {
  return Space::from_json(doc, "space", issues);
}

TEST(WorkloadParams, PayloadIsADimensionOfTheGrid) {
  Issues issues;
  Space space = parse(Json::parse(R"({"parameters": {
      "rps": ["single:0", "spread"], "workload.payload": [64, 512, 1472]}})"),
                      issues);
  ASSERT_TRUE(issues.empty()) << issues.format();
  EXPECT_EQ(space.grid_size(), 6u);
  const Parameter* p = space.find("workload.payload");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->type, ParamType::kCategorical);
  // No host takes it: the executor's per-role filters skip it.
  EXPECT_EQ(split_knob_key("workload.payload").role, "workload");
  EXPECT_EQ(split_knob_key("workload.payload").knob, "payload");
  EXPECT_EQ(split_knob_key("lg:rps").role, "lg");
  EXPECT_EQ(split_knob_key("coalesce.rx_usecs").role, "dut");
}

TEST(WorkloadParams, PointOverridesOnlyItsWorkloadFields) {
  const Json workload = {{"type", "udp_stream"}, {"payload", 64}, {"flows", 8}};
  const Json point = {{"rps", "spread"}, {"workload.payload", 1472}, {"workload.threads", 2}};
  Json applied = workload_for_point(workload, point);
  EXPECT_EQ(applied["payload"], 1472);
  EXPECT_EQ(applied["threads"], 2);
  EXPECT_EQ(applied["flows"], 8);
  EXPECT_FALSE(applied.contains("rps"));
  EXPECT_EQ(workload_for_point(workload, Json::object()), workload);
}

TEST(WorkloadParams, UnknownAndFixedFieldsAreRefusedWithTheirPath) {
  Issues issues;
  parse(Json::parse(R"({"parameters": {"workload.paylod": [64], "workload.type": ["udp_rr"],
                       "workload.payload": {"type": "cpu_policy", "values": ["all"]}}})"),
        issues);
  const std::string text = issues.format();
  EXPECT_NE(text.find("space.parameters.workload.paylod: unknown workload field \"paylod\""),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("did you mean \"payload\""), std::string::npos) << text;
  EXPECT_NE(text.find("space.parameters.workload.type: workload.type decides what a trial"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("space.parameters.workload.payload.type: "), std::string::npos) << text;
  EXPECT_EQ(issues.size(), 3u) << text;
}

TEST(WorkloadParams, ValuesAreCheckedAgainstTheWorkload) {
  Issues issues;
  Space space = parse(Json::parse(R"({"parameters": {
      "workload.payload": [64, 70000, "big"],
      "workload.flows": {"type": "int", "min": 0, "max": 4}}})"),
                      issues);
  ASSERT_TRUE(issues.empty()) << issues.format();
  validate_workload_params(space, {{"type", "udp_stream"}}, issues);
  const std::string text = issues.format();
  EXPECT_NE(text.find("space.parameters.workload.payload.values[1]: "), std::string::npos) << text;
  EXPECT_NE(text.find("space.parameters.workload.payload.values[2]: "), std::string::npos) << text;
  EXPECT_EQ(text.find("values[0]"), std::string::npos) << text;
  EXPECT_NE(text.find("space.parameters.workload.flows.min: "), std::string::npos) << text;
  EXPECT_EQ(text.find("workload.flows.max"), std::string::npos) << text;
  EXPECT_EQ(issues.size(), 3u) << text;

  Issues fine;
  validate_workload_params(space, {{"type", "udp_stream"}, {"payload", 64}}, fine);
  EXPECT_EQ(fine.size(), 3u) << "the spec's own payload does not hide the point's";
}

}  // namespace
}  // namespace nictune

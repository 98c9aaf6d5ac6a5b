#include "core/space.hpp"

#include <gtest/gtest.h>

#include <set>

#include "core/errors.hpp"

namespace nictune {
namespace {

Space parse_ok(const Json& doc) {
  Issues issues;
  Space space = Space::from_json(doc, "space", issues);
  EXPECT_TRUE(issues.empty()) << issues.format();
  return space;
}

std::string issues_of(const Json& doc) {
  Issues issues;
  Space::from_json(doc, "space", issues);
  return issues.format();
}

const Json kRpsSpace = Json::parse(R"({
  "parameters": {
    "rps": ["none", "all", "spread"],
    "rfs.flow_cnt": {"type": "ordinal", "values": [256, 4096], "when": {"param": "rps", "not_in": ["none"]}},
    "offload.gro": {"type": "bool"},
    "channels.combined": {"type": "int", "min": 1, "max": 4}
  },
  "constraints": ["channels.combined >= 2"]
})");

TEST(Space, GridAppliesConditionsAndConstraints) {
  Space space = parse_ok(kRpsSpace);
  // rps none: 1 (no flow_cnt) ; rps all/spread: 2 flow_cnt each -> 5 combos; gro 2; channels 2..4
  // -> 3
  EXPECT_EQ(space.grid_size(), 5u * 2 * 3);
  std::set<std::string> seen;
  space.for_each_grid_point([&](const Point& p) {
    EXPECT_TRUE(space.is_valid(p)) << p.dump();
    if (p["rps"] == "none")
      EXPECT_FALSE(p.contains("rfs.flow_cnt")) << p.dump();
    else
      EXPECT_TRUE(p.contains("rfs.flow_cnt")) << p.dump();
    EXPECT_TRUE(seen.insert(point_hash(p)).second) << "duplicate " << p.dump();
    return true;
  });
  EXPECT_EQ(seen.size(), 30u);
}

TEST(Space, CanonicalFormIgnoresSpellingAndDropsInactive) {
  Space space = parse_ok(kRpsSpace);
  Point a = space.canonicalize(Json::parse(
      R"({"rps":"all","rfs.flow_cnt":4096.0,"offload.gro":true,"channels.combined":2})"));
  Point b = space.canonicalize(
      Json::parse(R"({"channels.combined":2,"offload.gro":true,"rfs.flow_cnt":4096,"rps":"all"})"));
  EXPECT_EQ(canonical_text(a), canonical_text(b));
  EXPECT_EQ(point_hash(a), point_hash(b));
  EXPECT_EQ(point_hash(a).size(), 16u);
  Point c = space.canonicalize(Json::parse(
      R"({"rps":"none","rfs.flow_cnt":4096,"offload.gro":true,"channels.combined":2})"));
  EXPECT_FALSE(c.contains("rfs.flow_cnt"));
  EXPECT_NE(point_hash(a), point_hash(c));
}

TEST(Space, CanonicalizeRejectsOutOfDomain) {
  Space space = parse_ok(kRpsSpace);
  EXPECT_THROW(space.canonicalize(Json::parse(
                   R"({"rps":"all","rfs.flow_cnt":99,"offload.gro":true,"channels.combined":2})")),
               Error);
  EXPECT_THROW(
      space.canonicalize(Json::parse(R"({"rps":"all","rfs.flow_cnt":256,"offload.gro":true})")),
      Error);
  EXPECT_THROW(
      space.canonicalize(Json::parse(
          R"({"rps":"all","rfs.flow_cnt":256,"offload.gro":true,"channels.combined":2,"bogus":1})")),
      Error);
  std::string why;
  EXPECT_FALSE(space.is_valid(
      Json::parse(R"({"rps":"all","rfs.flow_cnt":256,"offload.gro":true,"channels.combined":1})"),
      &why));
  EXPECT_NE(why.find("channels.combined >= 2"), std::string::npos);
}

TEST(Space, ReportsEveryProblemWithItsPath) {
  std::string text = issues_of(Json::parse(R"({
    "parameters": {
      "rps": ["none", "al", "spred-skip:0"],
      "coalesce.rx_usec": [0, 8],
      "coalesce.rx_usecs": {"type": "int", "min": 10, "max": 2},
      "offload.gro": {"type": "bool", "valuse": [true]},
      "rfs.flow_cnt": {"values": [1, 2], "when": {"param": "rpss", "in": ["all"]}}
    },
    "constraints": ["nope <= 3", 7]
  })"));
  EXPECT_NE(
      text.find("space.parameters.rps.values[1]: unknown policy \"al\" (did you mean \"all\"?)"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("space.parameters.rps.values[2]: unknown policy \"spred-skip:0\" (did you "
                      "mean \"spread-skip\"?)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("space.parameters.coalesce.rx_usec: unknown knob \"coalesce.rx_usec\" (did "
                      "you mean \"coalesce.rx_usecs\"?)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("space.parameters.coalesce.rx_usecs: min 10 is greater than max 2"),
            std::string::npos)
      << text;
  EXPECT_NE(
      text.find("space.parameters.offload.gro.valuse: unknown key (did you mean \"values\"?)"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("space.parameters.rfs.flow_cnt.when.param: no parameter \"rpss\""),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("space.constraints[0]: \"nope\" is not a parameter"), std::string::npos)
      << text;
  EXPECT_NE(text.find("space.constraints[1]: expected a string"), std::string::npos) << text;
}

TEST(Space, LogScaledIntegerGridAndBounds) {
  Space space = parse_ok(Json::parse(
      R"({"parameters": {"rfs.flow_cnt": {"type":"int","min":1,"max":32768,"log":true,"levels":4}}})"));
  std::vector<std::int64_t> seen;
  space.for_each_grid_point([&](const Point& p) {
    seen.push_back(p["rfs.flow_cnt"].get<std::int64_t>());
    return true;
  });
  EXPECT_EQ(seen, (std::vector<std::int64_t>{1, 32, 1024, 32768}));
}

TEST(Space, RoleQualifiedKeys) {
  Space space = parse_ok(Json::parse(
      R"({"parameters": {"lg:app.cpus": ["single:0"], "app.cpus": ["single:1", "all"]}})"));
  EXPECT_EQ(space.grid_size(), 2u);
  EXPECT_NE(
      issues_of(Json::parse(R"({"parameters": {"dutt:rps": ["all"]}})")).find("unknown host role"),
      std::string::npos);
}

TEST(Space, ChoiceKnobTakesNamedStringsOnly) {
  Space space = parse_ok(Json::parse(R"({"parameters": {"xps_rxqs": ["none", "same-index"]}})"));
  EXPECT_EQ(space.grid_size(), 2u);
  std::set<std::string> seen;
  space.for_each_grid_point([&](const Point& p) {
    seen.insert(p["xps_rxqs"].get<std::string>());
    return true;
  });
  EXPECT_EQ(seen, (std::set<std::string>{"none", "same-index"}));
  std::string text = issues_of(Json::parse(R"({"parameters": {"xps_rxqs": ["none", 3]}})"));
  EXPECT_NE(text.find("space.parameters.xps_rxqs.values[1]: expected a string for xps_rxqs"),
            std::string::npos)
      << text;
  EXPECT_NE(issues_of(Json::parse(R"({"parameters": {"xps_rxqs": {"type": "bool"}}})")), "");
}

TEST(Space, ConditionCycleIsReported) {
  std::string text = issues_of(Json::parse(R"({"parameters": {
    "rps": {"values": ["all"], "when": {"param": "xps", "in": ["all"]}},
    "xps": {"values": ["all"], "when": {"param": "rps", "in": ["all"]}}}})"));
  EXPECT_NE(text.find("cycle"), std::string::npos) << text;
}

}  // namespace
}  // namespace nictune

namespace nictune {
namespace {

TEST(Space, FloatGridPointsAreAlreadyCanonical) {
  Issues issues;
  Parameter p;
  p.name = "x";
  p.type = ParamType::kFloat;
  p.min = 0.1;
  p.max = 0.7;
  p.levels = 7;
  for (const auto& v : p.grid_values()) {
    EXPECT_EQ(p.canonical_value(v)->dump(), v.dump());
  }
}

}  // namespace
}  // namespace nictune

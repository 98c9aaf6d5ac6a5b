#include <gtest/gtest.h>

#include "core/known_fields.hpp"

namespace nictune {
namespace {

const std::vector<std::string> kFields = {"type", "payload", "duration_s"};

TEST(CheckKnownFields, KnownFieldsRaiseNothing) {
  Issues issues;
  check_known_fields(Json{{"type", "udp_stream"}, {"payload", 64}}, "workload", kFields, issues);
  EXPECT_TRUE(issues.empty()) << issues.format();
}

TEST(CheckKnownFields, EveryUnknownKeyIsReportedWithItsPathSuggestionAndChoices) {
  Issues issues;
  check_known_fields(Json{{"typ", "udp_stream"}, {"payload", 64}, {"zzzzzzzz", 1}}, "workload",
                     kFields, issues);
  ASSERT_EQ(issues.size(), 2u) << issues.format();
  // nlohmann orders object keys, so "typ" comes before "zzzzzzzz".
  EXPECT_EQ(issues.items()[0].path, "workload.typ");
  EXPECT_EQ(issues.items()[0].message,
            "unknown field (did you mean \"type\"?); expected one of type, payload, duration_s");
  EXPECT_EQ(issues.items()[1].path, "workload.zzzzzzzz");
  EXPECT_EQ(issues.items()[1].message, "unknown field; expected one of type, payload, duration_s");
}

TEST(CheckKnownFields, NounAndTopLevelPath) {
  Issues issues;
  check_known_fields(Json{{"spaec", 1}}, "", {"space", "workload"}, issues, "key");
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues.items()[0].path, "spaec");
  EXPECT_EQ(issues.items()[0].message,
            "unknown key (did you mean \"space\"?); expected one of space, workload");
}

TEST(CheckKnownFields, NonObjectsAreLeftToTheCallersTypeCheck) {
  Issues issues;
  check_known_fields(Json::array({1, 2}), "workload", kFields, issues);
  check_known_fields(Json("text"), "workload", kFields, issues);
  EXPECT_TRUE(issues.empty()) << issues.format();
}

}  // namespace
}  // namespace nictune

#include "core/comparison.hpp"

#include <gtest/gtest.h>

#include "core/errors.hpp"

namespace nictune {
namespace {

Comparison::Lookup values(Json object) {
  return [object](const std::string& name) -> std::optional<Json> {
    if (!object.contains(name)) return std::nullopt;
    return object[name];
  };
}

TEST(Comparison, NumericAgainstLiteral) {
  auto c = Comparison::parse("loss_ratio <= 0.001");
  EXPECT_TRUE(c.holds(values({{"loss_ratio", 0.0005}})));
  EXPECT_FALSE(c.holds(values({{"loss_ratio", 0.01}})));
  EXPECT_TRUE(c.holds(values(Json::object())));  // not measured: vacuous
}

TEST(Comparison, NameAgainstName) {
  auto c = Comparison::parse("rfs.flow_cnt<rings.rx");
  EXPECT_TRUE(c.holds(values({{"rfs.flow_cnt", 256}, {"rings.rx", 512}})));
  EXPECT_FALSE(c.holds(values({{"rfs.flow_cnt", 1024}, {"rings.rx", 512}})));
}

TEST(Comparison, WordLiteralOnTheRight) {
  auto c = Comparison::parse("rps != none");
  EXPECT_TRUE(c.holds(values({{"rps", "all"}})));
  EXPECT_FALSE(c.holds(values({{"rps", "none"}})));
}

TEST(Comparison, RejectsMalformed) {
  EXPECT_THROW(Comparison::parse("loss_ratio 0.1"), Error);
  EXPECT_THROW(Comparison::parse("<= 3"), Error);
  EXPECT_THROW(Comparison::parse("a$b <= 3"), Error);
}

}  // namespace
}  // namespace nictune

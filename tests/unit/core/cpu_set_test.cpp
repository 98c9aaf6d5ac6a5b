#include "core/cpu_set.hpp"

#include <gtest/gtest.h>

#include "core/errors.hpp"

namespace nictune {
namespace {

TEST(CpuSet, ParsesAndPrintsLists) {
  auto set = CpuSet::parse_list("0-3,8");
  EXPECT_EQ(set.count(), 5u);
  EXPECT_TRUE(set.contains(8));
  EXPECT_FALSE(set.contains(4));
  EXPECT_EQ(set.to_list(), "0-3,8");
  EXPECT_EQ(CpuSet::parse_list("5,1,2,3").to_list(), "1-3,5");
  EXPECT_EQ(CpuSet::parse_list("").to_list(), "");
  EXPECT_EQ(CpuSet::parse_list(" 7 \n").to_list(), "7");
}

TEST(CpuSet, MaskOfOneCpu) {
  auto set = CpuSet::parse_list("0");
  EXPECT_EQ(set.to_mask(1), "1");
  EXPECT_EQ(CpuSet::parse_mask("1"), set);
  EXPECT_EQ(CpuSet().to_mask(1), "0");
}

TEST(CpuSet, MaskOf64Cpus) {
  auto all = CpuSet::range(0, 63);
  EXPECT_EQ(all.to_mask(64), "ffffffff,ffffffff");
  EXPECT_EQ(CpuSet::parse_mask("ffffffff,ffffffff"), all);
  auto high = CpuSet::parse_list("63");
  EXPECT_EQ(high.to_mask(64), "80000000,00000000");
  EXPECT_EQ(CpuSet::parse_list("0").to_mask(64), "00000000,00000001");
}

TEST(CpuSet, MaskOf65CpusNarrowsTheTopGroupLikeTheKernel) {
  auto set = CpuSet::parse_list("0,64");
  EXPECT_EQ(set.to_mask(65), "1,00000000,00000001");
  EXPECT_EQ(CpuSet::parse_mask("1,00000000,00000001"), set);
  EXPECT_EQ(set.to_list(), "0,64");
}

TEST(CpuSet, MaskOf1024Cpus) {
  auto set = CpuSet::parse_list("0-1023");
  std::string mask = set.to_mask(1024);
  EXPECT_EQ(mask.size(), 32u * 8 + 31);  // 32 groups of 8 digits, 31 commas
  EXPECT_EQ(CpuSet::parse_mask(mask), set);
  auto sparse = CpuSet::parse_list("1023,512,1");
  EXPECT_EQ(CpuSet::parse_mask(sparse.to_mask(1024)).to_list(), "1,512,1023");
  EXPECT_EQ(sparse.to_mask(1024).substr(0, 8), "80000000");
}

TEST(CpuSet, SeedRpsMaskForEightyCpus) {
  // The loopback study wrote this mask on an 80-CPU machine.
  auto set = CpuSet::parse_mask("ffff,ffffffff,ffffffff");
  EXPECT_EQ(set.to_list(), "0-79");
  EXPECT_EQ(set.to_mask(80), "ffff,ffffffff,ffffffff");
}

TEST(CpuSet, UngroupedLongMaskIsAccepted) {
  EXPECT_EQ(CpuSet::parse_mask("0x1ff").to_list(), "0-8");
  EXPECT_EQ(CpuSet::parse_mask("0f").to_list(), "0-3");
}

TEST(CpuSet, RejectsBadInputNamingTheProblem) {
  auto message_of = [](auto fn) {
    try {
      fn();
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message_of([] { CpuSet::parse_list("0-x"); }).find("\"x\" is not a CPU number"),
            std::string::npos);
  EXPECT_NE(message_of([] { CpuSet::parse_list("5-2"); }).find("backwards"), std::string::npos);
  EXPECT_NE(message_of([] { CpuSet::parse_list("0,,1"); }).find("empty element"),
            std::string::npos);
  EXPECT_NE(message_of([] { CpuSet::parse_list("0-4000000000"); }).find("maximum"),
            std::string::npos);
  EXPECT_NE(message_of([] { CpuSet::parse_mask("fg"); }).find("'g' is not a hex digit"),
            std::string::npos);
  EXPECT_NE(message_of([] { CpuSet::parse_mask("123456789,0"); }).find("groups of up to 8"),
            std::string::npos);
  EXPECT_NE(message_of([] { CpuSet::parse_mask(""); }).find("empty"), std::string::npos);
}

TEST(CpuSet, SetOperations) {
  auto a = CpuSet::parse_list("0-7");
  auto b = CpuSet::parse_list("4-11");
  EXPECT_EQ((a | b).to_list(), "0-11");
  EXPECT_EQ((a & b).to_list(), "4-7");
  EXPECT_EQ((a - b).to_list(), "0-3");
  EXPECT_EQ((a - a).to_mask(8), "00");
  EXPECT_EQ(b.span(), 12u);
}

}  // namespace
}  // namespace nictune

#include "core/source_spread.hpp"

#include <gtest/gtest.h>

#include "core/workload.hpp"

namespace nictune {
namespace {

std::string problems(const Json& workload) {
  Issues issues;
  validate_workload(workload, "workload", issues);
  return issues.format();
}

TEST(SourceSpread, FlowsCycleThroughTheUsableAddresses) {
  Issues issues;
  const Json w = {{"type", "udp_stream"},
                  {"flows", 6},
                  {"source_prefix", "198.18.0.128/25"},
                  {"source_addresses", 3}};
  auto s = read_source_spread(w, "workload", issues);
  ASSERT_TRUE(s) << issues.format();
  EXPECT_EQ(source_address(*s, 0), "198.18.0.129");  // not the network address
  EXPECT_EQ(source_address(*s, 2), "198.18.0.131");
  EXPECT_EQ(source_address(*s, 3), "198.18.0.129");
  EXPECT_EQ(problems(w), "");
  EXPECT_FALSE(read_source_spread(Json{{"type", "udp_stream"}}, "workload", issues));
  EXPECT_TRUE(issues.empty());
}

TEST(SourceSpread, APrefixTooSmallForTheFlowsIsASpecErrorWithItsPath) {
  EXPECT_NE(problems({{"type", "udp_stream"},
                      {"flows", 300},
                      {"source_prefix", "198.18.0.128/25"},
                      {"source_addresses", 200}})
                .find("workload.source_addresses: 200 addresses do not fit in 198.18.0.128/25 "
                      "(126 usable)"),
            std::string::npos);
  EXPECT_NE(problems({{"type", "udp_stream"},
                      {"flows", 4},
                      {"source_prefix", "198.18.0.128/25"},
                      {"source_addresses", 16}})
                .find("workload.source_addresses: 16 addresses need at least as many flows"),
            std::string::npos);
}

TEST(SourceSpread, MalformedFieldsAreNamed) {
  auto with = [](Json extra) {
    Json w = {{"type", "udp_stream"}, {"flows", 8}};
    w.update(extra);
    return problems(w);
  };
  EXPECT_NE(with({{"source_prefix", "198.18.0.129/25"}, {"source_addresses", 2}})
                .find("workload.source_prefix: \"198.18.0.129/25\" has host bits set; the prefix "
                      "is 198.18.0.128/25"),
            std::string::npos);
  EXPECT_NE(with({{"source_prefix", "fe80::/64"}, {"source_addresses", 2}})
                .find("workload.source_prefix: \"fe80::\" is not an IPv4 address"),
            std::string::npos);
  EXPECT_NE(with({{"source_prefix", "198.18.0.0/33"}, {"source_addresses", 2}})
                .find("workload.source_prefix: prefix length \"33\""),
            std::string::npos);
  EXPECT_NE(with({{"source_addresses", 2}}).find("workload.source_prefix: missing"),
            std::string::npos);
  EXPECT_NE(with({{"source_prefix", "198.18.0.0/24"}, {"source_addresses", 0}})
                .find("workload.source_addresses: expected an integer from 1 to 65536"),
            std::string::npos);
  EXPECT_NE(problems({{"type", "udp_rr"},
                      {"flows", 2},
                      {"source_prefix", "198.18.0.0/24"},
                      {"source_addresses", 2}})
                .find("workload.source_prefix: address-spread flows are for the builtin "
                      "udp_stream generator"),
            std::string::npos);
}

}  // namespace
}  // namespace nictune

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "agents/profile/perf_fold.hpp"
#include "core/errors.hpp"

namespace nictune::profile {
namespace {

std::string capture() {
  // `perf record -e cpu-clock -a -g -F 499` over UDP on loopback in a namespace with RPS to
  // CPU 1, printed with `perf script -F comm,pid,tid,cpu,ip,sym` (see tests/data/profile).
  std::ifstream in(NICTUNE_SOURCE_DIR "/tests/data/profile/perf_script.loopback_rps.txt");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::uint64_t count_of(const FoldedProfile& p, unsigned cpu, const std::string& stack) {
  for (const auto& c : p.cpus)
    if (c.cpu == cpu)
      for (const auto& [s, n] : c.stacks)
        if (s == stack) return n;
  return 0;
}

TEST(PerfFold, FoldsHeadersAndFramesRootFirstWithKernelSuffix) {
  const std::string text =
      "iperf3 16200/16200 [000] \n"
      "\tffffffff81e8f6d6 __build_skb_around\n"
      "\tffffffff820a60d7 udp_sendmsg\n"
      "\t           f8350 __GI___libc_write\n"
      "\n"
      "iperf3 16200/16200 [000] \n"
      "\tffffffff81e8f6d6 __build_skb_around\n"
      "\tffffffff820a60d7 udp_sendmsg\n"
      "\t           f8350 __GI___libc_write\n"
      "\n"
      "kworker/u8:0-ex 12/12 [001] \n"
      "\tffffffff81eba686 net_rx_action\n"
      "\n";
  FoldedProfile p = fold_perf_script(text);
  EXPECT_EQ(p.samples, 3u);
  EXPECT_EQ(p.malformed, 0u);
  ASSERT_EQ(p.cpus.size(), 2u);
  EXPECT_EQ(count_of(p, 0, "iperf3;__GI___libc_write;udp_sendmsg_[k];__build_skb_around_[k]"), 2u);
  EXPECT_EQ(count_of(p, 1, "kworker/u8:0-ex;net_rx_action_[k]"), 1u);
}

TEST(PerfFold, CommandNamesWithSpacesAndBracketsAndStacklessSamples) {
  const std::string text =
      "Web Content [x] 77/78 [003] \n"
      "\t    7f00aa f (lib.so)\n"
      "\n"
      "swapper     0/0     [002] \n"
      "cc1plus 5/5 [002] \n"
      "\t 40b890 a;b\n";
  FoldedProfile p = fold_perf_script(text);
  EXPECT_EQ(p.malformed, 0u);
  EXPECT_EQ(count_of(p, 3, "Web Content [x];f"), 1u);
  EXPECT_EQ(count_of(p, 2, "swapper"), 1u);
  EXPECT_EQ(count_of(p, 2, "cc1plus;a:b"), 1u);  // ';' in a symbol must not split the stack
}

TEST(PerfFold, MalformedRecordsAreCountedAndSkipped) {
  const std::string text =
      "this is not a header\n"
      "\tffff zz\n"
      "\n"
      "ok 1/1 [000] \n"
      "\tnot-hex frame\n"
      "\n"
      "ok 1/1 [000] \n"
      "\t10 main\n";
  FoldedProfile p = fold_perf_script(text);
  EXPECT_EQ(p.malformed, 2u);
  EXPECT_EQ(p.samples, 1u);
  EXPECT_EQ(count_of(p, 0, "ok;main"), 1u);
}

TEST(PerfFold, CapturedLoopbackProfileHasEverySampleAndKernelReceivePath) {
  FoldedProfile p = fold_perf_script(capture());
  EXPECT_EQ(p.malformed, 0u);
  EXPECT_EQ(p.samples, 814u);  // sample headers in the file
  ASSERT_EQ(p.cpus.size(), 2u);
  std::uint64_t sum = 0;
  bool net_rx = false;
  for (const auto& c : p.cpus) {
    std::uint64_t cpu_sum = 0;
    for (const auto& [s, n] : c.stacks) {
      cpu_sum += n;
      net_rx = net_rx || s.find(";net_rx_action_[k]") != std::string::npos;
    }
    EXPECT_EQ(cpu_sum, c.samples);
    sum += cpu_sum;
  }
  EXPECT_EQ(sum, p.samples);
  EXPECT_TRUE(net_rx);
}

TEST(PerfFold, LimitsMergeTheLeastSampledStacksAndKeepCounts) {
  FoldLimits limits;
  limits.max_stacks_per_cpu = 5;
  limits.max_depth = 3;
  FoldedProfile p = fold_perf_script(capture(), limits);
  EXPECT_TRUE(p.truncated);
  std::uint64_t sum = 0;
  for (const auto& c : p.cpus) {
    EXPECT_LE(c.stacks.size(), 6u);
    EXPECT_EQ(c.stacks.back().first, kOtherStacks);
    for (const auto& [s, n] : c.stacks) sum += n;
  }
  EXPECT_EQ(sum, 814u);

  FoldLimits tiny;
  tiny.max_bytes = 2000;
  FoldedProfile small = fold_perf_script(capture(), tiny);
  std::size_t bytes = 0;
  for (const auto& c : small.cpus)
    for (const auto& [s, n] : c.stacks) bytes += s.size();
  EXPECT_LE(bytes, 2000u);
  EXPECT_TRUE(small.truncated);
}

TEST(PerfFold, JsonRoundTripAndBadJsonNamesTheField) {
  FoldedProfile p = fold_perf_script(capture());
  FoldedProfile back = folded_profile_from_json(to_json(p));
  ASSERT_EQ(back.cpus.size(), p.cpus.size());
  EXPECT_EQ(back.samples, p.samples);
  EXPECT_EQ(back.cpus[1].stacks, p.cpus[1].stacks);
  Json bad = to_json(p);
  bad["cpus"][1]["stacks"][0] = "x";
  try {
    folded_profile_from_json(bad);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("cpus[1].stacks"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace nictune::profile

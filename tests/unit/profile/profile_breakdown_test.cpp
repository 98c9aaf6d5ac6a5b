#include "reports/profile_breakdown.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "agents/profile/perf_fold.hpp"

namespace nictune {
namespace {

TEST(ProfileBreakdown, InnermostNetworkFrameDecides) {
  // A driver's poll inside net_rx_action is driver time; UDP delivery inside it is UDP receive.
  EXPECT_EQ(classify_stack("ksoftirqd/1;handle_softirqs_[k];net_rx_action_[k];__napi_poll_[k];"
                           "virtnet_poll_[k];memcpy_[k]"),
            ProfileCategory::kDriver);
  EXPECT_EQ(classify_stack("x;net_rx_action_[k];process_backlog_[k];__netif_receive_skb_[k];"
                           "ip_rcv_[k];udp_rcv_[k];__udp4_lib_rcv_[k];sock_def_readable_[k]"),
            ProfileCategory::kUdpReceive);
  EXPECT_EQ(classify_stack("x;handle_softirqs_[k];net_rx_action_[k];kfree_skb_[k]"),
            ProfileCategory::kNetRx);
  EXPECT_EQ(classify_stack("x;net_rx_action_[k];ip_forward.part.0_[k];fib_table_lookup_[k]"),
            ProfileCategory::kNetRx);
  EXPECT_EQ(classify_stack("iperf3;__libc_write;entry_SYSCALL_64_[k];udp_sendmsg_[k];"
                           "__build_skb_around_[k]"),
            ProfileCategory::kNetTx);
  EXPECT_EQ(classify_stack("swapper;cpu_startup_entry_[k];do_idle_[k];default_idle_[k]"),
            ProfileCategory::kIdle);
  EXPECT_EQ(classify_stack("swapper"), ProfileCategory::kIdle);
  EXPECT_EQ(classify_stack("nictune-agent;main;recv_loop"), ProfileCategory::kApplication);
  EXPECT_EQ(classify_stack("cc1plus;[unknown];do_syscall_64_[k];handle_mm_fault_[k]"),
            ProfileCategory::kOtherKernel);
  EXPECT_EQ(classify_stack("x;asm_common_interrupt_[k];handle_softirqs_[k];rcu_core_[k]"),
            ProfileCategory::kOtherIrq);
  // An idle CPU interrupted to run the receive softirq is busy with the softirq, not idle.
  EXPECT_EQ(classify_stack("swapper;do_idle_[k];__irq_exit_rcu_[k];net_rx_action_[k]"),
            ProfileCategory::kNetRx);
  // A user-space symbol named like a kernel function is not kernel work.
  EXPECT_EQ(classify_stack("app;net_rx_action"), ProfileCategory::kApplication);
}

TEST(ProfileBreakdown, CapturedLoopbackProfileSharesAddUpAndShowTheReceivePath) {
  std::ifstream in(NICTUNE_SOURCE_DIR "/tests/data/profile/perf_script.loopback_rps.txt");
  std::stringstream s;
  s << in.rdbuf();
  const auto rows = breakdown(profile::fold_perf_script(s.str()));
  ASSERT_EQ(rows.size(), 2u);
  std::uint64_t receive = 0;
  for (const auto& row : rows) {
    double total = 0;
    for (std::size_t c = 0; c < kProfileCategoryCount; ++c) total += row.share(ProfileCategory(c));
    EXPECT_NEAR(total, 1.0, 1e-9);
    receive += row.counts[std::size_t(ProfileCategory::kNetRx)] +
               row.counts[std::size_t(ProfileCategory::kUdpReceive)];
  }
  EXPECT_GT(receive, 0u);
  // The capture ran next to compilers: most samples are user space, none of it is "idle".
  EXPECT_GT(rows[0].share(ProfileCategory::kApplication), 0.3);
}

TEST(ProfileBreakdown, NamesAndKeysAreDistinct) {
  for (std::size_t a = 0; a < kProfileCategoryCount; ++a)
    for (std::size_t b = a + 1; b < kProfileCategoryCount; ++b) {
      EXPECT_NE(to_string(ProfileCategory(a)), to_string(ProfileCategory(b)));
      EXPECT_NE(category_key(ProfileCategory(a)), category_key(ProfileCategory(b)));
    }
}

}  // namespace
}  // namespace nictune

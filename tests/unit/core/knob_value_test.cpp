#include "core/knob_value.hpp"

#include <gtest/gtest.h>

namespace nictune {
namespace {

TEST(KnobValue, EqualJsonIsTheOriginal) {
  EXPECT_TRUE(same_as_original("sysctl.net.core.busy_read", 0, 0));
  EXPECT_FALSE(same_as_original("sysctl.net.core.busy_read", 0, 50));
  EXPECT_TRUE(same_as_original("rps", "single:1", "single:1"));
}

TEST(KnobValue, PolicyNoneIsPerQueueMasksThatSteerNothing) {
  // How an agent records lo's and a multi-queue NIC's untouched rps_cpus and xps_cpus.
  const Json lo = {{"rx-0", ""}};
  const Json nic = {{"rx-0", "00000000,00000000"}, {"rx-1", "0"}};
  EXPECT_TRUE(same_as_original("rps", lo, "none"));
  EXPECT_TRUE(same_as_original("rps", nic, "none"));
  EXPECT_TRUE(same_as_original("lg:xps", nic, "none"));
  EXPECT_TRUE(same_as_original("rps", "none", lo)) << "either side may be the recorded masks";
  // One queue steering to a CPU is not "none", nor is any other policy without a topology.
  EXPECT_FALSE(same_as_original("rps", Json{{"rx-0", ""}, {"rx-1", "2"}}, "none"));
  EXPECT_FALSE(same_as_original("rps", lo, "single:0"));
  EXPECT_FALSE(same_as_original("rps", Json::object(), "none"));
  // Only CPU-policy knobs have masks: an int knob compares as JSON.
  EXPECT_FALSE(same_as_original("channels.combined", Json{{"rx-0", ""}}, "none"));
  EXPECT_FALSE(same_as_original("workload.payload", lo, "none"));
}

}  // namespace
}  // namespace nictune

// The per-field coalescing check against the real kernel's ethtool generic netlink family, in a
// network namespace the test creates (veth: no coalescing, so the kernel must answer
// EOPNOTSUPP for the device it found by name, which a malformed request header would turn into
// EINVAL; an unknown name gives ENODEV). Drivers that do coalesce are covered by the VM lab.
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <functional>
#include <thread>

#include "agent_process.hpp"
#include "agents/knobs/ethtool.hpp"
#include "agents/knobs/ethtool_netlink.hpp"
#include "agents/knobs/kernel_files.hpp"

namespace nictune {
namespace {

using testing::shell;

// Runs `f` on a thread that has joined network namespace `ns` (setns changes only the calling
// thread, so the test process stays where it was).
int in_namespace(const std::string& ns, const std::function<int()>& f) {
  int result = -1;
  std::thread worker([&] {
    int fd = ::open(("/var/run/netns/" + ns).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 || ::setns(fd, CLONE_NEWNET) != 0) {
      result = -errno;
      if (fd >= 0) ::close(fd);
      return;
    }
    ::close(fd);
    result = f();
  });
  worker.join();
  return result;
}

TEST(EthtoolNetlink, TheKernelAnswersPerDeviceThroughTheEthtoolFamily) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root for network namespaces";
  std::string ns = "ntn" + std::to_string(::getpid());
  int status = 0;
  shell("ip netns add " + ns, &status);
  if (status != 0) GTEST_SKIP() << "cannot create network namespaces (ip netns add failed)";
  std::string out = shell("ip -n " + ns + " link add va type veth peer name vb", &status);
  EXPECT_EQ(status, 0) << out;
  ethtool_coalesce current{};
  std::uint32_t mask = 0;
  int veth =
      in_namespace(ns, [&] { return agent::netlink_coalesce_supported("va", current, mask); });
  int missing =
      in_namespace(ns, [&] { return agent::netlink_coalesce_supported("nope0", current, mask); });
  shell("ip netns del " + ns);
  EXPECT_EQ(veth, EOPNOTSUPP) << agent::errno_name(veth);
  EXPECT_EQ(missing, ENODEV) << agent::errno_name(missing);
}

}  // namespace
}  // namespace nictune

// What every agent method needs to know about where it runs: filesystem roots (a fake
// sysfs/procfs root in tests), where snapshots persist, and hooks to run before exit.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace nictune::agent {

struct AgentContext {
  std::string sysfs_root = "/sys";
  std::string procfs_root = "/proc";
  std::string state_dir = "/var/lib/nictune";  // persisted snapshots
  // Tests: a FakeEthtool state file standing in for the ethtool ioctl ("" = the real ioctl).
  std::string fake_ethtool;
  // The service manager service.* knobs run ("systemctl" from PATH; tests: a fake script).
  std::string systemctl = "systemctl";
  // Run in order when the agent ends for any reason (EOF, signal, shutdown request):
  // this is how applied settings are restored when the SSH session dies.
  std::vector<std::function<void()>> shutdown_hooks;
};

}  // namespace nictune::agent

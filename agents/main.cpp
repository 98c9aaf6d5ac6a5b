// nictune-agent: answers JSON-RPC on stdin/stdout; restores what it changed before it exits.
#include <unistd.h>

#include <cstring>
#include <iostream>
#include <optional>
#include <string>

#include "agents/agent_context.hpp"
#include "agents/methods.hpp"
#include "agents/safety/restore_command.hpp"
#include "agents/safety/state_dir.hpp"
#include "agents/stdio_server.hpp"
#include "core/version.hpp"

namespace {

constexpr const char* kUsage = R"(usage: nictune-agent [options]

Speaks JSON-RPC 2.0 on stdin/stdout, one object per line; logs go to stderr. The orchestrator
starts it locally or over SSH. Whatever it changes is restored on `restore`, on end of input, on
SIGTERM/SIGINT/SIGHUP, and by `nictune-agent --restore` after a crash or reboot.

options:
  --sysfs-root DIR   read and write sysfs below DIR instead of /sys (tests: a fake root)
  --procfs-root DIR  read and write procfs below DIR instead of /proc
  --state-dir DIR    where snapshots and interface locks persist (default /var/lib/nictune;
                     in another network namespace /var/lib/nictune/netns/NAME, since
                     interface names are only unique within one)
  --restore          put back every snapshot in the state directory (after a crash or reboot),
                     print {"restored", "mismatches"} as JSON and exit: 0 verified, 1 a value
                     is off; use the same --sysfs-root/--procfs-root/--state-dir as the agent
  --interface IF     with --restore: only this interface's snapshot
  --fake-ethtool FILE  tests: a FakeEthtool state file instead of the ethtool ioctl
  --systemctl PATH   the systemctl service.irqbalance runs (default: systemctl from PATH)
  --version          print the version and exit
  -h, --help         this text
)";

}  // namespace

int main(int argc, char** argv) {
  nictune::agent::AgentContext context;
  bool restore = false;
  bool state_dir_given = false;
  std::optional<std::string> restore_interface;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](const char* name) -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "nictune-agent: " << name << " needs a value\n" << kUsage;
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "-h" || arg == "--help") {
      std::cout << kUsage;
      return 0;
    } else if (arg == "--version") {
      std::cout << "nictune-agent " << nictune::kVersion << " (protocol "
                << nictune::kProtocolVersion << ")\n";
      return 0;
    } else if (arg == "--sysfs-root") {
      context.sysfs_root = value("--sysfs-root");
    } else if (arg == "--procfs-root") {
      context.procfs_root = value("--procfs-root");
    } else if (arg == "--state-dir") {
      context.state_dir = value("--state-dir");
      state_dir_given = true;
    } else if (arg == "--restore") {
      restore = true;
    } else if (arg == "--interface") {
      restore_interface = value("--interface");
    } else if (arg == "--fake-ethtool") {
      context.fake_ethtool = value("--fake-ethtool");
    } else if (arg == "--systemctl") {
      context.systemctl = value("--systemctl");
    } else {
      std::cerr << "nictune-agent: unknown option \"" << arg << "\"\n" << kUsage;
      return 2;
    }
  }

  if (restore_interface && !restore) {
    std::cerr << "nictune-agent: --interface only goes with --restore\n" << kUsage;
    return 2;
  }
  if (!state_dir_given) {
    context.state_dir =
        nictune::agent::state_dir_for(context.state_dir, nictune::agent::read_netns_identity());
  }
  if (restore) {
    return nictune::agent::restore_command(context, restore_interface, std::cout, std::cerr);
  }

  nictune::rpc::MethodTable methods;
  nictune::agent::register_hello_methods(methods, context);
  nictune::agent::register_knob_methods(methods, context);
  nictune::agent::register_load_methods(methods, context);
  nictune::agent::register_profile_methods(methods, context);

  auto result = nictune::agent::serve_stdio(methods, STDIN_FILENO, STDOUT_FILENO);
  std::cerr << "nictune-agent: stopping (" << nictune::agent::to_string(result.reason)
            << (result.signal ? std::string(" ") + strsignal(result.signal) : std::string())
            << ")\n";
  for (auto it = context.shutdown_hooks.rbegin(); it != context.shutdown_hooks.rend(); ++it) {
    try {
      (*it)();
    } catch (const std::exception& e) {
      std::cerr << "nictune-agent: shutdown: " << e.what() << "\n";
    }
  }
  return result.reason == nictune::agent::StopReason::kIoError ? 1 : 0;
}

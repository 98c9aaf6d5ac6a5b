#include <sys/utsname.h>
#include <unistd.h>

#include "agents/methods.hpp"
#include "core/version.hpp"

namespace nictune::agent {

void register_hello_methods(rpc::MethodTable& table, AgentContext& context) {
  table.add("hello", [&table, &context](const Json&) {
    utsname uts{};
    uname(&uts);
    return Json{{"agent", "nictune-agent"},
                {"version", kVersion},
                {"protocol", kProtocolVersion},
                {"hostname", uts.nodename},
                {"kernel", uts.release},
                {"machine", uts.machine},
                {"euid", geteuid()},
                {"sysfs_root", context.sysfs_root},
                {"procfs_root", context.procfs_root},
                {"state_dir", context.state_dir},
                {"methods", table.names()}};
  });
}

}  // namespace nictune::agent

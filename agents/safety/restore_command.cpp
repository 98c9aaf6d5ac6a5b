#include "agents/safety/restore_command.hpp"

#include <ostream>

#include "agents/knobs/ethtool_backend.hpp"
#include "agents/safety/interface_name.hpp"
#include "agents/safety/knob_session.hpp"
#include "core/errors.hpp"

namespace nictune::agent {

int restore_command(const AgentContext& context, const std::optional<std::string>& interface,
                    std::ostream& out, std::ostream& err) {
  try {
    if (interface) check_interface_name(*interface);
    auto ethtool = make_ethtool_backend(context.fake_ethtool);
    KernelFiles files(context.sysfs_root, context.procfs_root);
    SnapshotStore store(context.state_dir);
    RestoreOutcome outcome =
        restore_from_store(store, files, *ethtool, interface, err, context.systemctl);
    out << outcome.to_json().dump() << std::endl;
    return outcome.clean() ? 0 : 1;
  } catch (const Error& e) {
    err << "nictune-agent: --restore: " << e.what() << "\n";
    return e.code() == ErrorCode::kInvalid ? 2 : 1;
  }
}

}  // namespace nictune::agent

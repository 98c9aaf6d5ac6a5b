// Chooses the ethtool backend: the real ioctl, or FakeEthtool on a state file (tests and
// fake-root runs: `nictune-agent --fake-ethtool FILE`).
#pragma once

#include <memory>
#include <string>

#include "agents/knobs/ethtool.hpp"

namespace nictune::agent {

std::unique_ptr<Ethtool> make_ethtool_backend(const std::string& fake_state_file);

}  // namespace nictune::agent

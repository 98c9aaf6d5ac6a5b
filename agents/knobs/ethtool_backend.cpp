#include "agents/knobs/ethtool_backend.hpp"

#include "agents/knobs/fake_ethtool.hpp"

namespace nictune::agent {

std::unique_ptr<Ethtool> make_ethtool_backend(const std::string& fake_state_file) {
  if (fake_state_file.empty()) return make_ioctl_ethtool();
  return std::make_unique<FakeEthtool>(fake_state_file);
}

}  // namespace nictune::agent

// pause.*: Ethernet flow control (ETHTOOL_GPAUSEPARAM/SPAUSEPARAM, `ethtool -A`).
#include "agents/knobs/ethtool_field_knob.hpp"
#include "agents/knobs/registry.hpp"

namespace nictune::agent {
namespace {

std::unique_ptr<Knob> pause(const KnobInfo& info, __u32 ethtool_pauseparam::*field,
                            const char* command) {
  return std::make_unique<EthtoolFieldKnob<ethtool_pauseparam>>(
      info, EthtoolFieldSpec<ethtool_pauseparam>{.get_name = "ETHTOOL_GPAUSEPARAM",
                                                 .set_name = "ETHTOOL_SPAUSEPARAM",
                                                 .get = &Ethtool::get_pause,
                                                 .set = &Ethtool::set_pause,
                                                 .field = field,
                                                 .boolean = true,
                                                 .max = 1,
                                                 .command = command});
}

}  // namespace

std::unique_ptr<Knob> make_pause_autoneg_knob(const KnobInfo& info) {
  return pause(info, &ethtool_pauseparam::autoneg, "ethtool -A $IFACE autoneg");
}
std::unique_ptr<Knob> make_pause_rx_knob(const KnobInfo& info) {
  return pause(info, &ethtool_pauseparam::rx_pause, "ethtool -A $IFACE rx");
}
std::unique_ptr<Knob> make_pause_tx_knob(const KnobInfo& info) {
  return pause(info, &ethtool_pauseparam::tx_pause, "ethtool -A $IFACE tx");
}

}  // namespace nictune::agent

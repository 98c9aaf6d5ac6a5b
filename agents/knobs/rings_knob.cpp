// rings.rx / rings.tx: descriptor ring sizes (ETHTOOL_GRINGPARAM/SRINGPARAM, `ethtool -G`),
// bounded by the device's maxima. Some drivers round sizes; the read-back then differs and the
// apply fails naming both numbers, so the search space can use the driver's own steps.
#include "agents/knobs/ethtool_field_knob.hpp"
#include "agents/knobs/registry.hpp"

namespace nictune::agent {
namespace {

constexpr long long kMaxRing = 1 << 20;

std::unique_ptr<Knob> ring(const KnobInfo& info, __u32 ethtool_ringparam::*field,
                           __u32 ethtool_ringparam::*device_max, const char* command) {
  return std::make_unique<EthtoolFieldKnob<ethtool_ringparam>>(
      info, EthtoolFieldSpec<ethtool_ringparam>{.get_name = "ETHTOOL_GRINGPARAM",
                                                .set_name = "ETHTOOL_SRINGPARAM",
                                                .get = &Ethtool::get_rings,
                                                .set = &Ethtool::set_rings,
                                                .field = field,
                                                .boolean = false,
                                                .max = kMaxRing,
                                                .device_max = device_max,
                                                .min = 1,
                                                .command = command});
}

}  // namespace

std::unique_ptr<Knob> make_rings_rx_knob(const KnobInfo& info) {
  return ring(info, &ethtool_ringparam::rx_pending, &ethtool_ringparam::rx_max_pending,
              "ethtool -G $IFACE rx");
}
std::unique_ptr<Knob> make_rings_tx_knob(const KnobInfo& info) {
  return ring(info, &ethtool_ringparam::tx_pending, &ethtool_ringparam::tx_max_pending,
              "ethtool -G $IFACE tx");
}

}  // namespace nictune::agent

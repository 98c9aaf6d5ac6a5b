// coalesce.*: interrupt coalescing (ETHTOOL_GCOALESCE/SCOALESCE, `ethtool -C`). Each field is
// probed on its own: drivers take a few fields each (virtio-net tx-frames, e1000e rx-usecs), and
// GCOALESCE reports all of them, so support comes from the driver's supported_coalesce_params
// (ethtool_netlink.hpp says how it is read). On kernels that cannot tell, a field the driver
// lacks fails at set time with EOPNOTSUPP, reported per knob.
#include "agents/knobs/ethtool_field_knob.hpp"
#include "agents/knobs/registry.hpp"

namespace nictune::agent {
namespace {

// Beyond any driver's limit; the driver validates further.
constexpr long long kMaxUsecs = 1'000'000;
constexpr long long kMaxFrames = 1'000'000;

std::unique_ptr<Knob> coalesce(const KnobInfo& info, unsigned attribute, long long max,
                               const char* command) {
  const CoalesceField* field = nullptr;
  for (const auto& f : coalesce_fields()) {
    if (f.attribute == attribute) field = &f;
  }
  return std::make_unique<EthtoolFieldKnob<ethtool_coalesce>>(
      info, EthtoolFieldSpec<ethtool_coalesce>{.get_name = "ETHTOOL_GCOALESCE",
                                               .set_name = "ETHTOOL_SCOALESCE",
                                               .get = &Ethtool::get_coalesce,
                                               .set = &Ethtool::set_coalesce,
                                               .field = field->member,
                                               .boolean = field->boolean,
                                               .max = max,
                                               .command = command,
                                               .supported = &Ethtool::get_coalesce_supported,
                                               .supported_bit = coalesce_bit(attribute),
                                               .field_name = field->name});
}

}  // namespace

std::unique_ptr<Knob> make_coalesce_rx_usecs_knob(const KnobInfo& info) {
  return coalesce(info, ETHTOOL_A_COALESCE_RX_USECS, kMaxUsecs, "ethtool -C $IFACE rx-usecs");
}
std::unique_ptr<Knob> make_coalesce_tx_usecs_knob(const KnobInfo& info) {
  return coalesce(info, ETHTOOL_A_COALESCE_TX_USECS, kMaxUsecs, "ethtool -C $IFACE tx-usecs");
}
std::unique_ptr<Knob> make_coalesce_rx_frames_knob(const KnobInfo& info) {
  return coalesce(info, ETHTOOL_A_COALESCE_RX_MAX_FRAMES, kMaxFrames,
                  "ethtool -C $IFACE rx-frames");
}
std::unique_ptr<Knob> make_coalesce_tx_frames_knob(const KnobInfo& info) {
  return coalesce(info, ETHTOOL_A_COALESCE_TX_MAX_FRAMES, kMaxFrames,
                  "ethtool -C $IFACE tx-frames");
}
std::unique_ptr<Knob> make_coalesce_adaptive_rx_knob(const KnobInfo& info) {
  return coalesce(info, ETHTOOL_A_COALESCE_USE_ADAPTIVE_RX, 1, "ethtool -C $IFACE adaptive-rx");
}
std::unique_ptr<Knob> make_coalesce_adaptive_tx_knob(const KnobInfo& info) {
  return coalesce(info, ETHTOOL_A_COALESCE_USE_ADAPTIVE_TX, 1, "ethtool -C $IFACE adaptive-tx");
}

}  // namespace nictune::agent

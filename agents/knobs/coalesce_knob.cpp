// coalesce.*: interrupt coalescing (ETHTOOL_GCOALESCE/SCOALESCE, `ethtool -C`). Drivers reject
// parameters they do not implement with EOPNOTSUPP at set time; that is reported per knob.
#include "agents/knobs/ethtool_field_knob.hpp"
#include "agents/knobs/registry.hpp"

namespace nictune::agent {
namespace {

// Beyond any driver's limit; the driver validates further.
constexpr long long kMaxUsecs = 1'000'000;
constexpr long long kMaxFrames = 1'000'000;

std::unique_ptr<Knob> coalesce(const KnobInfo& info, __u32 ethtool_coalesce::*field, bool boolean,
                               long long max, const char* command) {
  return std::make_unique<EthtoolFieldKnob<ethtool_coalesce>>(
      info, EthtoolFieldSpec<ethtool_coalesce>{.get_name = "ETHTOOL_GCOALESCE",
                                               .set_name = "ETHTOOL_SCOALESCE",
                                               .get = &Ethtool::get_coalesce,
                                               .set = &Ethtool::set_coalesce,
                                               .field = field,
                                               .boolean = boolean,
                                               .max = max,
                                               .command = command});
}

}  // namespace

std::unique_ptr<Knob> make_coalesce_rx_usecs_knob(const KnobInfo& info) {
  return coalesce(info, &ethtool_coalesce::rx_coalesce_usecs, false, kMaxUsecs,
                  "ethtool -C $IFACE rx-usecs");
}
std::unique_ptr<Knob> make_coalesce_tx_usecs_knob(const KnobInfo& info) {
  return coalesce(info, &ethtool_coalesce::tx_coalesce_usecs, false, kMaxUsecs,
                  "ethtool -C $IFACE tx-usecs");
}
std::unique_ptr<Knob> make_coalesce_rx_frames_knob(const KnobInfo& info) {
  return coalesce(info, &ethtool_coalesce::rx_max_coalesced_frames, false, kMaxFrames,
                  "ethtool -C $IFACE rx-frames");
}
std::unique_ptr<Knob> make_coalesce_tx_frames_knob(const KnobInfo& info) {
  return coalesce(info, &ethtool_coalesce::tx_max_coalesced_frames, false, kMaxFrames,
                  "ethtool -C $IFACE tx-frames");
}
std::unique_ptr<Knob> make_coalesce_adaptive_rx_knob(const KnobInfo& info) {
  return coalesce(info, &ethtool_coalesce::use_adaptive_rx_coalesce, true, 1,
                  "ethtool -C $IFACE adaptive-rx");
}
std::unique_ptr<Knob> make_coalesce_adaptive_tx_knob(const KnobInfo& info) {
  return coalesce(info, &ethtool_coalesce::use_adaptive_tx_coalesce, true, 1,
                  "ethtool -C $IFACE adaptive-tx");
}

}  // namespace nictune::agent

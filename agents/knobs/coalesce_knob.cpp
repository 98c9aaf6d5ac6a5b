// coalesce.*: interrupt coalescing (ETHTOOL_GCOALESCE/SCOALESCE, `ethtool -C`). Each field is
// probed on its own: drivers take a few fields each (virtio-net tx-frames, e1000e rx-usecs), and
// GCOALESCE reports all of them, so support comes from the driver's supported_coalesce_params
// (ethtool_netlink.hpp says how it is read). On kernels that cannot tell, a field the driver
// lacks fails at set time with EOPNOTSUPP, reported per knob. The mask is static per driver;
// virtio_limit() adds the one device-dependent refusal seen in the VM lab.
#include "agents/knobs/ethtool_field_knob.hpp"
#include "agents/knobs/registry.hpp"

namespace nictune::agent {
namespace {

// Beyond any driver's limit; the driver validates further.
constexpr long long kMaxUsecs = 1'000'000;
constexpr long long kMaxFrames = 1'000'000;

// VIRTIO_NET_F_NOTF_COAL: the device coalesces notifications (virtio spec). virtio_net declares
// rx/tx-usecs since 6.0 but refuses them with EOPNOTSUPP when the device has not negotiated it
// (QEMU 7.2's has not). The negotiated bits are readable: the virtio device's sysfs "features",
// one '0'/'1' per bit.
constexpr std::size_t kVirtioNetNotfCoal = 53;

std::string virtio_limit(const KnobEnv& env, const char* field) {
  const std::string name = field;
  if (name != "rx-usecs" && name != "tx-usecs") return std::string();
  std::string path = env.files->net(env.interface, "device/features");
  std::string features;
  if (read_text(path, features) != 0 || env.nic().driver != "virtio_net") return std::string();
  if (features.size() > kVirtioNetNotfCoal && features[kVirtioNetNotfCoal] == '1')
    return std::string();
  return "the virtio-net device has no notification coalescing (VIRTIO_NET_F_NOTF_COAL, bit " +
         std::to_string(kVirtioNetNotfCoal) + " of " + path + ", is 0): virtio_net declares " +
         name + " but refuses it with EOPNOTSUPP";
}

const CoalesceField& field_of(unsigned attribute) {
  for (const auto& field : coalesce_fields()) {
    if (field.attribute == attribute) return field;
  }
  throw Error(ErrorCode::kInternal,
              "no coalescing field for netlink attribute " + std::to_string(attribute));
}

std::unique_ptr<Knob> coalesce(const KnobInfo& info, unsigned attribute, long long max,
                               const char* command) {
  const CoalesceField& field = field_of(attribute);
  return std::make_unique<EthtoolFieldKnob<ethtool_coalesce>>(
      info, EthtoolFieldSpec<ethtool_coalesce>{.get_name = "ETHTOOL_GCOALESCE",
                                               .set_name = "ETHTOOL_SCOALESCE",
                                               .get = &Ethtool::get_coalesce,
                                               .set = &Ethtool::set_coalesce,
                                               .field = field.member,
                                               .boolean = field.boolean,
                                               .max = max,
                                               .command = command,
                                               .supported = &Ethtool::get_coalesce_supported,
                                               .supported_bit = coalesce_bit(attribute),
                                               .field_name = field.name,
                                               .field_limit = virtio_limit});
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

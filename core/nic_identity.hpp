// What a NIC is, as the DUT's probe reports it: the model (driver and PCI vendor:device) and
// what varies between installs of that model (firmware, link speed) plus the kernel. The store
// keys experiments by it; `nictune models` and warm start group experiments by model_key().
#pragma once

#include <optional>
#include <string>

#include "core/json_util.hpp"

namespace nictune {

struct NicIdentity {
  std::string driver;    // "ixgbe", "virtio_net", "veth"; "" when the probe named none (lo)
  std::string pci_id;    // "8086:10fb" (vendor:device); "" for a device without PCI function
  std::string firmware;  // as ethtool -i reports it
  std::optional<long long> speed_mbps;  // nullopt while the link is down or unknown
  std::string kernel;                   // uname release
  std::string hostname;

  // Two NICs are the same model when driver and PCI id agree; firmware, speed and kernel are
  // where a measurement was made, not what was measured.
  std::string model_key() const;
  Json to_json() const;
};

// From the facts the runner records for a DUT (the probe with hostname, kernel, driver and
// firmware lifted to the top level; "nic" holding pci_id and speed_mbps). Missing fields stay
// empty: databases written before the probe reported the PCI id group by driver alone.
NicIdentity nic_identity_from_facts(const Json& facts);

// "0x8086" and "0x10fb" (sysfs vendor/device files) -> "8086:10fb"; "" if either is unusable.
std::string pci_id_from_sysfs(const std::string& vendor, const std::string& device);

}  // namespace nictune

// The one thing the ethtool ioctl cannot tell: which coalescing fields a driver accepts. Since
// 5.7 drivers declare supported_coalesce_params; the ioctl only applies it at set time (a
// non-zero unsupported field gives EOPNOTSUPP for the whole structure), and GCOALESCE reports
// every field. The ethtool generic netlink family checks it per attribute: a COALESCE_SET that
// carries an unsupported attribute is refused with EINVAL before the driver is called, and one
// whose attributes all equal the current values changes nothing and never reaches the driver's
// set_coalesce. So a same-value COALESCE_SET per field is an exact, side-effect-free test.
#pragma once

#include <linux/ethtool.h>

#include <cstdint>
#include <string>

namespace nictune::agent {

// Fills `out` with coalesce_bit() of every field of `current` that the kernel accepts for
// `ifname`. Returns 0, EOPNOTSUPP (no ethtool netlink family, or no coalescing at all) or the
// errno of the netlink socket.
int netlink_coalesce_supported(const std::string& ifname, const ethtool_coalesce& current,
                               std::uint32_t& out);

}  // namespace nictune::agent

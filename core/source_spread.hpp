// Address-spread flows: each flow of a built-in UDP generator sends from its own source address
// of a prefix (workload "source_prefix": "198.18.0.128/25", "source_addresses": N), so a NIC
// that hashes on addresses only (igb's default for UDP) spreads the flows over its queues. The
// addresses must be local on the sender: the forwarding lab makes its source prefix local.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/issues.hpp"
#include "core/json_util.hpp"

namespace nictune {

struct SourceSpread {
  std::string prefix;       // as written, "198.18.0.128/25"
  std::uint32_t first = 0;  // the first usable address (host order)
  int count = 0;            // addresses used, flow i takes the (i mod count)-th
};

// Reads the two fields of a workload document; nullopt when neither is there or one is wrong
// (every problem goes to `issues` under `path`: a malformed prefix, more addresses than the
// prefix holds, fewer flows than addresses, a generator that cannot bind per flow).
std::optional<SourceSpread> read_source_spread(const Json& workload, const std::string& path,
                                               Issues& issues);

// The source address of flow `flow` ("198.18.0.129" for flow 0 of 198.18.0.128/25).
std::string source_address(const SourceSpread& spread, int flow);

}  // namespace nictune

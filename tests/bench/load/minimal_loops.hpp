// The reference loops load_bench compares the built-in generators with: the least code that
// moves 64-byte datagrams through the kernel (sendmmsg or one UDP_SEGMENT send -> recvmmsg) and
// the least code that
// ping-pongs one datagram with both ends spinning on MSG_DONTWAIT. No headers, no counters
// beyond one add, no clock reads in the data path: what the kernel allows on this box.
#pragma once

#include <cstdint>
#include <vector>

namespace nictune::load::bench {

struct LoopPlacement {
  unsigned sender_cpu = 0;
  unsigned receiver_cpu = 1;
};

// Receive rate in datagrams/s over `seconds`, after `warmup_s` of the same traffic. gso: each
// batch is one send with UDP_SEGMENT instead of a sendmmsg vector.
double minimal_udp_stream_rx_pps(int payload, int batch, bool gso, double warmup_s, double seconds,
                                 LoopPlacement where);

// Round-trip times in ns of a spinning ping-pong over loopback, after `warmup_s`.
std::vector<std::uint64_t> minimal_spin_pingpong_rtts(int payload, double warmup_s, double seconds,
                                                      LoopPlacement where);

}  // namespace nictune::load::bench

// Waiting for the replies of one request/response round, in the workload's poll mode:
//   spin       - MSG_DONTWAIT reads round-robin over the flows still waiting;
//   blocking / busy_poll with one flow - a blocking read (SO_RCVTIMEO bounds it; SO_BUSY_POLL,
//                when set on the socket, makes the kernel poll the device before sleeping);
//   blocking / busy_poll with several flows - poll(2) over the waiting flows, then reads.
#pragma once

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "agents/load/sys_util.hpp"
#include "core/workload.hpp"

namespace nictune::load {

enum class ReadResult { kDone, kAgain, kFailed };

// `try_read(i, flags)` reads what flow i has (flags: 0 or MSG_DONTWAIT) and says whether its
// reply is complete; kFailed stops the wait. `waiting[i]` is cleared for completed flows.
// Returns false when a read failed; flows still waiting at `deadline_ns` stay marked.
template <typename TryRead>
bool wait_replies(PollMode mode, const std::vector<int>& fds, std::vector<char>& waiting,
                  std::size_t outstanding, std::int64_t deadline_ns, TryRead&& try_read) {
  const std::size_t n = fds.size();
  auto finish = [&](std::size_t i, ReadResult r) {
    if (r == ReadResult::kDone) {
      waiting[i] = 0;
      --outstanding;
    }
    return r != ReadResult::kFailed;
  };
  if (mode == PollMode::kSpin) {
    // The deadline is looked at every 64 passes: a clock read can cost more than a read.
    for (unsigned pass = 1; outstanding > 0; ++pass) {
      for (std::size_t i = 0; i < n; ++i) {
        if (waiting[i] && !finish(i, try_read(i, MSG_DONTWAIT))) return false;
      }
      if (outstanding > 0 && pass % 64 == 0 && now_ns() >= deadline_ns) break;
    }
    return true;
  }
  if (n == 1) {
    while (outstanding > 0) {
      if (!finish(0, try_read(0, 0))) return false;
      if (outstanding > 0 && now_ns() >= deadline_ns) break;
    }
    return true;
  }
  std::vector<pollfd> polls;
  std::vector<std::size_t> index;
  while (outstanding > 0) {
    std::int64_t left = deadline_ns - now_ns();
    if (left <= 0) break;
    polls.clear();
    index.clear();
    for (std::size_t i = 0; i < n; ++i) {
      if (waiting[i]) {
        polls.push_back({fds[i], POLLIN, 0});
        index.push_back(i);
      }
    }
    int timeout_ms = static_cast<int>(std::min<std::int64_t>(left / 1000000 + 1, 100));
    int ready = ::poll(polls.data(), polls.size(), timeout_ms);
    if (ready <= 0) continue;
    for (std::size_t k = 0; k < polls.size(); ++k) {
      if (polls[k].revents && !finish(index[k], try_read(index[k], MSG_DONTWAIT))) return false;
    }
  }
  return true;
}

}  // namespace nictune::load

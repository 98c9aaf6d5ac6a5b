// What the SshTransport files share and nothing else uses: deadlines in poll-sized slices and
// the trimming of remote command output. Private to orchestrator/transport/ssh_*.cpp.
#pragma once

#include <algorithm>
#include <chrono>
#include <string>

namespace nictune::ssh_detail {

using Clock = std::chrono::steady_clock;

inline std::chrono::milliseconds left_until(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() < 0 ? std::chrono::milliseconds(0) : left;
}

// libssh polls take an int of milliseconds; a slice of at most a second keeps waits responsive.
inline int poll_slice(std::chrono::milliseconds value) {
  return static_cast<int>(std::clamp<long long>(value.count(), 0, 1000));
}

inline std::string trim(const std::string& text) {
  auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

}  // namespace nictune::ssh_detail

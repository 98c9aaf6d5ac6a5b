// A dead-man lease on what the agent changed. Every apply starts (or restarts) a lease; the
// orchestrator renews it while it is alive (`lease.renew`). When the lease runs out, a thread of
// its own restores the session - whatever the state of the channel: the orchestrator stopped,
// its stdin still open but silent, or the management path cut so that even our writes block.
// The outcome is kept until the orchestrator comes back and asks (`lease.renew` answers it).
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <iosfwd>
#include <mutex>
#include <optional>
#include <thread>

#include "core/json_util.hpp"

namespace nictune::agent {

// Lease lengths an apply may ask for, in seconds; without one the agent still leases.
inline constexpr double kMinLeaseS = 1;
inline constexpr double kMaxLeaseS = 86400;
inline constexpr double kDefaultLeaseS = 300;

// Reads params.lease_s (default kDefaultLeaseS); throws Error(kInvalid) naming the field.
double lease_seconds(const Json& params);

class LeaseTimer {
 public:
  using Clock = std::chrono::steady_clock;
  // `session` is the mutex every session method holds; the expiry takes it before restoring,
  // so a restore never interleaves with an apply. `restore` runs with it held and returns the
  // restore outcome ({"restored", "mismatches"}).
  LeaseTimer(std::mutex& session, std::function<Json()> restore, std::ostream& log);
  ~LeaseTimer();
  LeaseTimer(const LeaseTimer&) = delete;
  LeaseTimer& operator=(const LeaseTimer&) = delete;

  // Starts a lease of `seconds` from now (replacing the current one). Returns the report of a
  // lease that ran out and was not asked about yet, or null. Call with the session mutex held.
  Json arm(double seconds);
  // Nothing left to protect (the session restored): no lease runs.
  void disarm();
  // lease.renew: {"lease_s", "remaining_s"} for a running lease (now renewed for its length),
  // {"lease_s": 0} when none runs, {"lease_s": 0, "expired": REPORT} once after one ran out.
  Json renew();

 private:
  void loop();
  void expire();

  std::mutex& session_;
  std::function<Json()> restore_;
  std::ostream& log_;

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  double length_s_ = 0;
  std::optional<Clock::time_point> deadline_;
  std::optional<std::chrono::system_clock::time_point> last_renewal_;
  Json expired_;  // the report of the last expiry, until asked for
  std::thread thread_;
};

}  // namespace nictune::agent

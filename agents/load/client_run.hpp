// The shape every built-in client run shares: worker threads pinned round-robin to the given
// CPUs set up their sockets, start together, run warm-up then the measured window cut in
// intervals, and stop at a fixed time or when any of them fails (the others are told to stop).
// Each worker keeps its own counters and histograms, merged once at the end, so the hot paths
// share nothing.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "agents/load/histogram.hpp"
#include "agents/load/load_runner.hpp"
#include "agents/load/sys_util.hpp"
#include "core/errors.hpp"

namespace nictune::load {

enum class Phase : std::uint8_t { kWarmup = 0, kMeasure = 1, kDone = 2 };

// The header the built-in UDP workloads put at the start of every datagram, so the receiver
// counts exactly the packets the sender counted in each phase and interval (whatever the clocks
// of the two hosts say) and tells flows apart. Host byte order: both ends run this code.
struct PacketHeader {
  std::uint32_t magic;
  std::uint16_t flow;
  std::uint8_t phase;
  std::uint8_t reserved;
  std::uint32_t interval;
  std::uint32_t seq;
};
static_assert(sizeof(PacketHeader) == 16);
inline constexpr std::uint32_t kPacketMagic = 0x4e544c31;  // "NTL1"

struct RunClock {
  std::int64_t start_ns = 0;
  std::int64_t measure_ns = 0;  // end of warm-up
  std::int64_t end_ns = 0;
  std::int64_t interval_ns = 0;
  std::uint32_t intervals = 0;

  static RunClock starting_at(std::int64_t start_ns, const Workload& workload);
  // Length of interval i (the last may be shorter).
  double interval_seconds(std::uint32_t i) const;
  // End of interval i in seconds from the start of the measured window (an interval's "t").
  double interval_end_s(std::uint32_t i) const;
};

// Where in the run a moment falls, with the next boundary cached so the hot path is one compare.
class PhaseTracker {
 public:
  explicit PhaseTracker(const RunClock& clock) : clock_(clock), next_(clock.measure_ns) {}
  // True when the phase or interval changed.
  bool update(std::int64_t now) {
    if (now < next_) return false;
    advance(now);
    return true;
  }
  Phase phase() const { return phase_; }
  std::uint32_t interval() const { return interval_; }
  std::int64_t next_boundary() const { return next_; }

 private:
  void advance(std::int64_t now);
  const RunClock& clock_;
  std::int64_t next_;
  Phase phase_ = Phase::kWarmup;
  std::uint32_t interval_ = 0;
};

// Open-loop pacing to a target rate without burning a CPU when the rate is low: it sleeps until
// enough units are due to make a sleep worth it (>= ~50 us), and spins only for shorter gaps.
class Pacer {
 public:
  Pacer(double rate_per_s, std::int64_t start_ns, unsigned max_burst)
      : rate_(rate_per_s), start_(start_ns), max_burst_(max_burst ? max_burst : 1) {}
  bool unlimited() const { return rate_ <= 0; }
  // How many units may go now (<= max_burst). May wait, but never past `limit_ns`; returns 0
  // when it stopped waiting at the limit. Updates `now`.
  unsigned allow(std::int64_t& now, std::int64_t limit_ns);
  void sent(std::uint64_t n) { sent_ += n; }

 private:
  std::uint64_t due(std::int64_t now) const;
  double rate_;
  std::int64_t start_;
  unsigned max_burst_;
  std::uint64_t sent_ = 0;
};

struct Counts {
  std::uint64_t tx_packets = 0;  // datagrams, requests, writes or connections started
  std::uint64_t tx_bytes = 0;
  std::uint64_t rx_packets = 0;  // replies / completed transactions
  std::uint64_t rx_bytes = 0;
  std::uint64_t lost = 0;  // requests without a reply in time
  void add(const Counts& other) {
    tx_packets += other.tx_packets;
    tx_bytes += other.tx_bytes;
    rx_packets += other.rx_packets;
    rx_bytes += other.rx_bytes;
    lost += other.lost;
  }
};

using SparseHistogram = std::vector<std::pair<std::uint64_t, std::uint64_t>>;

struct WorkerReport {
  std::vector<Counts> intervals;                // measured window, one per interval
  Counts warmup;                                // discarded, reported in details
  std::unique_ptr<LatencyHistogram> histogram;  // request/response kinds
  std::vector<SparseHistogram> interval_histograms;
  double cpu_seconds = 0;         // thread CPU time over the measured window
  std::uint64_t retransmits = 0;  // TCP segments retransmitted in the measured window
  int cpu = -1;                   // where the thread ran
  std::string error;
  ErrorCode error_code = ErrorCode::kIo;
  Json details = Json::object();
};

// Per-interval latency bookkeeping for request/response workers: samples go to the current
// interval's histogram, which is folded into the total when the interval changes.
class IntervalHistograms {
 public:
  explicit IntervalHistograms(WorkerReport& report);
  void record(std::uint32_t interval, std::uint64_t ns) {
    if (interval != current_) switch_to(interval);
    current_hist_.record(ns);
  }
  void finish();  // flushes the open interval

 private:
  void switch_to(std::uint32_t interval);
  WorkerReport& report_;
  LatencyHistogram current_hist_;
  std::uint32_t current_ = 0;
};

class ClientWorker {
 public:
  virtual ~ClientWorker() = default;
  // Creates and connects sockets; throws nictune::Error. Runs on the worker's pinned thread.
  virtual void setup() = 0;
  // Runs until clock.end_ns (or abort); records into report. On failure sets report.error and
  // `abort` so the other workers stop too.
  virtual void run(const RunClock& clock, std::atomic<bool>& abort) = 0;
  WorkerReport report;
};

using WorkerFactory = std::function<std::unique_ptr<ClientWorker>(unsigned index)>;

// Runs `workload.threads` workers and merges what they report into the load.run result.
Json run_client_workers(const Workload& workload, const RunOptions& options,
                        const WorkerFactory& make);

// The flows worker `index` of `threads` owns: f with f % threads == index.
std::vector<int> flows_of_worker(const Workload& workload, unsigned index);

// Stops the worker: records the error and tells the others.
inline void fail(WorkerReport& report, std::atomic<bool>& abort, const std::string& error,
                 ErrorCode code = ErrorCode::kIo) {
  if (report.error.empty()) {
    report.error = error;
    report.error_code = code;
  }
  abort.store(true, std::memory_order_relaxed);
}

// What a UDP client says when a socket error means the server is gone or unreachable; `what`
// names what it sent ("datagrams", "requests").
std::string udp_peer_error(int error, const char* what);

// The same metric set every tool reports for the client side, from the merged counts.
Json client_metrics(const Workload& workload, const Counts& counts, double seconds,
                    const LatencyHistogram* histogram);
// Adds rtt_min_us ... rtt_max_us from a histogram to `metrics`.
void add_rtt_metrics(Json& metrics, const LatencyHistogram& histogram);

}  // namespace nictune::load

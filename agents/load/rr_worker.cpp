#include "agents/load/rr_worker.hpp"

#include <algorithm>

namespace nictune::load {

RrWorker::RrWorker(const Workload& workload, const RunOptions& options, unsigned index)
    : w_(workload), options_(options), flow_ids_(flows_of_worker(workload, index)) {}

void RrWorker::size_flows() {
  const std::size_t n = fds_.size();
  start_ns_.assign(n, 0);
  done_ns_.assign(n, 0);
  waiting_.assign(n, 0);
}

void RrWorker::run(const RunClock& clock, std::atomic<bool>& abort) {
  const std::size_t n = fds_.size();
  // One pacer unit is a round: one request per flow.
  Pacer pacer(w_.rate_pps / w_.flows, clock.start_ns, 1);
  PhaseTracker tracker(clock);
  IntervalHistograms histograms(report);
  const auto reply_timeout_ns = static_cast<std::int64_t>(w_.reply_timeout_ms) * 1000000;
  const auto peer_timeout_ns = static_cast<std::int64_t>(w_.peer_timeout_s * 1e9);
  const auto payload = static_cast<std::uint64_t>(w_.payload);
  std::vector<char> sent(n, 0);
  std::int64_t progress_ns = clock.start_ns;
  double cpu_start = 0;
  bool measuring_seen = false;
  auto read = [this](std::size_t i, int flags) { return try_read(i, flags); };

  while (!abort.load(std::memory_order_relaxed)) {
    std::int64_t now = now_ns();
    if (tracker.update(now)) {
      if (tracker.phase() == Phase::kDone) break;
      if (!measuring_seen) {
        measuring_seen = true;
        cpu_start = thread_cpu_seconds();
        measure_started();
      }
    }
    if (!pacer.unlimited() && pacer.allow(now, tracker.next_boundary()) == 0) continue;
    pacer.sent(1);
    const bool measuring = tracker.phase() == Phase::kMeasure;
    const std::uint32_t interval = tracker.interval();
    Counts& counts = measuring ? report.intervals[interval] : report.warmup;
    std::size_t outstanding = 0;
    for (std::size_t i = 0; i < n; ++i) {
      ++counts.tx_packets;
      counts.tx_bytes += payload;
      // Clock reads cost 30-150 ns on some VMs: the first request reuses the loop's reading.
      start_ns_[i] = i == 0 ? now : now_ns();
      SendResult r = send_request(i, tracker.phase(), interval);
      if (r == SendResult::kFailed) {
        fail(report, abort, error_);
        break;
      }
      sent[i] = r == SendResult::kSent;
      waiting_[i] = sent[i];
      outstanding += sent[i];
    }
    if (abort.load(std::memory_order_relaxed)) break;
    if (outstanding &&
        !wait_replies(w_.poll_mode, fds_, waiting_, outstanding, now + reply_timeout_ns, read)) {
      fail(report, abort, error_);
      break;
    }
    std::int64_t last_reply = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const bool completed = sent[i] && !waiting_[i];
      if (!completed && sent[i] && !missed(i)) {
        fail(report, abort, error_);
        break;
      }
      end_round(i);
      waiting_[i] = 0;
      if (!completed) {
        ++counts.lost;
        continue;
      }
      last_reply = std::max(last_reply, done_ns_[i]);
      ++counts.rx_packets;
      counts.rx_bytes += payload;
      if (measuring) {
        histograms.record(interval, static_cast<std::uint64_t>(done_ns_[i] - start_ns_[i]));
        measured_reply(i);
      }
    }
    if (abort.load(std::memory_order_relaxed)) break;
    if (last_reply) {
      progress_ns = last_reply;
    } else if (now_ns() - progress_ns > peer_timeout_ns) {
      fail(report, abort,
           "no reply from the target for " + std::to_string(w_.peer_timeout_s) +
               " s: is the server still running?");
      break;
    }
  }
  histograms.finish();
  report.cpu_seconds = measuring_seen ? thread_cpu_seconds() - cpu_start : 0;
  finished();
}

}  // namespace nictune::load

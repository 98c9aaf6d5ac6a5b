// udp_rr client: closed-loop request/response over connected UDP sockets, one outstanding
// request per flow. A worker sends one request on each of its flows, then waits for the
// replies in the workload's poll mode; the RTT is taken around that exchange in user space
// (and, with timestamps, also from the kernel's receive timestamp). A reply later than
// reply_timeout_ms counts as lost, so requests = replies + lost.
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>

#include "agents/load/builtin.hpp"
#include "agents/load/client_run.hpp"
#include "agents/load/rr_wait.hpp"
#include "agents/load/server_util.hpp"

namespace nictune::load {
namespace {

class UdpRrWorker : public ClientWorker {
 public:
  UdpRrWorker(const Workload& w, const RunOptions& options, unsigned index)
      : w_(w), options_(options), flow_ids_(flows_of_worker(w, index)) {}

  void setup() override {
    SockAddr target = parse_address(options_.target, options_.port, "target");
    const int io_ms = std::min(w_.reply_timeout_ms, 100);
    for (std::size_t k = 0; k < flow_ids_.size(); ++k) {
      Fd fd = make_socket(target.family(), SOCK_DGRAM);
      if (!options_.bind.empty()) bind_to(fd.get(), parse_address(options_.bind, 0, "bind"));
      if (w_.effective_busy_poll_us() > 0) {
        set_option(fd.get(), SOL_SOCKET, SO_BUSY_POLL, w_.effective_busy_poll_us(), "SO_BUSY_POLL");
      }
      if (w_.timestamps) set_option(fd.get(), SOL_SOCKET, SO_TIMESTAMPNS, 1, "SO_TIMESTAMPNS");
      connect_bounded(fd.get(), target, io_ms);
      set_io_timeout(fd.get(), io_ms);
      fds_.push_back(fd.get());
      owned_.push_back(std::move(fd));
    }
    const std::size_t n = flow_ids_.size();
    requests_.assign(n, std::vector<char>(static_cast<std::size_t>(w_.payload), 'r'));
    reply_.assign(static_cast<std::size_t>(w_.payload) + 64, 0);
    seq_.assign(n, 0);
    sent_ns_.assign(n, 0);
    sent_rt_.assign(n, 0);
    done_ns_.assign(n, 0);
    kernel_ns_.assign(n, 0);
    waiting_.assign(n, 0);
  }

  void run(const RunClock& clock, std::atomic<bool>& abort) override {
    const std::size_t n = fds_.size();
    // One unit is a round of one request per flow.
    Pacer pacer(w_.rate_pps / w_.flows, clock.start_ns, 1);
    PhaseTracker tracker(clock);
    IntervalHistograms histograms(report);
    const auto reply_timeout_ns = static_cast<std::int64_t>(w_.reply_timeout_ms) * 1000000;
    const auto peer_timeout_ns = static_cast<std::int64_t>(w_.peer_timeout_s * 1e9);
    const auto payload = static_cast<std::uint64_t>(w_.payload);
    std::int64_t progress_ns = clock.start_ns;
    double cpu_start = 0;
    bool measuring_seen = false;
    std::uint64_t stale = 0;
    std::string read_error;

    auto try_read = [&](std::size_t i, int flags) -> ReadResult {
      for (;;) {
        ssize_t r;
        std::int64_t kernel_rt = 0;
        if (w_.timestamps) {
          iovec iov{reply_.data(), reply_.size()};
          alignas(cmsghdr) char control[CMSG_SPACE(sizeof(timespec))];
          msghdr m{};
          m.msg_iov = &iov;
          m.msg_iovlen = 1;
          m.msg_control = control;
          m.msg_controllen = sizeof control;
          r = recvmsg(fds_[i], &m, flags);
          if (r > 0) {
            for (cmsghdr* c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
              if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
                timespec ts;
                std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
                kernel_rt = static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
              }
            }
          }
        } else {
          r = recv(fds_[i], reply_.data(), reply_.size(), flags);
        }
        if (r < 0) {
          int e = errno;
          if (e == EAGAIN || e == EWOULDBLOCK || e == EINTR) return ReadResult::kAgain;
          read_error = udp_peer_error(e, "requests");
          return ReadResult::kFailed;
        }
        const std::int64_t t = now_ns();
        PacketHeader h;
        if (static_cast<std::size_t>(r) >= sizeof h) std::memcpy(&h, reply_.data(), sizeof h);
        if (static_cast<std::size_t>(r) < sizeof h || h.magic != kPacketMagic || h.seq != seq_[i]) {
          ++stale;  // a late reply to an earlier request, or not ours: keep waiting
          flags = MSG_DONTWAIT;
          continue;
        }
        done_ns_[i] = t;
        kernel_ns_[i] = kernel_rt;
        if (w_.incoming_cpu) {
          int cpu = -1;
          socklen_t len = sizeof cpu;
          if (getsockopt(fds_[i], SOL_SOCKET, SO_INCOMING_CPU, &cpu, &len) == 0) ++incoming_[cpu];
        }
        return ReadResult::kDone;
      }
    };

    while (!abort.load(std::memory_order_relaxed)) {
      std::int64_t now = now_ns();
      if (tracker.update(now)) {
        if (tracker.phase() == Phase::kDone) break;
        if (!measuring_seen) {
          measuring_seen = true;
          cpu_start = thread_cpu_seconds();
        }
      }
      if (!pacer.unlimited() && pacer.allow(now, tracker.next_boundary()) == 0) continue;
      pacer.sent(1);
      const bool measuring = tracker.phase() == Phase::kMeasure;
      const std::uint32_t interval = tracker.interval();
      Counts& counts = measuring ? report.intervals[interval] : report.warmup;
      std::int64_t round_start = 0;
      for (std::size_t i = 0; i < n; ++i) {
        PacketHeader h{kPacketMagic,
                       static_cast<std::uint16_t>(flow_ids_[i]),
                       static_cast<std::uint8_t>(tracker.phase()),
                       0,
                       interval,
                       ++seq_[i]};
        std::memcpy(requests_[i].data(), &h, sizeof h);
        if (w_.timestamps) sent_rt_[i] = realtime_ns();
        // Clock reads cost ~150 ns on some VMs: the first request reuses the loop's reading.
        sent_ns_[i] = i == 0 ? now : now_ns();
        if (i == 0) round_start = sent_ns_[i];
        ssize_t r = send(fds_[i], requests_[i].data(), requests_[i].size(), 0);
        if (r < 0) {
          int e = errno;
          fail(report, abort, udp_peer_error(e, "requests"));
          break;
        }
        waiting_[i] = 1;
        ++counts.tx_packets;
        counts.tx_bytes += payload;
      }
      if (abort.load(std::memory_order_relaxed)) break;
      const std::int64_t deadline = round_start + reply_timeout_ns;
      if (!wait_replies(w_.poll_mode, fds_, waiting_, n, deadline, try_read)) {
        fail(report, abort, read_error);
        break;
      }
      std::int64_t last_reply = 0;
      for (std::size_t i = 0; i < n; ++i) {
        if (waiting_[i]) {
          waiting_[i] = 0;
          ++counts.lost;
          continue;
        }
        last_reply = std::max(last_reply, done_ns_[i]);
        ++counts.rx_packets;
        counts.rx_bytes += payload;
        if (measuring) {
          histograms.record(interval, static_cast<std::uint64_t>(done_ns_[i] - sent_ns_[i]));
          if (w_.timestamps && kernel_ns_[i] >= sent_rt_[i]) {
            kernel_rtt_.record(static_cast<std::uint64_t>(kernel_ns_[i] - sent_rt_[i]));
          }
        }
      }
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
    report.details["stale_replies"] = stale;
    if (w_.incoming_cpu) report.details["incoming_cpus"] = cpu_count_json(incoming_);
    if (w_.timestamps) report.details["kernel_rtt"] = kernel_rtt_.to_json();
  }

 private:
  const Workload& w_;
  const RunOptions& options_;
  std::vector<int> flow_ids_;
  std::vector<Fd> owned_;
  std::vector<int> fds_;
  std::vector<std::vector<char>> requests_;
  std::vector<char> reply_;
  std::vector<std::uint32_t> seq_;
  std::vector<std::int64_t> sent_ns_, sent_rt_, done_ns_, kernel_ns_;
  std::vector<char> waiting_;
  std::map<int, std::uint64_t> incoming_;
  LatencyHistogram kernel_rtt_;
};

}  // namespace

Json run_udp_rr(const Workload& workload, const RunOptions& options) {
  return run_client_workers(workload, options, [&](unsigned index) {
    return std::make_unique<UdpRrWorker>(workload, options, index);
  });
}

}  // namespace nictune::load

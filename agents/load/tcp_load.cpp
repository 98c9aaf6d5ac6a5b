// TCP clients. tcp_stream: each flow a connection, writes of `payload` bytes round-robin; the
// receive side is read from the connection's own TCP_INFO (bytes the receiver acknowledged), so
// rx is measured over exactly the client's window without help from the server. tcp_rr: one
// outstanding request per connection, like udp_rr. tcp_crr: per transaction a new connection:
// connect, request, response, the server closes, the client closes.
#include <linux/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

#include "agents/load/builtin.hpp"
#include "agents/load/client_run.hpp"
#include "agents/load/rr_worker.hpp"

namespace nictune::load {
namespace {

constexpr int kIoTimeoutMs = 100;

bool tcp_info_of(int fd, tcp_info& info) {
  info = {};
  socklen_t len = sizeof info;
  return getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) == 0;
}

std::string reset_text(int e) {
  if (e == ECONNRESET || e == EPIPE)
    return "the connection was reset by the target: did the server die?";
  if (e == ECONNREFUSED) return "the target refused the connection: is the server still running?";
  return errno_text(e);
}

// A TCP socket set up as the workload asks (source address, TCP_NODELAY for request/response,
// SO_BUSY_POLL), not yet connected.
Fd tcp_socket(const Workload& w, const RunOptions& options, int family) {
  Fd fd = make_socket(family, SOCK_STREAM);
  if (!options.bind.empty()) bind_to(fd.get(), parse_address(options.bind, 0, "bind"));
  if (w.is_rr()) set_option(fd.get(), IPPROTO_TCP, TCP_NODELAY, 1, "TCP_NODELAY");
  if (w.effective_busy_poll_us() > 0) {
    set_option(fd.get(), SOL_SOCKET, SO_BUSY_POLL, w.effective_busy_poll_us(), "SO_BUSY_POLL");
  }
  return fd;
}

Fd connect_tcp(const Workload& w, const RunOptions& options, const SockAddr& target,
               int timeout_ms) {
  Fd fd = tcp_socket(w, options, target.family());
  connect_bounded(fd.get(), target, timeout_ms);
  set_io_timeout(fd.get(), kIoTimeoutMs);
  return fd;
}

class TcpStreamWorker : public ClientWorker {
 public:
  TcpStreamWorker(const Workload& w, const RunOptions& options, unsigned index)
      : w_(w), options_(options), flow_ids_(flows_of_worker(w, index)) {}

  void setup() override {
    SockAddr target = parse_address(options_.target, options_.port, "target");
    for (std::size_t i = 0; i < flow_ids_.size(); ++i) {
      fds_.push_back(connect_tcp(w_, options_, target, static_cast<int>(w_.peer_timeout_s * 1000)));
    }
    buffer_.assign(static_cast<std::size_t>(w_.payload), 's');
    acked_.assign(fds_.size(), 0);
    retrans_.assign(fds_.size(), 0);
  }

  void run(const RunClock& clock, std::atomic<bool>& abort) override {
    const std::size_t n = fds_.size();
    Pacer pacer(w_.rate_pps * static_cast<double>(n) / w_.flows, clock.start_ns, 1);
    PhaseTracker tracker(clock);
    const auto peer_timeout_ns = static_cast<std::int64_t>(w_.peer_timeout_s * 1e9);
    std::int64_t progress_ns = clock.start_ns;
    Counts* counts = &report.warmup;
    double cpu_start = 0;
    std::size_t next = 0;
    std::uint64_t retransmits = 0;
    while (!abort.load(std::memory_order_relaxed)) {
      std::int64_t now = now_ns();
      if (tracker.update(now)) {
        // The receiver's progress per interval, from what it acknowledged.
        const bool was_measuring = counts != &report.warmup;
        for (std::size_t i = 0; i < n; ++i) {
          tcp_info info;
          if (!tcp_info_of(fds_[i].get(), info)) continue;
          if (was_measuring) {
            counts->rx_bytes += info.tcpi_bytes_acked - acked_[i];
            retransmits += info.tcpi_total_retrans - retrans_[i];
          }
          acked_[i] = info.tcpi_bytes_acked;
          retrans_[i] = info.tcpi_total_retrans;
        }
        if (tracker.phase() == Phase::kDone) break;
        if (!was_measuring) cpu_start = thread_cpu_seconds();
        counts = &report.intervals[tracker.interval()];
      }
      if (pacer.allow(now, tracker.next_boundary()) == 0) continue;
      int fd = fds_[next].get();
      next = next + 1 == n ? 0 : next + 1;
      ssize_t r = send(fd, buffer_.data(), buffer_.size(), MSG_NOSIGNAL);
      if (r < 0) {
        int e = errno;
        if (e == EINTR) continue;
        if (e == EAGAIN || e == EWOULDBLOCK) {
          if (now_ns() - progress_ns > peer_timeout_ns) {
            fail(report, abort,
                 "the target accepted no data for " + std::to_string(w_.peer_timeout_s) +
                     " s: is the server still running?");
            break;
          }
          continue;
        }
        fail(report, abort, reset_text(e));
        break;
      }
      progress_ns = now;
      pacer.sent(1);
      ++counts->tx_packets;
      counts->tx_bytes += static_cast<std::uint64_t>(r);
    }
    report.cpu_seconds = counts != &report.warmup ? thread_cpu_seconds() - cpu_start : 0;
    report.retransmits = retransmits;
    Json flows = Json::array();
    for (std::size_t i = 0; i < n; ++i) {
      tcp_info info;
      Json f{{"flow", flow_ids_[i]}, {"src_port", local_address(fds_[i].get()).port()}};
      if (tcp_info_of(fds_[i].get(), info)) {
        f["bytes_acked"] = info.tcpi_bytes_acked;
        f["total_retrans"] = info.tcpi_total_retrans;
        f["rtt_us"] = info.tcpi_rtt;
        f["snd_cwnd"] = info.tcpi_snd_cwnd;
      }
      flows.push_back(std::move(f));
    }
    report.details["flows"] = std::move(flows);
  }

 private:
  const Workload& w_;
  const RunOptions& options_;
  std::vector<int> flow_ids_;
  std::vector<Fd> fds_;
  std::vector<char> buffer_;
  std::vector<std::uint64_t> acked_, retrans_;
};

// tcp_rr and tcp_crr on the shared request/response loop: a reply is complete when `payload`
// bytes came back and, for tcp_crr, the server closed the connection.
class TcpRrWorker : public RrWorker {
 public:
  using RrWorker::RrWorker;

  void setup() override {
    target_ = parse_address(options_.target, options_.port, "target");
    const std::size_t n = flow_ids_.size();
    owned_.resize(n);
    fds_.assign(n, -1);
    for (std::size_t i = 0; i < n && !crr(); ++i) {
      owned_[i] = connect_tcp(w_, options_, target_, static_cast<int>(w_.peer_timeout_s * 1000));
      fds_[i] = owned_[i].get();
    }
    size_flows();
    request_.assign(static_cast<std::size_t>(w_.payload), 'q');
    reply_.assign(n, std::vector<char>(static_cast<std::size_t>(w_.payload)));
    got_.assign(n, 0);
    retrans_start_.assign(n, 0);
  }

 protected:
  SendResult send_request(std::size_t i, Phase, std::uint32_t) override {
    got_[i] = 0;
    if (crr()) {
      owned_[i] = tcp_socket(w_, options_, target_.family());
      fds_[i] = owned_[i].get();
      if (int e = try_connect(fds_[i], target_, w_.reply_timeout_ms)) {
        if (e == ETIMEDOUT) return SendResult::kLost;
        error_ = "connect to " + target_.to_string() + ": " + reset_text(e);
        return SendResult::kFailed;
      }
      set_io_timeout(fds_[i], kIoTimeoutMs);
    }
    const auto payload = static_cast<ssize_t>(request_.size());
    ssize_t r = send(fds_[i], request_.data(), request_.size(), MSG_NOSIGNAL);
    if (r != payload) {
      error_ = r < 0 ? reset_text(errno) : "short write of a request";
      return SendResult::kFailed;
    }
    return SendResult::kSent;
  }

  ReadResult try_read(std::size_t i, int flags) override {
    const std::size_t payload = request_.size();
    for (;;) {
      char sink;
      std::size_t want = got_[i] < payload ? payload - got_[i] : 1;
      char* into = got_[i] < payload ? reply_[i].data() + got_[i] : &sink;
      ssize_t r = recv(fds_[i], into, want, flags);
      if (r < 0) {
        int e = errno;
        if (e == EAGAIN || e == EWOULDBLOCK || e == EINTR) return ReadResult::kAgain;
        error_ = reset_text(e);
        return ReadResult::kFailed;
      }
      if (r == 0) {
        if (crr() && got_[i] == payload) {
          done_ns_[i] = now_ns();
          return ReadResult::kDone;
        }
        error_ = "the target closed the connection: did the server die?";
        return ReadResult::kFailed;
      }
      got_[i] += static_cast<std::size_t>(r);
      if (got_[i] > payload) {
        error_ = "the target sent more than one reply";
        return ReadResult::kFailed;
      }
      if (got_[i] == payload && !crr()) {
        done_ns_[i] = now_ns();
        return ReadResult::kDone;
      }
    }
  }

  // TCP retransmits on its own: a late reply would arrive out of turn, so a connection that
  // missed its deadline cannot be reused. tcp_rr fails; tcp_crr counts the connection lost.
  bool missed(std::size_t) override {
    if (crr()) return true;
    error_ = "no reply within reply_timeout_ms (" + std::to_string(w_.reply_timeout_ms) +
             " ms) on a TCP connection: is the server still running?";
    return false;
  }

  void end_round(std::size_t i) override {
    if (!crr()) return;
    owned_[i].reset();
    fds_[i] = -1;
  }

  void measure_started() override {
    for (std::size_t i = 0; i < fds_.size() && !crr(); ++i) {
      tcp_info info;
      if (tcp_info_of(fds_[i], info)) retrans_start_[i] = info.tcpi_total_retrans;
    }
  }

  void finished() override {
    for (std::size_t i = 0; i < fds_.size() && !crr(); ++i) {
      tcp_info info;
      if (tcp_info_of(fds_[i], info))
        report.retransmits += info.tcpi_total_retrans - retrans_start_[i];
    }
  }

 private:
  bool crr() const { return w_.type == WorkloadType::kTcpCrr; }
  SockAddr target_;
  std::vector<Fd> owned_;
  std::vector<char> request_;
  std::vector<std::vector<char>> reply_;
  std::vector<std::size_t> got_;
  std::vector<std::uint32_t> retrans_start_;
};

}  // namespace

Json run_tcp_stream(const Workload& workload, const RunOptions& options) {
  return run_client_workers(workload, options, [&](unsigned index) {
    return std::make_unique<TcpStreamWorker>(workload, options, index);
  });
}

Json run_tcp_rr(const Workload& workload, const RunOptions& options) {
  return run_client_workers(workload, options, [&](unsigned index) {
    return std::make_unique<TcpRrWorker>(workload, options, index);
  });
}

}  // namespace nictune::load

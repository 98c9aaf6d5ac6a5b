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
#include "agents/load/rr_worker.hpp"
#include "agents/load/server_util.hpp"

namespace nictune::load {
namespace {

class UdpRrWorker : public RrWorker {
 public:
  using RrWorker::RrWorker;

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
    size_flows();
    const std::size_t n = fds_.size();
    requests_.assign(n, std::vector<char>(static_cast<std::size_t>(w_.payload), 'r'));
    reply_.assign(static_cast<std::size_t>(w_.payload) + 64, 0);
    seq_.assign(n, 0);
    sent_rt_.assign(n, 0);
    kernel_ns_.assign(n, 0);
  }

 protected:
  SendResult send_request(std::size_t i, Phase phase, std::uint32_t interval) override {
    PacketHeader h{kPacketMagic,
                   static_cast<std::uint16_t>(flow_ids_[i]),
                   static_cast<std::uint8_t>(phase),
                   0,
                   interval,
                   ++seq_[i]};
    std::memcpy(requests_[i].data(), &h, sizeof h);
    if (w_.timestamps) sent_rt_[i] = realtime_ns();
    if (send(fds_[i], requests_[i].data(), requests_[i].size(), 0) < 0) {
      error_ = udp_peer_error(errno, "requests");
      return SendResult::kFailed;
    }
    return SendResult::kSent;
  }

  ReadResult try_read(std::size_t i, int flags) override {
    for (;;) {
      std::int64_t kernel_rt = 0;
      ssize_t r = w_.timestamps ? receive_with_timestamp(i, flags, kernel_rt)
                                : recv(fds_[i], reply_.data(), reply_.size(), flags);
      if (r < 0) {
        int e = errno;
        if (e == EAGAIN || e == EWOULDBLOCK || e == EINTR) return ReadResult::kAgain;
        error_ = udp_peer_error(e, "requests");
        return ReadResult::kFailed;
      }
      const std::int64_t t = now_ns();
      PacketHeader h;
      if (static_cast<std::size_t>(r) >= sizeof h) std::memcpy(&h, reply_.data(), sizeof h);
      if (static_cast<std::size_t>(r) < sizeof h || h.magic != kPacketMagic || h.seq != seq_[i]) {
        ++stale_;  // a late reply to an earlier request, or not ours: keep waiting
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
  }

  void measured_reply(std::size_t i) override {
    if (w_.timestamps && kernel_ns_[i] >= sent_rt_[i]) {
      kernel_rtt_.record(static_cast<std::uint64_t>(kernel_ns_[i] - sent_rt_[i]));
    }
  }

  void finished() override {
    report.details["stale_replies"] = stale_;
    if (w_.incoming_cpu) report.details["incoming_cpus"] = cpu_count_json(incoming_);
    if (w_.timestamps) report.details["kernel_rtt"] = kernel_rtt_.to_json();
  }

 private:
  ssize_t receive_with_timestamp(std::size_t i, int flags, std::int64_t& kernel_rt) {
    iovec iov{reply_.data(), reply_.size()};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(timespec))];
    msghdr m{};
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = control;
    m.msg_controllen = sizeof control;
    ssize_t r = recvmsg(fds_[i], &m, flags);
    if (r <= 0) return r;
    for (cmsghdr* c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
        timespec ts;
        std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
        kernel_rt = static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
      }
    }
    return r;
  }

  std::vector<Fd> owned_;
  std::vector<std::vector<char>> requests_;
  std::vector<char> reply_;
  std::vector<std::uint32_t> seq_;
  std::vector<std::int64_t> sent_rt_, kernel_ns_;
  std::uint64_t stale_ = 0;
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

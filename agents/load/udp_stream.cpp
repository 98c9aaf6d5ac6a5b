// udp_stream client: each flow is a connected UDP socket with its own source port (so RSS/RPS
// hash the flows apart); each worker thread sends batches with sendmmsg round-robin over its
// flows, at full speed or paced to its share of the target rate. With gso a batch is one send
// that the kernel cuts into datagrams (UDP_SEGMENT): the stack above the device runs once per
// batch instead of once per datagram.
#include <time.h>  // before linux/errqueue.h, which uses timespec

#include <linux/errqueue.h>
#include <netinet/udp.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "agents/load/builtin.hpp"
#include "agents/load/client_run.hpp"

namespace nictune::load {
namespace {

constexpr int kIoTimeoutMs = 100;
#ifndef UDP_SEGMENT
constexpr int UDP_SEGMENT = 103;  // linux/udp.h, kernel 4.18+; older libc headers lack it
#endif
// The kernel refuses a GSO send of more segments than this (UDP_MAX_SEGMENTS, 64 before 6.x)
// or of more than 64 KiB less the headers.
constexpr int kMaxGsoSegments = 64;
constexpr int kMaxGsoBytes = 65507;

class UdpStreamWorker : public ClientWorker {
 public:
  UdpStreamWorker(const Workload& w, const RunOptions& options, unsigned index)
      : w_(w), options_(options), flows_(flows_of_worker(w, index)) {}

  void setup() override {
    SockAddr target = parse_address(options_.target, options_.port, "target");
    for (int flow : flows_) {
      Fd fd = make_socket(target.family(), SOCK_DGRAM);
      const std::string& source =
          options_.flow_sources.empty()
              ? options_.bind
              : options_.flow_sources[std::size_t(flow) % options_.flow_sources.size()];
      if (!source.empty()) bind_to(fd.get(), parse_address(source, 0, "bind"));
      // ICMP errors (port unreachable: the server is gone) also go to the error queue, because
      // sendmmsg reports a pending error only when it hits the first datagram of a batch and
      // otherwise consumes it silently.
      const bool v6 = target.family() == AF_INET6;
      set_option(fd.get(), v6 ? IPPROTO_IPV6 : IPPROTO_IP, v6 ? IPV6_RECVERR : IP_RECVERR, 1,
                 "IP_RECVERR");
      connect_bounded(fd.get(), target, kIoTimeoutMs);
      set_io_timeout(fd.get(), kIoTimeoutMs);
      int src_port = local_address(fd.get()).port();
      sockets_.push_back({std::move(fd), flow, src_port, source, 0, 0});
    }
    const auto batch = static_cast<std::size_t>(w_.batch);
    if (w_.gso) {
      for (auto& flow : sockets_) {
        if (setsockopt(flow.fd.get(), IPPROTO_UDP, UDP_SEGMENT, &w_.payload, sizeof w_.payload))
          throw Error(ErrorCode::kUnsupported,
                      "gso: setsockopt(UDP_SEGMENT): " + errno_text(errno) +
                          " (kernel 4.18 or later needed); set \"gso\": false");
      }
      gso_segments_ = std::min({w_.batch, kMaxGsoSegments, kMaxGsoBytes / w_.payload});
      stride_ = static_cast<std::size_t>(w_.payload);  // one contiguous buffer, cut by the kernel
      buffer_.assign(batch * stride_, 'n');
      return;
    }
    stride_ = (static_cast<std::size_t>(w_.payload) + 7) & ~std::size_t{7};
    buffer_.assign(batch * stride_, 'n');
    iov_.resize(batch);
    msgs_.resize(batch);
    for (std::size_t i = 0; i < batch; ++i) {
      iov_[i] = {buffer_.data() + i * stride_, static_cast<std::size_t>(w_.payload)};
      msgs_[i] = {};
      msgs_[i].msg_hdr.msg_iov = &iov_[i];
      msgs_[i].msg_hdr.msg_iovlen = 1;
    }
  }

  void run(const RunClock& clock, std::atomic<bool>& abort) override {
    const double share = static_cast<double>(flows_.size()) / w_.flows;
    Pacer pacer(w_.rate_pps * share, clock.start_ns, static_cast<unsigned>(w_.batch));
    PhaseTracker tracker(clock);
    const auto payload = static_cast<std::uint64_t>(w_.payload);
    std::size_t next_flow = 0;
    std::int64_t progress_ns = clock.start_ns;
    const auto stall_ns = static_cast<std::int64_t>(w_.peer_timeout_s * 1e9);
    std::uint64_t blocked = 0;
    Counts* counts = &report.warmup;
    double cpu_start = 0;
    std::int64_t next_error_check = clock.start_ns;
    while (!abort.load(std::memory_order_relaxed)) {
      std::int64_t now = now_ns();
      if (now >= next_error_check) {
        next_error_check = now + kErrorCheckNs;
        if (int e = queued_error()) {
          fail(report, abort, udp_peer_error(e, "datagrams"));
          break;
        }
      }
      if (tracker.update(now)) {
        if (tracker.phase() == Phase::kDone) break;
        if (counts == &report.warmup) cpu_start = thread_cpu_seconds();
        counts = &report.intervals[tracker.interval()];
      }
      unsigned n = pacer.allow(now, tracker.next_boundary());
      if (n == 0) continue;
      if (w_.gso) n = std::min(n, static_cast<unsigned>(gso_segments_));
      Flow& flow = sockets_[next_flow];
      next_flow = next_flow + 1 == sockets_.size() ? 0 : next_flow + 1;
      PacketHeader header{kPacketMagic,
                          static_cast<std::uint16_t>(flow.id),
                          static_cast<std::uint8_t>(tracker.phase()),
                          0,
                          tracker.interval(),
                          flow.seq};
      for (unsigned i = 0; i < n; ++i) {
        std::memcpy(buffer_.data() + i * stride_, &header, sizeof header);
        ++header.seq;
      }
      int sent = send_batch(flow.fd.get(), n);
      if (sent < 0) {
        int e = errno;
        if (e == EINTR) continue;
        if (w_.gso && (e == EINVAL || e == EIO || e == EMSGSIZE)) {
          fail(report, abort, gso_refused(e));
          break;
        }
        if (e == EAGAIN || e == EWOULDBLOCK || e == ENOBUFS) {
          ++blocked;
          if (now - progress_ns > stall_ns) {
            fail(report, abort, "could not send for " + std::to_string(w_.peer_timeout_s) + " s");
          }
          continue;
        }
        fail(report, abort, udp_peer_error(e, "datagrams"));
        break;
      }
      progress_ns = now;
      flow.seq += static_cast<std::uint32_t>(sent);
      pacer.sent(static_cast<std::uint64_t>(sent));
      counts->tx_packets += static_cast<std::uint64_t>(sent);
      counts->tx_bytes += static_cast<std::uint64_t>(sent) * payload;
      if (counts != &report.warmup) flow.measured += static_cast<std::uint64_t>(sent);
    }
    report.cpu_seconds = thread_cpu_seconds() - cpu_start;
    Json flows = Json::array();
    for (const auto& f : sockets_) {
      Json flow{{"flow", f.id}, {"src_port", f.src_port}, {"tx_packets", f.measured}};
      if (!f.source.empty()) flow["source"] = f.source;
      flows.push_back(std::move(flow));
    }
    report.details["flows"] = std::move(flows);
    report.details["send_blocked"] = blocked;
    report.details["send_path"] = w_.gso ? "udp_gso" : "sendmmsg";
  }

 private:
  // Datagrams sent (n asked), or -1 with errno.
  int send_batch(int fd, unsigned n) {
    if (!w_.gso) return sendmmsg(fd, msgs_.data(), n, 0);
    ssize_t bytes = ::send(fd, buffer_.data(), n * stride_, 0);
    return bytes < 0 ? -1 : static_cast<int>(static_cast<std::size_t>(bytes) / stride_);
  }

  std::string gso_refused(int e) const {
    return "gso: the kernel refused a UDP_SEGMENT send of " + std::to_string(gso_segments_) +
           " x " + std::to_string(w_.payload) + " bytes: " + errno_text(e) +
           (e == EIO ? " (the route's device has no checksum offload)"
                     : " (payload plus headers must fit the path MTU)") +
           "; set \"gso\": false";
  }

  // The first error an ICMP message left on any flow's error queue, or 0.
  int queued_error() {
    for (auto& flow : sockets_) {
      char data[64];
      alignas(cmsghdr) char control[256];
      iovec iov{data, sizeof data};
      msghdr m{};
      m.msg_iov = &iov;
      m.msg_iovlen = 1;
      m.msg_control = control;
      m.msg_controllen = sizeof control;
      if (recvmsg(flow.fd.get(), &m, MSG_ERRQUEUE | MSG_DONTWAIT) < 0) continue;
      for (cmsghdr* c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
        if ((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RECVERR) ||
            (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_RECVERR)) {
          sock_extended_err error;
          std::memcpy(&error, CMSG_DATA(c), sizeof error);
          if (error.ee_errno) return static_cast<int>(error.ee_errno);
        }
      }
    }
    return 0;
  }

  static constexpr std::int64_t kErrorCheckNs = 20000000;

  struct Flow {
    Fd fd;
    int id;
    int src_port;
    std::string source;  // bound source address, "" when routing chose it
    std::uint32_t seq;
    std::uint64_t measured;
  };
  const Workload& w_;
  const RunOptions& options_;
  std::vector<int> flows_;
  std::vector<Flow> sockets_;
  std::size_t stride_ = 0;
  int gso_segments_ = 0;  // datagrams per GSO send
  std::vector<char> buffer_;
  std::vector<iovec> iov_;
  std::vector<mmsghdr> msgs_;
};

}  // namespace

Json run_udp_stream(const Workload& workload, const RunOptions& options) {
  return run_client_workers(workload, options, [&](unsigned index) {
    return std::make_unique<UdpStreamWorker>(workload, options, index);
  });
}

}  // namespace nictune::load

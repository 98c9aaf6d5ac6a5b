// UDP server side: a sink for udp_stream, an echo for udp_rr. One SO_REUSEPORT socket per
// server thread, all on the same port, so the kernel spreads flows over the threads; each thread
// is pinned round-robin to the serve CPUs and receives with recvmmsg. Packets are counted by the
// phase and interval the sender stamped in them, per flow.
#include <linux/sock_diag.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <map>
#include <thread>

#include "agents/load/builtin.hpp"
#include "agents/load/client_run.hpp"
#include "agents/load/server_util.hpp"

namespace nictune::load {
namespace {

constexpr int kIoTimeoutMs = 100;
constexpr std::int64_t kDrainLimitNs = 200000000;
constexpr int kReceiveBuffer = 8 << 20;

struct ThreadState {
  Fd fd;
  std::thread thread;
  int cpu = -1;
  std::uint64_t measured = 0;
  std::uint64_t measured_bytes = 0;
  std::uint64_t warmup = 0;
  std::uint64_t foreign = 0;  // not ours: no header, bad magic, unknown flow
  std::uint64_t echo_failed = 0;
  std::vector<std::uint64_t> per_flow;
  std::vector<std::uint64_t> per_interval;
  std::vector<std::uint64_t> per_interval_bytes;
  std::map<int, std::uint64_t> incoming_cpus;
  LatencyHistogram rx_to_user;  // kernel receive timestamp to user space (timestamps)
  CpuWindow cpu_window;
  std::string error;
};

class UdpServer : public LoadServer {
 public:
  UdpServer(const Workload& w, const ServeOptions& options) : w_(w), options_(options) {
    SockAddr address = parse_address(options.bind, options.port, "bind");
    const bool echo = w.type == WorkloadType::kUdpRr;
    for (int i = 0; i < w.threads; ++i) {
      auto st = std::make_unique<ThreadState>();
      st->fd = make_socket(address.family(), SOCK_DGRAM);
      int fd = st->fd.get();
      // Only for several sockets: a reuseport group costs a hash and a group lookup per datagram,
      // in softirq, often on the sender's CPU.
      if (w.threads > 1) set_option(fd, SOL_SOCKET, SO_REUSEPORT, 1, "SO_REUSEPORT");
      // A deep queue so a burst is not dropped while the thread is being scheduled; FORCE works
      // as root whatever rmem_max says.
      if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &kReceiveBuffer, sizeof kReceiveBuffer) != 0) {
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &kReceiveBuffer, sizeof kReceiveBuffer);
      }
      if (w.effective_busy_poll_us() > 0) {
        set_option(fd, SOL_SOCKET, SO_BUSY_POLL, w.effective_busy_poll_us(), "SO_BUSY_POLL");
      }
      if (w.timestamps) set_option(fd, SOL_SOCKET, SO_TIMESTAMPNS, 1, "SO_TIMESTAMPNS");
      bind_to(fd, address);
      if (i == 0) address.set_port(local_address(fd).port());
      set_io_timeout(fd, kIoTimeoutMs);
      st->per_flow.assign(static_cast<std::size_t>(w.flows), 0);
      st->per_interval.assign(w.interval_count(), 0);
      st->per_interval_bytes.assign(w.interval_count(), 0);
      threads_.push_back(std::move(st));
    }
    port_ = address.port();
    for (std::size_t i = 0; i < threads_.size(); ++i) {
      ThreadState* st = threads_[i].get();
      st->thread = std::thread([this, st, i, echo] { serve(*st, i, echo); });
    }
  }

  ~UdpServer() override {
    if (!stopped_) stop();
  }

  int port() const override { return port_; }

  Json stop() override {
    stopped_ = true;
    stop_.store(true);
    for (auto& st : threads_) {
      if (st->thread.joinable()) st->thread.join();
    }
    Json result = summarize();
    // Closed now, not when the object goes: a client still sending learns at once (ICMP).
    for (auto& st : threads_) st->fd.reset();
    return result;
  }

 private:
  void serve(ThreadState& st, std::size_t index, bool echo) {
    try {
      if (!options_.cpus.empty()) pin_current_thread(options_.cpus[index % options_.cpus.size()]);
    } catch (const std::exception& e) {
      st.error = e.what();
      return;
    }
    st.cpu = current_cpu();
    // An echo has at most one request per flow in flight: a longer vector only makes recvmmsg
    // try again for datagrams that cannot be there yet.
    const auto batch = static_cast<std::size_t>(echo ? std::min(w_.batch, w_.flows) : w_.batch);
    const std::size_t slot = (static_cast<std::size_t>(w_.payload) + 64 + 7) & ~std::size_t{7};
    constexpr std::size_t kControl = CMSG_SPACE(sizeof(timespec));
    std::vector<char> buffer(batch * slot);
    std::vector<char> control(w_.timestamps ? batch * kControl : 0);
    std::vector<sockaddr_storage> names(echo ? batch : 0);
    std::vector<iovec> iov(batch), out_iov(echo ? batch : 0);
    std::vector<mmsghdr> msgs(batch), out(echo ? batch : 0);
    for (std::size_t i = 0; i < batch; ++i) {
      iov[i] = {buffer.data() + i * slot, slot};
      msgs[i] = {};
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
      if (echo) {
        msgs[i].msg_hdr.msg_name = &names[i];
        out[i] = {};
        out[i].msg_hdr.msg_name = &names[i];
        out[i].msg_hdr.msg_iov = &out_iov[i];
        out[i].msg_hdr.msg_iovlen = 1;
      }
      if (w_.timestamps) msgs[i].msg_hdr.msg_control = control.data() + i * kControl;
    }
    const bool spin = w_.poll_mode == PollMode::kSpin;
    const std::uint32_t flows = static_cast<std::uint32_t>(w_.flows);
    const std::uint32_t intervals = static_cast<std::uint32_t>(st.per_interval.size());
    std::int64_t stop_seen = 0;
    int used = static_cast<int>(batch);
    for (;;) {
      const bool stopping = stop_.load(std::memory_order_relaxed);
      if (stopping) {
        if (stop_seen == 0) stop_seen = now_ns();
        if (now_ns() - stop_seen > kDrainLimitNs) break;
      }
      for (int i = 0; i < used; ++i) {
        if (echo) msgs[i].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
        if (w_.timestamps) msgs[i].msg_hdr.msg_controllen = kControl;
      }
      int flags = spin || stopping ? MSG_DONTWAIT : MSG_WAITFORONE;
      int n = receive(st.fd.get(), msgs.data(), batch, flags);
      if (n <= 0) {
        int e = errno;
        if (n == 0 || e == EAGAIN || e == EWOULDBLOCK || e == EINTR) {
          if (stopping) break;  // drained
          continue;
        }
        st.error = "recvmmsg: " + errno_text(e);
        break;
      }
      used = n;
      // The user-space arrival time first, then the answer, then the bookkeeping.
      if (w_.timestamps) record_rx_delay(st, msgs.data(), n);
      if (echo) echo_back(st, msgs.data(), out.data(), out_iov.data(), n);
      std::uint64_t measured = 0;
      for (int i = 0; i < n; ++i) {
        const unsigned len = msgs[i].msg_len;
        PacketHeader h;
        if (len < sizeof h) {
          ++st.foreign;
          continue;
        }
        std::memcpy(&h, buffer.data() + static_cast<std::size_t>(i) * slot, sizeof h);
        if (h.magic != kPacketMagic || h.flow >= flows) {
          ++st.foreign;
        } else if (h.phase == static_cast<std::uint8_t>(Phase::kMeasure)) {
          ++measured;
          st.measured_bytes += len;
          ++st.per_flow[h.flow];
          if (h.interval < intervals) {
            ++st.per_interval[h.interval];
            st.per_interval_bytes[h.interval] += len;
          }
        } else {
          ++st.warmup;
        }
      }
      st.measured += measured;
      if (w_.incoming_cpu) {
        int cpu = -1;
        socklen_t len = sizeof cpu;
        if (getsockopt(st.fd.get(), SOL_SOCKET, SO_INCOMING_CPU, &cpu, &len) == 0) {
          st.incoming_cpus[cpu] += static_cast<std::uint64_t>(n);
        }
      }
      if (measured) st.cpu_window.note(now_ns());
    }
  }

  static void record_rx_delay(ThreadState& st, mmsghdr* msgs, int n) {
    const std::int64_t user = realtime_ns();
    for (int i = 0; i < n; ++i) {
      msghdr& m = msgs[i].msg_hdr;
      for (cmsghdr* c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
          timespec ts;
          std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
          std::int64_t kernel = static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
          if (user >= kernel) st.rx_to_user.record(static_cast<std::uint64_t>(user - kernel));
        }
      }
    }
  }

  // recvmmsg, or for a one-entry vector (an echo for one flow) the lightest call that does the
  // job: recvfrom, or recvmsg when control data (timestamps) is wanted. A spinning echo shows
  // every 100 ns of system call overhead in the RTT.
  static int receive(int fd, mmsghdr* msgs, std::size_t batch, int flags) {
    if (batch > 1) return recvmmsg(fd, msgs, static_cast<unsigned>(batch), flags, nullptr);
    msghdr& m = msgs[0].msg_hdr;
    flags &= ~MSG_WAITFORONE;
    ssize_t r = m.msg_control ? ::recvmsg(fd, &m, flags)
                              : ::recvfrom(fd, m.msg_iov->iov_base, m.msg_iov->iov_len, flags,
                                           static_cast<sockaddr*>(m.msg_name), &m.msg_namelen);
    if (r < 0) return -1;
    msgs[0].msg_len = static_cast<unsigned>(r);
    return 1;
  }

  static void echo_back(ThreadState& st, mmsghdr* in, mmsghdr* out, iovec* out_iov, int n) {
    for (int i = 0; i < n; ++i) {
      out_iov[i] = {in[i].msg_hdr.msg_iov->iov_base, in[i].msg_len};
      out[i].msg_hdr.msg_namelen = in[i].msg_hdr.msg_namelen;
    }
    int done = 0;
    while (done < n) {
      // One datagram: sendto, the lightest call (see receive()).
      const msghdr& m = out[0].msg_hdr;
      int sent = n == 1 ? (::sendto(st.fd.get(), m.msg_iov->iov_base, m.msg_iov->iov_len, 0,
                                    static_cast<const sockaddr*>(m.msg_name), m.msg_namelen) >= 0
                               ? 1
                               : -1)
                        : sendmmsg(st.fd.get(), out + done, static_cast<unsigned>(n - done), 0);
      if (sent <= 0) {
        if (sent < 0 && errno == EINTR) continue;
        // Unreachable or gone peers: skip the datagram, the client counts it as lost.
        ++st.echo_failed;
        ++done;
        continue;
      }
      done += sent;
    }
  }

  Json summarize() {
    std::uint64_t measured = 0, bytes = 0, warmup = 0, foreign = 0;
    std::vector<std::uint64_t> per_flow(static_cast<std::size_t>(w_.flows), 0);
    std::vector<std::uint64_t> per_interval(w_.interval_count(), 0),
        per_interval_bytes(w_.interval_count(), 0);
    std::map<int, std::uint64_t> incoming;
    LatencyHistogram rx_to_user;
    CpuWindow cpu;
    Json threads = Json::array();
    std::vector<std::string> errors;
    for (const auto& st : threads_) {
      measured += st->measured;
      bytes += st->measured_bytes;
      warmup += st->warmup;
      foreign += st->foreign;
      for (std::size_t f = 0; f < per_flow.size(); ++f) per_flow[f] += st->per_flow[f];
      for (std::size_t i = 0; i < per_interval.size(); ++i) {
        per_interval[i] += st->per_interval[i];
        per_interval_bytes[i] += st->per_interval_bytes[i];
      }
      for (const auto& [c, count] : st->incoming_cpus) incoming[c] += count;
      rx_to_user.merge(st->rx_to_user);
      cpu.merge(st->cpu_window);
      Json t{{"cpu", st->cpu},
             {"rx_packets", st->measured},
             {"warmup_packets", st->warmup},
             {"foreign_packets", st->foreign},
             {"socket_drops", socket_drops(st->fd.get())}};
      if (w_.type == WorkloadType::kUdpRr) t["echo_failed"] = st->echo_failed;
      if (!st->error.empty()) {
        t["error"] = st->error;
        errors.push_back(st->error);
      }
      threads.push_back(std::move(t));
    }
    Json metrics = stream_rx_metrics(w_, measured, bytes, per_flow);
    if (cpu.valid()) metrics["serve_cpu_util"] = cpu.utilisation();
    Json details{{"port", port_},
                 {"threads", std::move(threads)},
                 {"flows", per_flow},
                 {"warmup_packets", warmup},
                 {"foreign_packets", foreign}};
    if (w_.incoming_cpu) details["incoming_cpus"] = cpu_count_json(incoming);
    if (w_.timestamps) details["rx_to_user"] = rx_to_user.to_json();
    if (!errors.empty()) details["errors"] = errors;
    return Json{{"metrics", std::move(metrics)},
                {"counts", Json{{"rx_packets", measured}, {"rx_bytes", bytes}}},
                {"intervals", rx_intervals(w_, per_interval, per_interval_bytes)},
                {"details", std::move(details)}};
  }

  static std::uint64_t socket_drops(int fd) {
    std::uint32_t info[SK_MEMINFO_VARS] = {};
    socklen_t len = sizeof info;
    if (getsockopt(fd, SOL_SOCKET, SO_MEMINFO, info, &len) != 0) return 0;
    return info[SK_MEMINFO_DROPS];
  }

  Workload w_;
  ServeOptions options_;
  std::vector<std::unique_ptr<ThreadState>> threads_;
  std::atomic<bool> stop_{false};
  bool stopped_ = false;
  int port_ = 0;
};

}  // namespace

std::unique_ptr<LoadServer> start_udp_server(const Workload& workload,
                                             const ServeOptions& options) {
  return std::make_unique<UdpServer>(workload, options);
}

}  // namespace nictune::load

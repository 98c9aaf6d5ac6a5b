// TCP server side. tcp_stream and tcp_rr: an acceptor hands each connection to its own thread,
// pinned round-robin to the serve CPUs (a connection is a flow, so this is the per-flow
// placement the workload asks for). tcp_crr: `threads` SO_REUSEPORT listeners, each thread
// accepting, answering and closing one connection after the other.
#include <linux/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <list>
#include <map>
#include <mutex>
#include <thread>

#include "agents/load/builtin.hpp"
#include "agents/load/server_util.hpp"
#include "agents/load/sys_util.hpp"
#include "core/errors.hpp"

namespace nictune::load {
namespace {

constexpr int kIoTimeoutMs = 100;
constexpr std::size_t kMaxConnections = 4096;

struct ConnState {
  Fd fd;
  std::thread thread;
  int cpu = -1;
  int incoming_cpu = -1;
  std::uint64_t bytes = 0;
  std::uint64_t transactions = 0;
  std::int64_t first_ns = 0;
  std::int64_t last_ns = 0;
  CpuWindow cpu_window;
  std::string error;
};

class TcpServer : public LoadServer {
 public:
  TcpServer(const Workload& w, const ServeOptions& options) : w_(w), options_(options) {
    SockAddr address = parse_address(options.bind, options.port, "bind");
    const int listeners = crr() ? w.threads : 1;
    for (int i = 0; i < listeners; ++i) {
      Fd fd = make_socket(address.family(), SOCK_STREAM);
      set_option(fd.get(), SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR");
      if (crr()) set_option(fd.get(), SOL_SOCKET, SO_REUSEPORT, 1, "SO_REUSEPORT");
      if (w.effective_busy_poll_us() > 0) {
        set_option(fd.get(), SOL_SOCKET, SO_BUSY_POLL, w.effective_busy_poll_us(), "SO_BUSY_POLL");
      }
      bind_to(fd.get(), address);
      if (i == 0) address.set_port(local_address(fd.get()).port());
      if (::listen(fd.get(), 4096) != 0) {
        throw Error(ErrorCode::kIo, "listen on " + address.to_string() + ": " + errno_text(errno));
      }
      set_io_timeout(fd.get(), kIoTimeoutMs);
      listeners_.push_back(std::move(fd));
    }
    port_ = address.port();
    for (std::size_t i = 0; i < listeners_.size(); ++i) {
      acceptors_.emplace_back([this, i] {
        try {
          if (!options_.cpus.empty()) {
            if (crr()) {
              pin_current_thread(options_.cpus[i % options_.cpus.size()]);
            } else {
              pin_current_thread(options_.cpus);
            }
          }
          accept_loop(listeners_[i].get());
        } catch (const std::exception& e) {
          std::lock_guard lock(mutex_);
          errors_.push_back(e.what());
        }
      });
    }
  }

  ~TcpServer() override {
    if (!stopped_) stop();
  }

  int port() const override { return port_; }

  Json stop() override {
    stopped_ = true;
    stop_.store(true);
    for (auto& t : acceptors_) {
      if (t.joinable()) t.join();
    }
    for (auto& c : conns_) {
      if (c.thread.joinable()) c.thread.join();
    }
    // Closed now, not when the object goes: a client still sending is reset at once.
    for (auto& c : conns_) c.fd.reset();
    listeners_.clear();
    return summarize();
  }

 private:
  bool crr() const { return w_.type == WorkloadType::kTcpCrr; }

  void accept_loop(int listener) {
    ConnState* crr_state = nullptr;
    if (crr()) {
      std::lock_guard lock(mutex_);
      crr_state = &conns_.emplace_back();
      crr_state->cpu = current_cpu();
    }
    std::vector<char> buffer(static_cast<std::size_t>(w_.payload));
    while (!stop_.load(std::memory_order_relaxed)) {
      int fd = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) {
        int e = errno;
        if (e == EAGAIN || e == EWOULDBLOCK || e == EINTR || e == ECONNABORTED) continue;
        throw Error(ErrorCode::kIo, "accept: " + errno_text(e));
      }
      if (crr()) {
        answer_and_close(Fd(fd), *crr_state, buffer);
        continue;
      }
      std::lock_guard lock(mutex_);
      if (conns_.size() >= kMaxConnections) {
        ::close(fd);
        ++refused_;
        continue;
      }
      ConnState& c = conns_.emplace_back();
      c.fd.reset(fd);
      std::size_t k = conns_.size() - 1;
      c.thread = std::thread([this, &c, k] { serve_connection(c, k); });
    }
  }

  // tcp_crr: one request, one response, the server closes first (like an HTTP/1.0 server), so
  // TIME_WAIT stays on this side and the client's ports do not run out.
  void answer_and_close(Fd fd, ConnState& st, std::vector<char>& buffer) {
    set_io_timeout(fd.get(), std::min(w_.reply_timeout_ms, 1000));
    set_option(fd.get(), IPPROTO_TCP, TCP_NODELAY, 1, "TCP_NODELAY");
    std::size_t got = 0;
    while (got < buffer.size()) {
      ssize_t r = recv(fd.get(), buffer.data() + got, buffer.size() - got, 0);
      if (r <= 0) {
        if (r < 0 && errno == EINTR) continue;
        return;
      }
      got += static_cast<std::size_t>(r);
    }
    if (send(fd.get(), buffer.data(), buffer.size(), MSG_NOSIGNAL) ==
        static_cast<ssize_t>(buffer.size())) {
      ++st.transactions;
      st.bytes += buffer.size();
      std::int64_t now = now_ns();
      if (!st.first_ns) st.first_ns = now;
      st.last_ns = now;
      st.cpu_window.note(now);
    }
  }

  void serve_connection(ConnState& c, std::size_t k) {
    try {
      if (!options_.cpus.empty()) pin_current_thread(options_.cpus[k % options_.cpus.size()]);
    } catch (const std::exception& e) {
      c.error = e.what();
      return;
    }
    c.cpu = current_cpu();
    const int fd = c.fd.get();
    set_io_timeout(fd, kIoTimeoutMs);
    if (w_.type == WorkloadType::kTcpRr) set_option(fd, IPPROTO_TCP, TCP_NODELAY, 1, "TCP_NODELAY");
    const bool stream = w_.type == WorkloadType::kTcpStream;
    const int flags = w_.poll_mode == PollMode::kSpin ? MSG_DONTWAIT : 0;
    const std::size_t payload = static_cast<std::size_t>(w_.payload);
    std::vector<char> buffer(stream ? std::max<std::size_t>(payload, 256 * 1024) : payload);
    std::size_t got = 0;
    while (!stop_.load(std::memory_order_relaxed)) {
      ssize_t r = recv(fd, buffer.data() + got, buffer.size() - got, flags);
      if (r < 0) {
        int e = errno;
        if (e == EAGAIN || e == EWOULDBLOCK || e == EINTR) continue;
        if (e != ECONNRESET) c.error = "recv: " + errno_text(e);
        break;
      }
      if (r == 0) break;  // the client is done
      c.bytes += static_cast<std::uint64_t>(r);
      if (!stream) {
        got += static_cast<std::size_t>(r);
        if (got < payload) continue;
        got = 0;
        // The answer first, the bookkeeping (a clock read) after.
        if (send(fd, buffer.data(), payload, MSG_NOSIGNAL) != static_cast<ssize_t>(payload)) break;
        ++c.transactions;
      }
      const std::int64_t now = now_ns();
      if (!c.first_ns) c.first_ns = now;
      c.last_ns = now;
      c.cpu_window.note(now);
    }
    if (w_.incoming_cpu) {
      socklen_t len = sizeof c.incoming_cpu;
      getsockopt(fd, SOL_SOCKET, SO_INCOMING_CPU, &c.incoming_cpu, &len);
    }
  }

  Json summarize() {
    std::uint64_t bytes = 0, transactions = 0;
    std::int64_t first = 0, last = 0;
    CpuWindow cpu;
    std::map<int, std::uint64_t> incoming;
    Json conns = Json::array();
    std::vector<std::string> errors = errors_;
    for (const auto& c : conns_) {
      bytes += c.bytes;
      transactions += c.transactions;
      if (c.first_ns && (!first || c.first_ns < first)) first = c.first_ns;
      last = std::max(last, c.last_ns);
      cpu.merge(c.cpu_window);
      Json j{{"cpu", c.cpu}, {"rx_bytes", c.bytes}};
      if (!w_.is_stream()) j["transactions"] = c.transactions;
      if (w_.incoming_cpu && c.incoming_cpu >= 0) {
        j["incoming_cpu"] = c.incoming_cpu;
        ++incoming[c.incoming_cpu];
      }
      if (!c.error.empty()) {
        j["error"] = c.error;
        errors.push_back(c.error);
      }
      conns.push_back(std::move(j));
    }
    // The server does not see the client's phases: rates here are over the time traffic
    // flowed, warm-up included. combine_load_results takes the measured window from the client.
    double active = last > first ? static_cast<double>(last - first) / 1e9 : 0.0;
    Json metrics = Json::object();
    if (active > 0) {
      metrics["rx_bps"] = static_cast<double>(bytes) * 8 / active;
      if (w_.type == WorkloadType::kTcpRr)
        metrics["transactions_per_s"] = static_cast<double>(transactions) / active;
      if (crr()) metrics["connections_per_s"] = static_cast<double>(transactions) / active;
    }
    if (cpu.valid()) metrics["serve_cpu_util"] = cpu.utilisation();
    Json details{{"port", port_}, {"active_s", active}, {"refused_connections", refused_}};
    details[crr() ? "threads" : "connections"] = std::move(conns);
    if (w_.incoming_cpu) details["incoming_cpus"] = cpu_count_json(incoming);
    if (!errors.empty()) details["errors"] = errors;
    return Json{{"metrics", std::move(metrics)},
                {"counts", Json{{"rx_bytes", bytes}, {"transactions", transactions}}},
                {"intervals", Json::array()},
                {"details", std::move(details)}};
  }

  Workload w_;
  ServeOptions options_;
  std::vector<Fd> listeners_;
  std::vector<std::thread> acceptors_;
  std::mutex mutex_;
  std::list<ConnState> conns_;  // stable addresses: threads hold references
  std::vector<std::string> errors_;
  std::uint64_t refused_ = 0;
  std::atomic<bool> stop_{false};
  bool stopped_ = false;
  int port_ = 0;
};

}  // namespace

std::unique_ptr<LoadServer> start_tcp_server(const Workload& workload,
                                             const ServeOptions& options) {
  return std::make_unique<TcpServer>(workload, options);
}

}  // namespace nictune::load

#include "agents/load/sys_util.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/cpu_set.hpp"
#include "core/errors.hpp"

namespace nictune::load {

void sleep_until_ns(std::int64_t deadline_ns) {
  timespec ts{static_cast<time_t>(deadline_ns / 1000000000),
              static_cast<long>(deadline_ns % 1000000000)};
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) == EINTR) {
  }
}

std::string errno_text(int error) {
  char buffer[256];
  // GNU strerror_r returns the text (possibly a static string, not the buffer).
  return strerror_r(error, buffer, sizeof buffer);
}

Fd& Fd::operator=(Fd&& other) noexcept {
  if (this != &other) reset(other.release());
  return *this;
}

void Fd::reset(int fd) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

int SockAddr::port() const {
  if (family() == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(&storage)->sin_port);
  if (family() == AF_INET6)
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_port);
  return 0;
}

void SockAddr::set_port(int port) {
  auto p = htons(static_cast<std::uint16_t>(port));
  if (family() == AF_INET) reinterpret_cast<sockaddr_in*>(&storage)->sin_port = p;
  if (family() == AF_INET6) reinterpret_cast<sockaddr_in6*>(&storage)->sin6_port = p;
}

std::string SockAddr::ip() const {
  char text[INET6_ADDRSTRLEN] = "?";
  if (family() == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&storage)->sin_addr, text,
              sizeof text);
  } else if (family() == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_addr, text,
              sizeof text);
  }
  return text;
}

std::string SockAddr::to_string() const {
  if (family() == AF_INET6) return "[" + ip() + "]:" + std::to_string(port());
  return ip() + ":" + std::to_string(port());
}

SockAddr parse_address(const std::string& ip, int port, const std::string& what) {
  if (port < 0 || port > 65535) {
    throw invalid(what + ": port " + std::to_string(port) + " is not in 0..65535");
  }
  SockAddr out;
  sockaddr_in v4{};
  sockaddr_in6 v6{};
  if (inet_pton(AF_INET, ip.c_str(), &v4.sin_addr) == 1) {
    v4.sin_family = AF_INET;
    std::memcpy(&out.storage, &v4, sizeof v4);
    out.length = sizeof v4;
  } else if (inet_pton(AF_INET6, ip.c_str(), &v6.sin6_addr) == 1) {
    v6.sin6_family = AF_INET6;
    std::memcpy(&out.storage, &v6, sizeof v6);
    out.length = sizeof v6;
  } else {
    throw invalid(what + ": expected a numeric IPv4 or IPv6 address, found \"" + ip + "\"");
  }
  out.set_port(port);
  return out;
}

SockAddr any_address(int family, int port) {
  return parse_address(family == AF_INET6 ? "::" : "0.0.0.0", port, "address");
}

SockAddr local_address(int fd) {
  SockAddr out;
  out.length = sizeof out.storage;
  if (getsockname(fd, out.get(), &out.length) != 0) {
    throw Error(ErrorCode::kIo, "getsockname: " + errno_text(errno));
  }
  return out;
}

Fd make_socket(int family, int type) {
  int fd = ::socket(family, type | SOCK_CLOEXEC, 0);
  if (fd < 0) throw Error(ErrorCode::kIo, "socket: " + errno_text(errno));
  return Fd(fd);
}

void set_option(int fd, int level, int name, int value, const char* what) {
  if (setsockopt(fd, level, name, &value, sizeof value) != 0) {
    int e = errno;
    throw Error(
        e == ENOPROTOOPT || e == EINVAL ? ErrorCode::kUnsupported : ErrorCode::kIo,
        std::string("setsockopt ") + what + "=" + std::to_string(value) + ": " + errno_text(e));
  }
}

void bind_to(int fd, const SockAddr& address) {
  if (::bind(fd, address.get(), address.length) != 0) {
    throw Error(ErrorCode::kIo, "cannot bind " + address.to_string() + ": " + errno_text(errno));
  }
}

int try_connect(int fd, const SockAddr& address, int timeout_ms) {
  int flags = fcntl(fd, F_GETFL);
  fcntl(fd, F_SETFL, flags | O_NONBLOCK);
  int rc = ::connect(fd, address.get(), address.length);
  int error = rc == 0 ? 0 : errno;
  if (error == EINPROGRESS) {
    pollfd p{fd, POLLOUT, 0};
    int ready;
    do {
      ready = ::poll(&p, 1, timeout_ms);
    } while (ready < 0 && errno == EINTR);
    if (ready == 0) {
      error = ETIMEDOUT;
    } else {
      socklen_t len = sizeof error;
      getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len);
    }
  }
  fcntl(fd, F_SETFL, flags);
  return error;
}

void connect_bounded(int fd, const SockAddr& address, int timeout_ms) {
  if (int error = try_connect(fd, address, timeout_ms)) {
    throw Error(ErrorCode::kIo, "connect to " + address.to_string() + ": " + errno_text(error));
  }
}

void set_io_timeout(int fd, int ms) {
  timeval tv{ms / 1000, (ms % 1000) * 1000};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

void pin_current_thread(const std::vector<unsigned>& cpus) {
  if (cpus.empty()) return;
  CpuSet set;
  for (unsigned cpu : cpus) set.add(cpu);
  std::size_t size = CPU_ALLOC_SIZE(set.span());
  cpu_set_t* mask = CPU_ALLOC(set.span());
  CPU_ZERO_S(size, mask);
  for (unsigned cpu : cpus) CPU_SET_S(cpu, size, mask);
  int rc = sched_setaffinity(0, size, mask);
  int e = errno;
  CPU_FREE(mask);
  if (rc != 0) {
    throw invalid("cannot pin a thread to CPU " + set.to_list() + ": " + errno_text(e) +
                  " (is the CPU online and allowed here?)");
  }
}

void pin_current_thread(unsigned cpu) {
  pin_current_thread(std::vector<unsigned>{cpu});
}

void check_cpus_usable(const std::vector<unsigned>& cpus, const std::string& what) {
  if (cpus.empty()) return;
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) return;  // cannot tell: pinning will say
  CpuSet usable;
  for (unsigned cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (CPU_ISSET(cpu, &allowed)) usable.add(cpu);
  }
  for (unsigned cpu : cpus) {
    if (!usable.contains(cpu)) {
      throw invalid(what + ": CPU " + std::to_string(cpu) +
                    " is not available here (usable: " + usable.to_list() + ")");
    }
  }
}

int current_cpu() {
  return sched_getcpu();
}

double thread_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_THREAD, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

std::vector<unsigned> parse_cpu_list(const std::string& text, const std::string& what) {
  if (text.empty()) return {};
  try {
    return CpuSet::parse_list(text).cpus();
  } catch (const Error& e) {
    throw invalid(what + ": " + e.what());
  }
}

}  // namespace nictune::load

// Small POSIX helpers for the load generators: monotonic time, owned descriptors, numeric socket
// addresses (no name service, so the static agent never needs NSS), socket options that fail
// loudly, thread pinning.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>

#include <cstdint>
#include <string>
#include <vector>

namespace nictune::load {

inline std::int64_t now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

inline std::int64_t realtime_ns() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// Sleeps until the CLOCK_MONOTONIC time `deadline_ns` (returns at once if it has passed).
void sleep_until_ns(std::int64_t deadline_ns);

// strerror text for errno values, thread-safe.
std::string errno_text(int error);

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd(Fd&& other) noexcept : fd_(other.release()) {}
  Fd& operator=(Fd&& other) noexcept;
  ~Fd() { reset(); }
  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void reset(int fd = -1);

 private:
  int fd_ = -1;
};

struct SockAddr {
  sockaddr_storage storage{};
  socklen_t length = 0;

  int family() const { return storage.ss_family; }
  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
  sockaddr* get() { return reinterpret_cast<sockaddr*>(&storage); }
  int port() const;
  void set_port(int port);
  std::string ip() const;
  std::string to_string() const;  // "127.0.0.1:5001", "[::1]:5001"
};

// A numeric IPv4 or IPv6 address (host names are refused: the agent does no name lookups).
// Throws Error(kInvalid) naming `what` ("target").
SockAddr parse_address(const std::string& ip, int port, const std::string& what);
// The wildcard address of the family of `like`.
SockAddr any_address(int family, int port = 0);
SockAddr local_address(int fd);

// socket(2) with SOCK_CLOEXEC; throws Error(kIo) with the reason.
Fd make_socket(int family, int type);
// setsockopt that throws Error(kIo or kUnsupported) naming the option.
void set_option(int fd, int level, int name, int value, const char* what);
// bind(2) that throws Error(kIo): "cannot bind <addr>: <reason>".
void bind_to(int fd, const SockAddr& address);
// connect(2) bounded by `timeout_ms` (also for TCP); 0 or the errno (ETIMEDOUT at the bound).
int try_connect(int fd, const SockAddr& address, int timeout_ms);
// try_connect that throws Error(kIo) with the reason,
// e.g. "connect to 198.18.0.2:5001: Connection refused".
void connect_bounded(int fd, const SockAddr& address, int timeout_ms);
// Sets SO_RCVTIMEO and SO_SNDTIMEO so every blocking call returns within `ms`.
void set_io_timeout(int fd, int ms);

// Pins the calling thread to one CPU; throws Error(kInvalid) when the CPU is not usable here.
void pin_current_thread(unsigned cpu);
// Pins the calling thread to a set of CPUs.
void pin_current_thread(const std::vector<unsigned>& cpus);
// Throws Error(kInvalid) naming `what` when a CPU is not in this process's allowed set.
void check_cpus_usable(const std::vector<unsigned>& cpus, const std::string& what);
// The CPU the calling thread runs on now.
int current_cpu();
// CPU seconds the calling thread has used (user + system).
double thread_cpu_seconds();
// Parses a CPU list ("0-3,8"); "" gives an empty list (no pinning).
std::vector<unsigned> parse_cpu_list(const std::string& text, const std::string& what);

}  // namespace nictune::load

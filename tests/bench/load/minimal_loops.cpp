#include "minimal_loops.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <sched.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <stdexcept>
#include <thread>

namespace nictune::load::bench {
namespace {

std::int64_t now() {
  timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return static_cast<std::int64_t>(t.tv_sec) * 1000000000 + t.tv_nsec;
}

void pin(unsigned cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  sched_setaffinity(0, sizeof set, &set);
}

sockaddr_in loopback(int port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  return a;
}

int bound_udp(sockaddr_in& address) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  int big = 8 << 20;  // as the built-in sink does
  setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof big);
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
    throw std::runtime_error("bind");
  socklen_t len = sizeof address;
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &len);
  return fd;
}

}  // namespace

double minimal_udp_stream_rx_pps(int payload, int batch, bool gso, double warmup_s, double seconds,
                                 LoopPlacement where) {
  sockaddr_in address = loopback(0);
  int rx = bound_udp(address);
  timeval tv{0, 100000};
  setsockopt(rx, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  const std::int64_t start = now() + 20000000;
  const std::int64_t measure = start + static_cast<std::int64_t>(warmup_s * 1e9);
  const std::int64_t end = measure + static_cast<std::int64_t>(seconds * 1e9);
  std::atomic<bool> stop{false};
  std::uint64_t received = 0;
  std::thread receiver([&] {
    pin(where.receiver_cpu);
    std::vector<char> buffer(static_cast<std::size_t>(batch) * 2048);
    std::vector<iovec> iov(static_cast<std::size_t>(batch));
    std::vector<mmsghdr> msgs(static_cast<std::size_t>(batch));
    for (int i = 0; i < batch; ++i) {
      iov[i] = {buffer.data() + i * 2048, 2048};
      msgs[i] = {};
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    std::uint64_t counted = 0;
    while (!stop.load(std::memory_order_relaxed)) {
      int n = recvmmsg(rx, msgs.data(), static_cast<unsigned>(batch), MSG_WAITFORONE, nullptr);
      if (n <= 0) continue;
      // The one clock read per batch the window needs (the built-in sink reads it too).
      std::int64_t t = now();
      if (t >= measure && t < end) counted += static_cast<std::uint64_t>(n);
    }
    received = counted;
  });
  std::thread sender([&] {
    pin(where.sender_cpu);
    int tx = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    connect(tx, reinterpret_cast<sockaddr*>(&address), sizeof address);
    std::vector<char> buffer(static_cast<std::size_t>(batch * payload), 'm');
    std::vector<iovec> iov(static_cast<std::size_t>(batch));
    std::vector<mmsghdr> msgs(static_cast<std::size_t>(batch));
    for (int i = 0; i < batch; ++i) {
      iov[i] = {buffer.data() + i * payload, static_cast<std::size_t>(payload)};
      msgs[i] = {};
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    if (gso && setsockopt(tx, IPPROTO_UDP, UDP_SEGMENT, &payload, sizeof payload) != 0)
      throw std::runtime_error("UDP_SEGMENT refused");
    while (now() < start) {
    }
    if (gso) {
      while (now() < end) send(tx, buffer.data(), buffer.size(), 0);
    } else {
      while (now() < end) sendmmsg(tx, msgs.data(), static_cast<unsigned>(batch), 0);
    }
    close(tx);
  });
  sender.join();
  usleep(200000);
  stop = true;
  receiver.join();
  close(rx);
  return static_cast<double>(received) / seconds;
}

std::vector<std::uint64_t> minimal_spin_pingpong_rtts(int payload, double warmup_s, double seconds,
                                                      LoopPlacement where) {
  sockaddr_in server_address = loopback(0);
  int server = bound_udp(server_address);
  std::atomic<bool> stop{false};
  std::thread echo([&] {
    pin(where.receiver_cpu);
    char buffer[2048];
    sockaddr_in peer{};
    while (!stop.load(std::memory_order_relaxed)) {
      socklen_t len = sizeof peer;
      ssize_t n = recvfrom(server, buffer, sizeof buffer, MSG_DONTWAIT,
                           reinterpret_cast<sockaddr*>(&peer), &len);
      if (n > 0)
        sendto(server, buffer, static_cast<std::size_t>(n), 0, reinterpret_cast<sockaddr*>(&peer),
               len);
    }
  });
  std::vector<std::uint64_t> rtts;
  std::thread client([&] {
    pin(where.sender_cpu);
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    connect(fd, reinterpret_cast<sockaddr*>(&server_address), sizeof server_address);
    std::vector<char> request(static_cast<std::size_t>(payload), 'p');
    char reply[2048];
    const std::int64_t measure = now() + static_cast<std::int64_t>(warmup_s * 1e9);
    const std::int64_t end = measure + static_cast<std::int64_t>(seconds * 1e9);
    rtts.reserve(static_cast<std::size_t>(seconds * 500000));
    for (;;) {
      std::int64_t t0 = now();
      if (t0 >= end) break;
      send(fd, request.data(), request.size(), 0);
      while (recv(fd, reply, sizeof reply, MSG_DONTWAIT) < 0) {
      }
      std::int64_t t1 = now();
      if (t0 >= measure) rtts.push_back(static_cast<std::uint64_t>(t1 - t0));
    }
    close(fd);
  });
  client.join();
  stop = true;
  echo.join();
  close(server);
  return rtts;
}

}  // namespace nictune::load::bench

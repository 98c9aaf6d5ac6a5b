// Running test code inside a network namespace without moving the test process: setns changes
// only the calling thread, so the code runs on a thread of its own that joined the namespace.
#pragma once

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <stdexcept>
#include <string>
#include <thread>

namespace nictune::testing {

// Moves the calling thread into network namespace `ns` (a name under /run/netns).
inline void enter_netns(const std::string& ns) {
  int fd = ::open(("/run/netns/" + ns).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error("cannot open namespace " + ns + ": " + std::strerror(errno));
  int rc = ::setns(fd, CLONE_NEWNET);
  int error = errno;
  ::close(fd);
  if (rc != 0) throw std::runtime_error("setns " + ns + " failed: " + std::strerror(error));
}

// Runs `f` on a thread that has entered network namespace `ns` ("" = stay) and returns its
// result; sockets and threads it creates belong to that namespace. Exceptions are forwarded.
template <typename F>
auto in_netns(const std::string& ns, F f) -> decltype(f()) {
  using R = decltype(f());
  std::exception_ptr error;
  R result{};
  std::thread t([&] {
    try {
      if (!ns.empty()) enter_netns(ns);
      result = f();
    } catch (...) {
      error = std::current_exception();
    }
  });
  t.join();
  if (error) std::rethrow_exception(error);
  return result;
}

}  // namespace nictune::testing

#include "agents/stdio_server.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace nictune::agent {
namespace {

bool write_all(int fd, const std::string& data) {
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

std::string to_string(StopReason reason) {
  switch (reason) {
    case StopReason::kEof:
      return "end of input";
    case StopReason::kSignal:
      return "signal";
    case StopReason::kShutdownRequest:
      return "shutdown request";
    case StopReason::kIoError:
      return "I/O error";
  }
  return "?";
}

ServeResult serve_stdio(rpc::MethodTable& methods, int in_fd, int out_fd) {
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGINT);
  sigaddset(&mask, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &mask, nullptr);
  int sfd = signalfd(-1, &mask, SFD_CLOEXEC);
  signal(SIGPIPE, SIG_IGN);

  bool shutdown_requested = false;
  methods.add("shutdown", [&shutdown_requested](const Json&) {
    shutdown_requested = true;
    return Json{{"ok", true}};
  });

  std::string buffer;
  char chunk[65536];
  ServeResult result{StopReason::kEof, 0};
  while (true) {
    pollfd fds[2] = {{in_fd, POLLIN, 0}, {sfd, POLLIN, 0}};
    int ready = ::poll(fds, sfd >= 0 ? 2 : 1, -1);
    if (ready < 0) {
      if (errno == EINTR) continue;
      result = {StopReason::kIoError, 0};
      break;
    }
    if (sfd >= 0 && (fds[1].revents & POLLIN)) {
      signalfd_siginfo info{};
      if (::read(sfd, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
        result = {StopReason::kSignal, static_cast<int>(info.ssi_signo)};
        break;
      }
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t n = ::read(in_fd, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        result = {n == 0 ? StopReason::kEof : StopReason::kIoError, 0};
        break;
      }
      buffer.append(chunk, static_cast<std::size_t>(n));
      std::size_t newline;
      while ((newline = buffer.find('\n')) != std::string::npos) {
        std::string line = buffer.substr(0, newline);
        buffer.erase(0, newline + 1);
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        if (auto response = rpc::handle_line(methods, line)) {
          if (!write_all(out_fd, *response + "\n")) return {StopReason::kIoError, 0};
        }
        if (shutdown_requested) return {StopReason::kShutdownRequest, 0};
      }
      if (buffer.size() > rpc::kMaxRequestBytes) {
        auto error = rpc::make_error_response(nullptr, rpc::kInvalidRequest,
                                              "request longer than 1 MiB", "invalid");
        write_all(out_fd, error.dump() + "\n");
        buffer.clear();
      }
    }
  }
  if (sfd >= 0) ::close(sfd);
  return result;
}

}  // namespace nictune::agent

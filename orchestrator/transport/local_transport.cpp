#include "orchestrator/transport/local_transport.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/process/args.hpp>
#include <boost/process/child.hpp>
#include <boost/process/exe.hpp>
#include <boost/process/extend.hpp>
#include <boost/process/io.hpp>
#include <boost/process/pipe.hpp>
#include <cerrno>
#include <cstring>

#include "orchestrator/transport/subprocess.hpp"
#include "orchestrator/transport/text.hpp"

namespace nictune {
namespace {

namespace bp = boost::process;
using Clock = std::chrono::steady_clock;

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

std::chrono::milliseconds left_until(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() < 0 ? std::chrono::milliseconds(0) : left;
}

// Runs in the forked child before exec: only async-signal-safe calls.
struct ChildSetup {
  template <typename Executor>
  void operator()(Executor&) const {
    // Its own process group: a Ctrl-C at the terminal reaches the orchestrator, which then
    // restores and closes in order, instead of killing the agent under it.
    setpgid(0, 0);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    signal(SIGPIPE, SIG_DFL);
    // Sockets other libraries opened without O_CLOEXEC (an SSH session to another host) must
    // not live on in the agent, or that host never sees the connection close.
#ifdef SYS_close_range
    syscall(SYS_close_range, 3U, ~0U, 4U /* CLOSE_RANGE_CLOEXEC */);
#endif
  }
};

}  // namespace

LocalTransport::LocalTransport(const HostSpec& spec, const TransportOptions& options)
    : role_(spec.role),
      netns_(spec.netns),
      close_grace_(options.close_grace),
      send_timeout_(options.command_timeout) {
  std::string agent = spec.agent_path.empty() ? options.agent_binary : spec.agent_path;
  std::string where = netns_.empty() ? "local" : "local, netns " + netns_;
  auto fail = [&](const std::string& what) {
    throw TransportError(TransportErrorKind::kUnreachable,
                         transport_label(role_, where) + ": cannot start the agent: " + what);
  };
  if (agent.empty())
    fail("no agent binary (build nictune-agent, or set agent_path or $NICTUNE_AGENT)");
  if (::access(agent.c_str(), X_OK) != 0) fail(agent + ": " + strerror(errno));

  std::string exe = agent;
  std::vector<std::string> args;
  if (!netns_.empty()) {
    struct stat st {};
    if (::stat(("/run/netns/" + netns_).c_str(), &st) != 0) {
      fail("network namespace \"" + netns_ +
           "\" does not exist (`ip netns list` shows the ones that do)");
    }
    exe = subprocess::find_program("ip");
    if (exe.empty()) fail("`ip` (iproute2) is not installed, and netns needs it");
    args = {"netns", "exec", netns_, agent};
  }
  args.insert(args.end(), options.agent_args.begin(), options.agent_args.end());

  int in[2], out[2], err[2], stop[2];
  if (::pipe2(in, O_CLOEXEC) != 0) fail(std::string("pipe: ") + strerror(errno));
  if (::pipe2(out, O_CLOEXEC) != 0) {
    ::close(in[0]), ::close(in[1]);
    fail(std::string("pipe: ") + strerror(errno));
  }
  if (::pipe2(err, O_CLOEXEC) != 0) {
    ::close(in[0]), ::close(in[1]), ::close(out[0]), ::close(out[1]);
    fail(std::string("pipe: ") + strerror(errno));
  }
  if (::pipe2(stop, O_CLOEXEC) != 0) {
    ::close(in[0]), ::close(in[1]), ::close(out[0]), ::close(out[1]), ::close(err[0]),
        ::close(err[1]);
    fail(std::string("pipe: ") + strerror(errno));
  }
  stop_read_fd_ = stop[0];
  stop_write_fd_ = stop[1];
  // Boost.Process hands the child its ends and closes them here once it started; the ends we
  // keep are O_CLOEXEC, so agents started later (other benches) never inherit them.
  bp::pipe in_pipe(in[0], in[1]);
  bp::pipe out_pipe(out[0], out[1]);
  bp::pipe err_pipe(err[0], err[1]);
  try {
    bp::child child(bp::exe = exe, bp::args = args, bp::std_in<in_pipe, bp::std_out> out_pipe,
                    bp::std_err > err_pipe, bp::extend::on_exec_setup = ChildSetup{});
    pid_ = child.id();
    // From here on the PID is ours to manage (reap, signal); the child object must not
    // terminate or wait on its own.
    child.detach();
  } catch (const std::exception& e) {
    close_fd(stop_read_fd_);
    close_fd(stop_write_fd_);
    fail(exe + ": " + e.what());
  }
  in_fd_ = in_pipe.native_sink();
  in_pipe.assign_sink(-1);
  out_fd_ = out_pipe.native_source();
  out_pipe.assign_source(-1);
  err_fd_ = err_pipe.native_source();
  err_pipe.assign_source(-1);
  ::fcntl(in_fd_, F_SETFL, ::fcntl(in_fd_, F_GETFL) | O_NONBLOCK);
  stderr_thread_ = std::thread([this] { stderr_loop(); });
}

LocalTransport::~LocalTransport() {
  try {
    close();
  } catch (...) {
    // A destructor must not throw; close() is bounded and kills what does not end.
  }
}

std::string LocalTransport::describe() const {
  return "local pid " + std::to_string(pid_) + (netns_.empty() ? "" : " in netns " + netns_);
}

std::string LocalTransport::stderr_tail() const {
  std::lock_guard lock(stderr_mutex_);
  return stderr_;
}

void LocalTransport::stderr_loop() {
  struct Done {
    std::atomic<bool>& flag;
    ~Done() { flag.store(true); }
  } done{stderr_done_};
  char chunk[4096];
  while (true) {
    pollfd fds[2] = {{err_fd_, POLLIN, 0}, {stop_read_fd_, POLLIN, 0}};
    int ready = ::poll(fds, 2, -1);
    if (ready < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t n = ::read(err_fd_, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;
      std::lock_guard lock(stderr_mutex_);
      transport_text::append_tail(stderr_, chunk, static_cast<std::size_t>(n));
      continue;
    }
    if (fds[1].revents) return;
  }
}

void LocalTransport::stop_stderr_reader(std::chrono::milliseconds drain) {
  if (!stderr_thread_.joinable()) return;
  // Normally stderr ends with the agent and the reader returns by itself. A grandchild that
  // inherited it (a load generator) may hold it open: then stop after a short drain instead of
  // waiting forever.
  auto deadline = Clock::now() + drain;
  while (!stderr_done_.load() && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  char byte = 1;
  (void)!::write(stop_write_fd_, &byte, 1);
  stderr_thread_.join();
}

bool LocalTransport::reap(std::chrono::milliseconds timeout) {
  if (reaped_) return true;
  auto deadline = Clock::now() + timeout;
  auto pause = std::chrono::milliseconds(1);
  while (true) {
    int status = 0;
    pid_t got = ::waitpid(pid_, &status, WNOHANG);
    if (got == pid_) {
      reaped_ = true;
      wait_status_ = status;
      return true;
    }
    if (got < 0 && errno != EINTR) {
      // Someone else reaped it (a SIGCHLD handler set to SIG_IGN): it is gone all the same.
      reaped_ = true;
      wait_status_ = -1;
      return true;
    }
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(20));
  }
}

std::string LocalTransport::exit_description() const {
  if (!reaped_) return "the agent closed its output but is still running";
  if (wait_status_ == -1) return "the agent exited";
  if (WIFEXITED(wait_status_)) {
    int code = WEXITSTATUS(wait_status_);
    if (!netns_.empty() && code == 255) return "the agent could not start in netns " + netns_;
    return "the agent exited with status " + std::to_string(code);
  }
  if (WIFSIGNALED(wait_status_)) {
    int sig = WTERMSIG(wait_status_);
    return std::string("the agent was killed by signal ") + std::to_string(sig) + " (" +
           strsignal(sig) + ")";
  }
  return "the agent ended";
}

void LocalTransport::throw_ended(const std::string& what) {
  reap(std::chrono::seconds(2));
  stop_stderr_reader(std::chrono::milliseconds(200));
  std::string message = label() + ": " + what + ": " + exit_description();
  std::string last = transport_text::last_lines(stderr_tail());
  if (!last.empty()) message += "; its stderr: " + last;
  throw TransportError(TransportErrorKind::kAgentCrash, message);
}

void LocalTransport::send_line(const std::string& line) {
  if (closed_) throw TransportError(TransportErrorKind::kProtocol, label() + ": send after close");
  if (in_fd_ < 0) throw_ended("cannot send");
  std::string data = line + "\n";
  std::size_t done = 0;
  auto deadline = Clock::now() + send_timeout_;
  // A dead agent must produce EPIPE here, not a SIGPIPE that ends the orchestrator: block the
  // signal for this thread while writing and swallow the one our write raised.
  sigset_t pipe_set, old_set;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set);
  int write_errno = 0;
  while (done < data.size()) {
    ssize_t n = ::write(in_fd_, data.data() + done, data.size() - done);
    if (n > 0) {
      done += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) {
      auto left = left_until(deadline);
      if (left.count() == 0) {
        write_errno = ETIMEDOUT;
        break;
      }
      pollfd fd{in_fd_, POLLOUT, 0};
      ::poll(&fd, 1, static_cast<int>(std::min<long long>(left.count(), 1000)));
      continue;
    }
    write_errno = n < 0 ? errno : EIO;
    break;
  }
  if (write_errno == EPIPE) {
    timespec zero{0, 0};
    sigtimedwait(&pipe_set, nullptr, &zero);
  }
  pthread_sigmask(SIG_SETMASK, &old_set, nullptr);
  if (write_errno == ETIMEDOUT) {
    throw TransportError(TransportErrorKind::kTimeout,
                         label() + ": the agent has not read its input for " +
                             transport_text::duration(send_timeout_));
  }
  if (write_errno != 0) {
    close_fd(in_fd_);
    throw_ended(std::string("cannot send (") + strerror(write_errno) + ")");
  }
}

std::string LocalTransport::receive_line(std::chrono::milliseconds timeout) {
  if (auto line = buffer_.next_line()) return *line;
  if (closed_)
    throw TransportError(TransportErrorKind::kProtocol, label() + ": receive after close");
  if (out_fd_ < 0) throw_ended("no more output");
  auto deadline = Clock::now() + timeout;
  char chunk[65536];
  while (true) {
    auto left = left_until(deadline);
    pollfd fd{out_fd_, POLLIN, 0};
    int ready = ::poll(&fd, 1, static_cast<int>(std::min<long long>(left.count(), 1 << 30)));
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) {
      throw TransportError(TransportErrorKind::kTimeout,
                           label() + ": no answer within " + transport_text::duration(timeout));
    }
    ssize_t n = ::read(out_fd_, chunk, sizeof chunk);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) {
      close_fd(out_fd_);
      throw_ended("the agent's output ended");
    }
    buffer_.append(chunk, static_cast<std::size_t>(n));
    if (auto line = buffer_.next_line()) return *line;
    if (buffer_.overflowed()) {
      throw TransportError(TransportErrorKind::kProtocol,
                           label() + ": the agent sent a line longer than " +
                               std::to_string(LineBuffer::kDefaultMaxLine >> 20) + " MiB");
    }
  }
}

void LocalTransport::close() {
  if (closed_) return;
  closed_ = true;
  // End of input: the agent restores what it changed and exits on its own.
  close_fd(in_fd_);
  if (!reap(close_grace_)) {
    ::kill(pid_, SIGTERM);
    if (!reap(std::chrono::seconds(3))) {
      ::kill(pid_, SIGKILL);
      reap(std::chrono::seconds(5));
    }
  }
  stop_stderr_reader(std::chrono::milliseconds(200));
  close_fd(out_fd_);
  close_fd(err_fd_);
  close_fd(stop_read_fd_);
  close_fd(stop_write_fd_);
}

}  // namespace nictune

#include "agents/knobs/program_run.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "agents/knobs/kernel_files.hpp"
#include "core/errors.hpp"

extern char** environ;

namespace nictune::agent {
namespace {

constexpr std::size_t kMaxErrorText = 4096;

std::string command_line(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& arg : argv) out += (out.empty() ? "" : " ") + arg;
  return out;
}

// Reads what is available; `open` turns false at end of file.
void drain(int fd, std::string& text, bool& open) {
  char buffer[1024];
  while (open) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n > 0) {
      std::size_t room = kMaxErrorText - std::min(kMaxErrorText, text.size());
      text.append(buffer, std::min(room, static_cast<std::size_t>(n)));
    } else if (n == 0) {
      open = false;
    } else if (errno != EINTR) {
      open = errno == EAGAIN;  // EAGAIN: nothing more for now
      return;
    }
  }
}

// The child starts with nothing of the agent's signal set-up: the agent blocks SIGTERM/SIGINT/
// SIGHUP (read through signalfd) and ignores SIGPIPE, and both would be inherited across exec.
class SpawnSetup {
 public:
  explicit SpawnSetup(int error_fd) {
    ::posix_spawn_file_actions_init(&actions_);
    ::posix_spawn_file_actions_addopen(&actions_, 0, "/dev/null", O_RDONLY, 0);
    ::posix_spawn_file_actions_addopen(&actions_, 1, "/dev/null", O_WRONLY, 0);
    ::posix_spawn_file_actions_adddup2(&actions_, error_fd, 2);
    ::posix_spawn_file_actions_addclosefrom_np(&actions_, 3);
    ::posix_spawnattr_init(&attr_);
    sigset_t none, defaults;
    sigemptyset(&none);
    sigemptyset(&defaults);
    for (int sig : {SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGCHLD}) sigaddset(&defaults, sig);
    ::posix_spawnattr_setsigmask(&attr_, &none);
    ::posix_spawnattr_setsigdefault(&attr_, &defaults);
    ::posix_spawnattr_setflags(&attr_, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  }
  ~SpawnSetup() {
    ::posix_spawn_file_actions_destroy(&actions_);
    ::posix_spawnattr_destroy(&attr_);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;

  const posix_spawn_file_actions_t* actions() const { return &actions_; }
  const posix_spawnattr_t* attr() const { return &attr_; }

 private:
  posix_spawn_file_actions_t actions_;
  posix_spawnattr_t attr_;
};

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

}  // namespace

std::string ProgramRun::first_error_line() const {
  std::string line = error_text.substr(0, error_text.find('\n'));
  while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.pop_back();
  return line.substr(0, 200);
}

ProgramRun run_program(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
  if (argv.empty() || argv[0].empty()) throw invalid("run_program: no program given");
  const std::string what = command_line(argv);
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw errno_error(errno, what + ": pipe");
  Fd read_end(fds[0]), write_end(fds[1]);
  ::fcntl(read_end.get(), F_SETFL, O_NONBLOCK);

  std::vector<std::string> args = argv;
  std::vector<char*> pointers;
  for (auto& arg : args) pointers.push_back(arg.data());
  pointers.push_back(nullptr);
  pid_t pid = -1;
  int error = 0;
  {
    SpawnSetup setup(write_end.get());
    error = ::posix_spawnp(&pid, args[0].c_str(), setup.actions(), setup.attr(), pointers.data(),
                           environ);
  }
  write_end.reset();  // end of file once the child (and anything it started) closes stderr
  if (error != 0) {
    std::string where = argv[0].find('/') == std::string::npos ? " (looked up in PATH)" : "";
    throw Error(error == ENOENT || error == EACCES || error == ENOEXEC ? ErrorCode::kUnsupported
                                                                       : ErrorCode::kIo,
                "cannot run " + argv[0] + where + ": " + describe_errno(error));
  }

  ProgramRun run;
  bool open = true;
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) throw errno_error(errno, what + ": waitpid");
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      // Our own child, by its pid: a hung service manager must not hang the agent.
      ::kill(pid, SIGKILL);
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      throw Error(ErrorCode::kIo,
                  what + ": no answer within " + std::to_string(timeout.count()) + " ms (killed)");
    }
    int wait_ms = static_cast<int>(std::min<long long>(left.count(), 20));
    if (open) {
      pollfd p{read_end.get(), POLLIN, 0};
      ::poll(&p, 1, wait_ms);
      drain(read_end.get(), run.error_text, open);
    } else {
      ::usleep(static_cast<useconds_t>(wait_ms) * 1000);
    }
  }
  drain(read_end.get(), run.error_text, open);
  run.exit_status = WIFEXITED(status)     ? WEXITSTATUS(status)
                    : WIFSIGNALED(status) ? 128 + WTERMSIG(status)
                                          : -1;
  return run;
}

}  // namespace nictune::agent

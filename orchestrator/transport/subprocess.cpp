#include "orchestrator/transport/subprocess.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/errors.hpp"
#include "orchestrator/transport/text.hpp"

namespace nictune::subprocess {
namespace {

using Clock = std::chrono::steady_clock;

struct Fd {
  int fd = -1;
  Fd() = default;
  explicit Fd(int f) : fd(f) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  void reset() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

void make_pipe(Fd& read_end, Fd& write_end) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0)
    throw Error(ErrorCode::kIo, std::string("pipe: ") + strerror(errno));
  read_end.fd = fds[0];
  write_end.fd = fds[1];
}

// Everything the child needs, prepared before fork: after fork only async-signal-safe calls.
struct ExecPlan {
  std::string path;
  std::vector<std::string> args;
  std::vector<char*> argv;

  explicit ExecPlan(const std::vector<std::string>& command) : args(command) {
    if (command.empty()) throw Error(ErrorCode::kInternal, "subprocess: empty command");
    path = command[0].find('/') == std::string::npos ? find_program(command[0]) : command[0];
    if (path.empty()) {
      throw Error(ErrorCode::kIo, "cannot run `" + command[0] + "`: not found in PATH");
    }
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
  }
};

[[noreturn]] void exec_child(const ExecPlan& plan, int in_fd, int out_fd, int err_fd, int report_fd,
                             bool new_session) {
  // Reset what the parent may have changed so helpers behave as if started from a shell.
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  signal(SIGPIPE, SIG_DFL);
  if (new_session) setsid();
  if (dup2(in_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0) {
    int e = errno;
    (void)!write(report_fd, &e, sizeof e);
    _exit(127);
  }
  // Descriptors other libraries opened without O_CLOEXEC (sockets, files) must not leak into
  // long-lived helpers like sshd. report_fd is O_CLOEXEC and closes at exec.
#ifdef SYS_close_range
  if (syscall(SYS_close_range, 3U, ~0U, 4U /* CLOSE_RANGE_CLOEXEC */) == 0) {
    execv(plan.path.c_str(), plan.argv.data());
    int e = errno;
    (void)!write(report_fd, &e, sizeof e);
    _exit(127);
  }
#endif
  for (int fd = 3; fd < 65536; ++fd) {
    if (fd == report_fd) continue;
    if (fcntl(fd, F_GETFD) < 0) {
      if (fd > 4096) break;
      continue;
    }
    ::close(fd);
  }
  execv(plan.path.c_str(), plan.argv.data());
  int e = errno;
  (void)!write(report_fd, &e, sizeof e);
  _exit(127);
}

// Forks and execs; returns the PID once exec succeeded, throws with errno otherwise.
pid_t start(const ExecPlan& plan, int in_fd, int out_fd, int err_fd, bool new_session) {
  Fd report_read, report_write;
  make_pipe(report_read, report_write);
  pid_t pid = fork();
  if (pid < 0) throw Error(ErrorCode::kIo, std::string("fork: ") + strerror(errno));
  if (pid == 0) exec_child(plan, in_fd, out_fd, err_fd, report_write.fd, new_session);
  report_write.reset();
  int child_errno = 0;
  ssize_t n;
  do {
    n = ::read(report_read.fd, &child_errno, sizeof child_errno);
  } while (n < 0 && errno == EINTR);
  if (n == static_cast<ssize_t>(sizeof child_errno)) {
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    throw Error(ErrorCode::kIo, "cannot run `" + plan.path + "`: " + strerror(child_errno));
  }
  return pid;
}

std::string one_line(const std::string& text, std::size_t limit) {
  std::string out;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos) continue;
    auto last = line.find_last_not_of(" \t\r");
    if (!out.empty()) out += " | ";
    out += line.substr(first, last - first + 1);
    if (out.size() > limit) {
      out = out.substr(0, limit) + "...";
      break;
    }
  }
  return out;
}

char process_state(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!std::getline(stat, text)) return 0;
  auto paren = text.rfind(')');
  if (paren == std::string::npos || paren + 2 >= text.size()) return 0;
  return text[paren + 2];
}

}  // namespace

std::string RunResult::failure() const {
  std::string what = timed_out ? "timed out"
                     : signal  ? "killed by signal " + std::to_string(signal)
                               : "exit " + std::to_string(exit_code);
  std::string detail = one_line(err.empty() ? out : err, 400);
  return detail.empty() ? what : what + ": " + detail;
}

std::string find_program(const std::string& name) {
  if (name.find('/') != std::string::npos) return ::access(name.c_str(), X_OK) == 0 ? name : "";
  const char* path_env = getenv("PATH");
  std::string path = path_env && *path_env
                         ? path_env
                         : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  // Helpers such as ip and sshd live in sbin, which a non-login PATH may lack.
  path += ":/usr/sbin:/sbin";
  std::istringstream dirs(path);
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (dir.empty()) continue;
    std::string candidate = dir + "/" + name;
    struct stat st {};
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
        ::access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
  }
  return "";
}

std::string render(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& arg : argv) {
    if (!out.empty()) out += ' ';
    bool plain = !arg.empty() && arg.find_first_of(" \t\n'\"\\$`*?;&|<>()") == std::string::npos;
    out += plain ? arg : "'" + arg + "'";
  }
  return out;
}

RunResult run(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
              const std::string& input) {
  ExecPlan plan(argv);
  Fd in_read, in_write, out_read, out_write, err_read, err_write;
  make_pipe(in_read, in_write);
  make_pipe(out_read, out_write);
  make_pipe(err_read, err_write);
  pid_t pid = start(plan, in_read.fd, out_write.fd, err_write.fd, false);
  in_read.reset();
  out_write.reset();
  err_write.reset();
  if (input.empty()) in_write.reset();
  fcntl(in_write.fd, F_SETFL, O_NONBLOCK);

  RunResult result;
  std::size_t written = 0;
  auto deadline = Clock::now() + timeout;
  char chunk[16384];
  while (out_read.fd >= 0 || err_read.fd >= 0) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) {
      result.timed_out = true;
      ::kill(pid, SIGKILL);
      break;
    }
    pollfd fds[3];
    int n = 0;
    int out_index = -1, err_index = -1, in_index = -1;
    if (out_read.fd >= 0) out_index = n, fds[n++] = {out_read.fd, POLLIN, 0};
    if (err_read.fd >= 0) err_index = n, fds[n++] = {err_read.fd, POLLIN, 0};
    if (in_write.fd >= 0) in_index = n, fds[n++] = {in_write.fd, POLLOUT, 0};
    int ready =
        ::poll(fds, static_cast<nfds_t>(n), static_cast<int>(std::min<long long>(left, 1000)));
    if (ready < 0 && errno != EINTR) break;
    if (ready <= 0) continue;
    auto drain = [&](int index, Fd& fd, std::string& into) {
      if (index < 0 || !(fds[index].revents & (POLLIN | POLLHUP | POLLERR))) return;
      ssize_t got = ::read(fd.fd, chunk, sizeof chunk);
      if (got > 0) {
        into.append(chunk, static_cast<std::size_t>(got));
      } else if (got == 0 || errno != EINTR) {
        fd.reset();
      }
    };
    drain(out_index, out_read, result.out);
    drain(err_index, err_read, result.err);
    if (in_index >= 0 && (fds[in_index].revents & (POLLOUT | POLLERR | POLLHUP))) {
      ssize_t put = ::write(in_write.fd, input.data() + written, input.size() - written);
      if (put > 0) written += static_cast<std::size_t>(put);
      if (put < 0 && errno != EINTR && errno != EAGAIN) in_write.reset();
      if (written >= input.size()) in_write.reset();
    }
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  return result;
}

RunResult run_checked(const std::vector<std::string>& argv, const std::string& what,
                      std::chrono::milliseconds timeout) {
  auto result = run(argv, timeout);
  if (!result.ok()) {
    throw Error(ErrorCode::kIo,
                what + ": `" + render(argv) + "` failed (" + result.failure() + ")");
  }
  return result;
}

pid_t spawn_detached(const std::vector<std::string>& argv, const std::string& log_path) {
  ExecPlan plan(argv);
  Fd null_in(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  Fd log(::open(log_path.empty() ? "/dev/null" : log_path.c_str(),
                O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
  if (null_in.fd < 0 || log.fd < 0) {
    throw Error(ErrorCode::kIo, "cannot open " + (log_path.empty() ? "/dev/null" : log_path) +
                                    ": " + strerror(errno));
  }
  return start(plan, null_in.fd, log.fd, log.fd, true);
}

bool alive(pid_t pid) {
  if (pid <= 0) return false;
  int status;
  pid_t reaped = waitpid(pid, &status, WNOHANG);
  if (reaped == pid) return false;
  if (::kill(pid, 0) != 0 && errno == ESRCH) return false;
  char state = process_state(pid);
  return state != 0 && state != 'Z' && state != 'X';
}

bool wait_gone(pid_t pid, std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  auto pause = std::chrono::milliseconds(2);
  while (alive(pid)) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(50));
  }
  return true;
}

bool stop(pid_t pid, std::chrono::milliseconds term_grace, std::chrono::milliseconds kill_grace) {
  if (!alive(pid)) return true;
  ::kill(pid, SIGTERM);
  if (wait_gone(pid, term_grace)) return true;
  ::kill(pid, SIGKILL);
  return wait_gone(pid, kill_grace);
}

std::string cmdline(pid_t pid) {
  std::string text;
  if (!transport_text::read_file("/proc/" + std::to_string(pid) + "/cmdline", text)) return "";
  while (!text.empty() && text.back() == '\0') text.pop_back();
  for (auto& c : text) {
    if (c == '\0') c = ' ';
  }
  return text;
}

std::vector<pid_t> children_of(pid_t pid) {
  std::vector<pid_t> out;
  DIR* proc = opendir("/proc");
  if (!proc) return out;
  while (dirent* entry = readdir(proc)) {
    char* end = nullptr;
    long candidate = strtol(entry->d_name, &end, 10);
    if (*end != '\0' || candidate <= 0) continue;
    std::ifstream stat(std::string("/proc/") + entry->d_name + "/stat");
    std::string text;
    if (!std::getline(stat, text)) continue;
    auto paren = text.rfind(')');
    if (paren == std::string::npos) continue;
    std::istringstream rest(text.substr(paren + 2));
    char state;
    long parent = 0;
    rest >> state >> parent;
    if (parent == pid) out.push_back(static_cast<pid_t>(candidate));
  }
  closedir(proc);
  return out;
}

}  // namespace nictune::subprocess

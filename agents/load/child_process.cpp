#include "agents/load/child_process.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sstream>

#include "core/errors.hpp"

namespace nictune::load {
namespace {

std::string read_all(int fd) {
  std::string out;
  if (fd < 0) return out;
  char chunk[65536];
  off_t offset = 0;
  for (;;) {
    ssize_t n = ::pread(fd, chunk, sizeof chunk, offset);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(chunk, static_cast<std::size_t>(n));
    offset += n;
  }
  return out;
}

}  // namespace

std::string find_tool(const std::string& tool, const std::string& package,
                      const std::string& search_path) {
  std::string path = search_path;
  if (path.empty()) {
    const char* env = std::getenv("PATH");
    path = env && *env ? env : "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin";
  }
  std::stringstream dirs(path);
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (dir.empty()) continue;
    std::string candidate = dir + "/" + tool;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  throw Error(ErrorCode::kUnsupported, tool + " is not installed (not found in " + path +
                                           "); install the Debian package " + package);
}

ChildProcess::ChildProcess(const std::vector<std::string>& argv,
                           const std::vector<unsigned>& cpus) {
  out_.reset(memfd_create("nictune-child-out", MFD_CLOEXEC));
  err_.reset(memfd_create("nictune-child-err", MFD_CLOEXEC));
  if (!out_ || !err_) throw Error(ErrorCode::kIo, "memfd_create: " + errno_text(errno));
  // Everything the child needs is prepared before fork: after it, only async-signal-safe calls.
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  cpu_set_t mask;
  CPU_ZERO(&mask);
  for (unsigned cpu : cpus) {
    if (cpu < CPU_SETSIZE) CPU_SET(cpu, &mask);
  }
  int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  const pid_t parent = ::getpid();
  pid_ = ::fork();
  if (pid_ < 0) {
    int e = errno;
    if (null_fd >= 0) ::close(null_fd);
    throw Error(ErrorCode::kIo, "fork: " + errno_text(e));
  }
  if (pid_ == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(127);
    // The agent blocks its termination signals for signalfd; the tool must get them.
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
    if (null_fd >= 0) ::dup2(null_fd, 0);
    ::dup2(out_.get(), 1);
    ::dup2(err_.get(), 2);
    if (!cpus.empty()) ::sched_setaffinity(0, sizeof mask, &mask);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  if (null_fd >= 0) ::close(null_fd);
}

ChildProcess::~ChildProcess() {
  if (running()) stop(SIGKILL, 1000);
}

std::optional<int> ChildProcess::wait_for(int timeout_ms) {
  if (status_) return status_;
  const std::int64_t deadline = now_ns() + static_cast<std::int64_t>(timeout_ms) * 1000000;
  for (;;) {
    int status = 0;
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      status_ = status;
      return status_;
    }
    if (r < 0 && errno != EINTR) {
      status_ = 0;
      return status_;
    }
    if (now_ns() >= deadline) return std::nullopt;
    ::usleep(5000);
  }
}

int ChildProcess::stop(int signal, int grace_ms) {
  if (status_) return *status_;
  ::kill(pid_, signal);
  if (auto s = wait_for(grace_ms)) return *s;
  ::kill(pid_, SIGKILL);
  auto s = wait_for(5000);
  return s ? *s : 0;
}

std::string ChildProcess::output() const {
  return read_all(out_.get());
}
std::string ChildProcess::errors() const {
  return read_all(err_.get());
}

std::string ChildProcess::describe(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return std::string("killed by signal ") + strsignal(WTERMSIG(status));
  return "ended with wait status " + std::to_string(status);
}

}  // namespace nictune::load

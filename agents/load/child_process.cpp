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
#include <chrono>
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
  keeper_ = std::thread([this, argv, cpus] { keep(argv, cpus); });
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return started_; });
  if (pid_ < 0) {
    lock.unlock();
    keeper_.join();
    throw Error(ErrorCode::kIo,
                "cannot start " + argv.front() + ": fork: " + errno_text(spawn_errno_));
  }
}

void ChildProcess::keep(std::vector<std::string> argv, std::vector<unsigned> cpus) {
  // Everything the child needs is prepared before fork: after it, only async-signal-safe calls.
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  cpu_set_t mask;
  CPU_ZERO(&mask);
  for (unsigned cpu : cpus) {
    if (cpu < CPU_SETSIZE) CPU_SET(cpu, &mask);
  }
  const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  const int out = out_.get(), err = err_.get();
  const pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(127);
    // The agent blocks its termination signals for signalfd; the tool must get them.
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
    if (null_fd >= 0) ::dup2(null_fd, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    if (!cpus.empty()) ::sched_setaffinity(0, sizeof mask, &mask);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  const int fork_errno = errno;
  if (null_fd >= 0) ::close(null_fd);
  {
    std::lock_guard lock(mutex_);
    started_ = true;
    pid_ = pid;
    spawn_errno_ = pid < 0 ? fork_errno : 0;
  }
  changed_.notify_all();
  if (pid < 0) return;
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  {
    std::lock_guard lock(mutex_);
    status_ = status;
  }
  changed_.notify_all();
}

ChildProcess::~ChildProcess() {
  if (running()) stop(SIGKILL, 1000);
  if (keeper_.joinable()) keeper_.join();
}

bool ChildProcess::running() {
  std::lock_guard lock(mutex_);
  return pid_ > 0 && !status_;
}

std::optional<int> ChildProcess::wait_for(int timeout_ms) {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                    [&] { return status_.has_value(); });
  return status_;
}

int ChildProcess::stop(int signal, int grace_ms) {
  {
    std::lock_guard lock(mutex_);
    if (status_) return *status_;
    ::kill(pid_, signal);
  }
  if (auto s = wait_for(grace_ms)) return *s;
  {
    std::lock_guard lock(mutex_);
    if (!status_) ::kill(pid_, SIGKILL);
  }
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

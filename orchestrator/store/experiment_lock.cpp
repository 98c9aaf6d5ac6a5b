#include "orchestrator/store/experiment_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "core/errors.hpp"
#include "core/json_util.hpp"

namespace nictune {
namespace {

std::string now_utc() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

std::string read_all(int fd) {
  std::string text;
  char chunk[512];
  ssize_t n;
  while ((n = ::pread(fd, chunk, sizeof chunk, static_cast<off_t>(text.size()))) > 0)
    text.append(chunk, static_cast<std::size_t>(n));
  return text;
}

std::string holder_text(const std::string& content) {
  try {
    Json holder = Json::parse(content);
    return "pid " + std::to_string(holder.value("pid", 0L)) + " on host " +
           holder.value("host", std::string("?")) + " since " +
           holder.value("started", std::string("?"));
  } catch (const Json::exception&) {
    // The holder took the lock but has not written who it is yet (a moment's window).
    return "another process (it has not written its pid yet)";
  }
}

}  // namespace

std::string experiment_lock_path(const std::string& db_path, const std::string& experiment) {
  return db_path + "." + experiment + ".lock";
}

std::unique_ptr<ExperimentLock> ExperimentLock::acquire(const std::string& db_path,
                                                        const std::string& experiment) {
  if (db_path.empty() || db_path == ":memory:")
    return std::unique_ptr<ExperimentLock>(new ExperimentLock(-1, ""));
  const std::string path = experiment_lock_path(db_path, experiment);
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    throw Error(ErrorCode::kIo,
                path + ": cannot create the experiment's lock file: " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    std::string holder = err == EWOULDBLOCK ? holder_text(read_all(fd)) : std::strerror(err);
    ::close(fd);
    if (err != EWOULDBLOCK)
      throw Error(ErrorCode::kIo, path + ": cannot lock the experiment: " + holder);
    throw Error(ErrorCode::kBusy, "experiment \"" + experiment + "\" is being run by " + holder +
                                      " (lock " + path +
                                      "); wait for that run to end or stop it, then --resume");
  }
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  const std::string me =
      Json{{"pid", static_cast<long>(::getpid())}, {"host", host}, {"started", now_utc()}}.dump() +
      "\n";
  if (::ftruncate(fd, 0) != 0 ||
      ::pwrite(fd, me.data(), me.size(), 0) != static_cast<ssize_t>(me.size())) {
    int err = errno;
    ::close(fd);
    throw Error(ErrorCode::kIo, path + ": cannot write the lock holder: " + std::strerror(err));
  }
  return std::unique_ptr<ExperimentLock>(new ExperimentLock(fd, path));
}

ExperimentLock::~ExperimentLock() {
  if (fd_ < 0) return;
  // Emptied, not removed: removing would let a process that opened the old file before the
  // unlink lock it while a third locks a new file of the same name.
  if (::ftruncate(fd_, 0) != 0) {
    // Nothing to do: the lock goes with the descriptor either way.
  }
  ::close(fd_);
}

}  // namespace nictune

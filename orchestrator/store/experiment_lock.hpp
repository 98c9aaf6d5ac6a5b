// One writer per experiment across processes. `nictune run` holds an exclusive flock on a file
// beside the database (`<db>.<experiment name>.lock`) for its whole run; the file says who holds
// it (pid, host, start). The kernel drops the lock when its holder dies, however it dies, so a
// lock is never stale. Readers (`report`, `export`) take no lock; `ask`/`tell` write single
// transactions that wait on SQLite's busy timeout instead.
#pragma once

#include <memory>
#include <string>

namespace nictune {

struct LockHolder {
  long pid = 0;
  std::string host;
  std::string started;  // UTC, ISO 8601
};

class ExperimentLock {
 public:
  // Takes the lock at once or throws Error(kBusy) naming the holder ("experiment \"x\" is being
  // run by pid 123 on host h since ...; wait for it or stop it"). A database ":memory:" (or "")
  // has no other process: a lock that holds nothing. Error(kIo) when the lock file cannot be made.
  static std::unique_ptr<ExperimentLock> acquire(const std::string& db_path,
                                                 const std::string& experiment);
  ~ExperimentLock();
  ExperimentLock(const ExperimentLock&) = delete;
  ExperimentLock& operator=(const ExperimentLock&) = delete;

  const std::string& path() const { return path_; }

 private:
  ExperimentLock(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_ = -1;
  std::string path_;
};

// The lock file's path for an experiment name.
std::string experiment_lock_path(const std::string& db_path, const std::string& experiment);

}  // namespace nictune

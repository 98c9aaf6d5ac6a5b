// Snapshots persisted on the host, one file per interface (<state_dir>/<interface>.snapshot.json),
// written atomically (temporary file, fsync, rename, fsync of the directory) so a crash or power
// loss leaves either the old or the new file, never half of one. A per-interface lock
// (<interface>.lock, flock) keeps two agents from snapshotting over each other.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/json_util.hpp"

namespace nictune::agent {

inline constexpr const char* kSnapshotFormat = "nictune-snapshot/1";

class SnapshotStore {
 public:
  explicit SnapshotStore(std::string state_dir);

  const std::string& state_dir() const { return state_dir_; }
  std::string path(const std::string& interface) const;
  // The stored document, or nullopt when there is none. Throws Error(kIo) for a file that is
  // not a snapshot (it is left in place for a human to look at).
  std::optional<Json> load(const std::string& interface) const;
  // Creates the state directory when needed. Throws Error(kIo) naming the path and errno.
  void save(const std::string& interface, const Json& document) const;
  void remove(const std::string& interface) const;
  // Interfaces that have a snapshot file, sorted.
  std::vector<std::string> interfaces() const;

 private:
  std::string state_dir_;
};

// An exclusive flock on <state_dir>/<interface>.lock, held while a session has changes on the
// interface. The kernel drops it when the holder dies, so a crashed agent never blocks
// `nictune-agent --restore`.
class InterfaceLock {
 public:
  // nullptr when another process holds it; `holder` then says which pid wrote the lock file.
  static std::unique_ptr<InterfaceLock> try_acquire(const std::string& state_dir,
                                                    const std::string& interface,
                                                    std::string& holder);
  ~InterfaceLock();
  InterfaceLock(const InterfaceLock&) = delete;
  InterfaceLock& operator=(const InterfaceLock&) = delete;

 private:
  explicit InterfaceLock(int fd) : fd_(fd) {}
  int fd_;
};

// mkdir -p; throws Error(kIo).
void make_directories(const std::string& path);

// UTC time as "2026-11-23T15:14:00Z".
std::string utc_timestamp();

}  // namespace nictune::agent

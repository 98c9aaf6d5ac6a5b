#include "agents/safety/snapshot_store.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>

#include "agents/knobs/kernel_files.hpp"
#include "core/errors.hpp"

namespace nictune::agent {
namespace {

constexpr const char* kSuffix = ".snapshot.json";

void write_all_or_throw(int fd, const std::string& data, const std::string& path) {
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw errno_error(n < 0 ? errno : EIO, "writing " + path);
    done += static_cast<std::size_t>(n);
  }
}

}  // namespace

void make_directories(const std::string& path) {
  std::string partial;
  std::size_t pos = 0;
  while (pos != std::string::npos) {
    pos = path.find('/', pos + 1);
    partial = path.substr(0, pos);
    if (partial.empty()) continue;
    if (::mkdir(partial.c_str(), 0755) != 0 && errno != EEXIST) {
      throw Error(ErrorCode::kIo, "creating " + partial + ": " + describe_errno(errno));
    }
  }
  if (!is_directory(path)) throw Error(ErrorCode::kIo, path + ": not a directory");
}

std::string utc_timestamp() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

SnapshotStore::SnapshotStore(std::string state_dir) : state_dir_(std::move(state_dir)) {}

std::string SnapshotStore::path(const std::string& interface) const {
  return state_dir_ + "/" + interface + kSuffix;
}

std::optional<Json> SnapshotStore::load(const std::string& interface) const {
  std::string file = path(interface);
  std::string text;
  int error = read_text(file, text);
  if (error == ENOENT) return std::nullopt;
  if (error) throw errno_error(error, "reading snapshot " + file);
  Json document;
  try {
    document = Json::parse(text);
  } catch (const Json::parse_error& e) {
    throw Error(ErrorCode::kIo,
                "snapshot " + file + " is not JSON (" + e.what() + "); left in place");
  }
  if (!document.is_object() || document.value("format", "") != kSnapshotFormat ||
      !document.contains("knobs") || !document["knobs"].is_object()) {
    throw Error(ErrorCode::kIo,
                "snapshot " + file + " is not a " + kSnapshotFormat + " document; left in place");
  }
  return document;
}

void SnapshotStore::save(const std::string& interface, const Json& document) const {
  make_directories(state_dir_);
  std::string file = path(interface);
  std::string tmp =
      state_dir_ + "/." + interface + ".snapshot." + std::to_string(::getpid()) + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw errno_error(errno, "creating " + tmp);
  try {
    write_all_or_throw(fd, document.dump(2) + "\n", tmp);
    if (::fsync(fd) != 0) throw errno_error(errno, "fsync " + tmp);
  } catch (...) {
    ::close(fd);
    ::unlink(tmp.c_str());
    throw;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), file.c_str()) != 0) {
    int error = errno;
    ::unlink(tmp.c_str());
    throw errno_error(error, "renaming " + tmp + " to " + file);
  }
  int dir = ::open(state_dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
}

void SnapshotStore::remove(const std::string& interface) const {
  ::unlink(path(interface).c_str());
}

std::vector<std::string> SnapshotStore::interfaces() const {
  std::vector<std::string> out;
  std::string suffix = kSuffix;
  for (const auto& entry : list_directory(state_dir_)) {
    if (entry.size() > suffix.size() && entry.ends_with(suffix) && entry[0] != '.') {
      out.push_back(entry.substr(0, entry.size() - suffix.size()));
    }
  }
  return out;
}

std::unique_ptr<InterfaceLock> InterfaceLock::try_acquire(const std::string& state_dir,
                                                          const std::string& interface,
                                                          std::string& holder) {
  make_directories(state_dir);
  std::string file = state_dir + "/" + interface + ".lock";
  int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) throw errno_error(errno, "opening " + file);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int error = errno;
    std::string text;
    read_text(file, text);
    holder = text.empty() ? "another process" : "pid " + text;
    while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
    ::close(fd);
    if (error == EWOULDBLOCK) return nullptr;
    throw errno_error(error, "locking " + file);
  }
  std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) == 0) {
    ssize_t ignored = ::pwrite(fd, pid.data(), pid.size(), 0);
    (void)ignored;
  }
  return std::unique_ptr<InterfaceLock>(new InterfaceLock(fd));
}

InterfaceLock::~InterfaceLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace nictune::agent

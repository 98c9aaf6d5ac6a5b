// A numbered slot of a resource the whole host shares (a lab's address block, a test sshd's /30
// block), held while the object lives through an flock on /run/nictune-test/locks/POOL-N.lock.
// Two test processes can never hold the same slot, whatever their PIDs (the PID arithmetic this
// replaces gave overlapping ranges to different test programs), and the kernel drops the lock
// when a test dies, so a crashed test never leaks one. Header-only, like command_line.hpp.
#pragma once

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <utility>

namespace nictune::testing {

class HostSlot {
 public:
  // The lowest slot in [first, last] that no other process holds and for which usable(n) says
  // yes (for example: no interface holds its addresses, as when a lab was started by hand).
  static HostSlot acquire(const std::string& pool, int first, int last,
                          const std::function<bool(int)>& usable = {}) {
    const std::string dir = lock_dir();
    for (int n = first; n <= last; ++n) {
      std::string path = dir + "/" + pool + "-" + std::to_string(n) + ".lock";
      int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
      if (fd < 0) throw std::runtime_error("cannot open " + path);
      if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        ::close(fd);
        continue;
      }
      if (usable && !usable(n)) {
        ::close(fd);
        continue;
      }
      return HostSlot(n, fd);
    }
    throw std::runtime_error("no free " + pool + " slot in " + std::to_string(first) + ".." +
                             std::to_string(last) + " (locks in " + dir + ")");
  }

  HostSlot() = default;
  HostSlot(HostSlot&& other) noexcept { *this = std::move(other); }
  HostSlot& operator=(HostSlot&& other) noexcept {
    if (this != &other) {
      release();
      number_ = std::exchange(other.number_, -1);
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  HostSlot(const HostSlot&) = delete;
  HostSlot& operator=(const HostSlot&) = delete;
  ~HostSlot() { release(); }

  int number() const { return number_; }
  bool held() const { return fd_ >= 0; }

 private:
  HostSlot(int number, int fd) : number_(number), fd_(fd) {}
  void release() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    number_ = -1;
  }
  static std::string lock_dir() {
    std::string dir = "/run/nictune-test/locks";
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec || ::access(dir.c_str(), W_OK) != 0) {
      dir = (std::filesystem::temp_directory_path() / "nictune-test-locks").string();
      std::filesystem::create_directories(dir);
    }
    return dir;
  }

  int number_ = -1;
  int fd_ = -1;
};

}  // namespace nictune::testing

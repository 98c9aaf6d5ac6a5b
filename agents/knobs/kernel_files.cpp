#include "agents/knobs/kernel_files.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>

namespace nictune::agent {
namespace {

constexpr std::size_t kMaxFileBytes = 16u << 20;

std::string join_path(const std::string& root, std::string_view relative) {
  std::string out = root;
  if (out.empty() || out.back() != '/') out += '/';
  while (!relative.empty() && relative.front() == '/') relative.remove_prefix(1);
  out += relative;
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::strchr(" \t\r\n", s.front())) s.remove_prefix(1);
  while (!s.empty() && std::strchr(" \t\r\n", s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

KernelFiles::KernelFiles(std::string sysfs_root, std::string procfs_root)
    : sysfs_root_(std::move(sysfs_root)), procfs_root_(std::move(procfs_root)) {}

int KernelFiles::write(const std::string& path, std::string_view text) const {
  if (write_faults_) {
    auto it = write_faults_->find(path);
    if (it != write_faults_->end()) return it->second;
  }
  return write_text(path, text);
}

void KernelFiles::set_write_faults(std::map<std::string, int> faults) {
  write_faults_ = std::make_shared<const std::map<std::string, int>>(std::move(faults));
}

std::string KernelFiles::sys(std::string_view relative) const {
  return join_path(sysfs_root_, relative);
}

std::string KernelFiles::proc(std::string_view relative) const {
  return join_path(procfs_root_, relative);
}

std::string KernelFiles::net(std::string_view interface, std::string_view relative) const {
  std::string rel = "class/net/" + std::string(interface);
  if (!relative.empty()) rel += "/" + std::string(relative);
  return sys(rel);
}

int read_text(const std::string& path, std::string& out) {
  out.clear();
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  char buffer[8192];
  while (true) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int error = errno;
      ::close(fd);
      return error;
    }
    if (n == 0) break;
    out.append(buffer, static_cast<std::size_t>(n));
    if (out.size() > kMaxFileBytes) {
      ::close(fd);
      return EFBIG;
    }
  }
  ::close(fd);
  return 0;
}

std::string read_trimmed(const std::string& path) {
  std::string text;
  if (int error = read_text(path, text)) throw errno_error(error, "reading " + path);
  return std::string(trim(text));
}

int write_text(const std::string& path, std::string_view text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (fd < 0) return errno;
  ssize_t n;
  do {
    n = ::write(fd, text.data(), text.size());
  } while (n < 0 && errno == EINTR);
  int error = n < 0 ? errno : (static_cast<std::size_t>(n) != text.size() ? EIO : 0);
  if (::close(fd) != 0 && error == 0) error = errno;
  return error;
}

void write_or_throw(const std::string& path, std::string_view text) {
  if (int error = write_text(path, text)) {
    std::string shown(trim(text));
    throw errno_error(error, "writing \"" + shown + "\" to " + path);
  }
}

Error errno_error(int error, const std::string& what) {
  ErrorCode code = ErrorCode::kIo;
  switch (error) {
    case EINVAL:
    case ERANGE:
      code = ErrorCode::kInvalid;
      break;
    case EOPNOTSUPP:
    case ENOENT:
    case ENODEV:
      code = ErrorCode::kUnsupported;
      break;
    case EBUSY:
    case EAGAIN:
      code = ErrorCode::kBusy;
      break;
    default:
      break;
  }
  return Error(code, what + ": " + describe_errno(error));
}

bool path_exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

bool is_directory(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::vector<std::string> list_directory(const std::string& path) {
  std::vector<std::string> out;
  DIR* dir = ::opendir(path.c_str());
  if (!dir) return out;
  while (dirent* entry = ::readdir(dir)) {
    std::string name = entry->d_name;
    if (name != "." && name != "..") out.push_back(std::move(name));
  }
  ::closedir(dir);
  std::sort(out.begin(), out.end());
  return out;
}

std::string errno_name(int error) {
  switch (error) {
    case EPERM:
      return "EPERM";
    case ENOENT:
      return "ENOENT";
    case EIO:
      return "EIO";
    case ENXIO:
      return "ENXIO";
    case E2BIG:
      return "E2BIG";
    case EAGAIN:
      return "EAGAIN";
    case ENOMEM:
      return "ENOMEM";
    case EACCES:
      return "EACCES";
    case EFAULT:
      return "EFAULT";
    case EBUSY:
      return "EBUSY";
    case EEXIST:
      return "EEXIST";
    case ENODEV:
      return "ENODEV";
    case ENOTDIR:
      return "ENOTDIR";
    case EISDIR:
      return "EISDIR";
    case EINVAL:
      return "EINVAL";
    case EFBIG:
      return "EFBIG";
    case ENOSPC:
      return "ENOSPC";
    case EROFS:
      return "EROFS";
    case ERANGE:
      return "ERANGE";
    case ENOSYS:
      return "ENOSYS";
    case ENOTTY:
      return "ENOTTY";
    case EOPNOTSUPP:
      return "EOPNOTSUPP";
    case ENOBUFS:
      return "ENOBUFS";
    case ENETDOWN:
      return "ENETDOWN";
    case ETIMEDOUT:
      return "ETIMEDOUT";
    default:
      return "errno " + std::to_string(error);
  }
}

std::string describe_errno(int error) {
  return errno_name(error) + " (" + std::strerror(error) + ")";
}

bool parse_int64(std::string_view text, long long& out) {
  text = trim(text);
  if (text.empty()) return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

bool parse_uint64(std::string_view text, unsigned long long& out) {
  text = trim(text);
  if (text.empty()) return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

}  // namespace nictune::agent

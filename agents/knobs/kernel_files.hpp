// Reading and writing the kernel's files (sysfs, procfs) below configurable roots, so every knob
// and parser runs unchanged against a fake tree in tests. Errors keep the errno: the reason a knob
// is unsupported is usually exactly "ENOENT" or "EOPNOTSUPP", and users need to see which.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/errors.hpp"

namespace nictune::agent {

class KernelFiles {
 public:
  KernelFiles(std::string sysfs_root, std::string procfs_root);

  // "<sysfs_root>/<relative>"; relative paths never start with '/'.
  std::string sys(std::string_view relative) const;
  std::string proc(std::string_view relative) const;
  // "class/net/<interface>/<relative>" below the sysfs root.
  std::string net(std::string_view interface, std::string_view relative) const;

  const std::string& sysfs_root() const { return sysfs_root_; }
  const std::string& procfs_root() const { return procfs_root_; }

  // write_text, except for paths given to set_write_faults(). Knobs whose errno matters (a
  // managed IRQ's EIO) write through here so a fake root can answer like the kernel does.
  int write(const std::string& path, std::string_view text) const;
  // Fake roots only (tests): writes to these full paths fail with the errno, as kernel files
  // refuse values; a regular file cannot. The agent never sets any.
  void set_write_faults(std::map<std::string, int> faults);

 private:
  std::string sysfs_root_;
  std::string procfs_root_;
  std::shared_ptr<const std::map<std::string, int>> write_faults_;
};

// Reads a whole file (kernel files are small; capped at 16 MiB). Returns 0 or an errno.
int read_text(const std::string& path, std::string& out);
// read_text, then the text without trailing whitespace; throws Error(kIo/kUnsupported) naming
// the path and errno.
std::string read_trimmed(const std::string& path);
// Opens an existing file write-only (never creates one) and writes `text` in one write(2), the
// way sysfs and procfs expect. Returns 0 or an errno.
int write_text(const std::string& path, std::string_view text);
// write_text or throw an Error whose code follows the errno (EINVAL: invalid, EOPNOTSUPP:
// unsupported, EBUSY: busy, else io) and whose message names the path.
void write_or_throw(const std::string& path, std::string_view text);

// The Error for a failed kernel operation: code from the errno (EINVAL: invalid, EOPNOTSUPP and
// ENOENT: unsupported, EBUSY: busy, else io), message "<what>: <ERRNO (text)>".
Error errno_error(int error, const std::string& what);

bool path_exists(const std::string& path);
bool is_directory(const std::string& path);
// Entry names of a directory, sorted, without "." and ".."; empty when it cannot be read.
std::vector<std::string> list_directory(const std::string& path);

// "ENOENT", "EOPNOTSUPP", ... (falls back to "errno N").
std::string errno_name(int error);
// "ENOENT (No such file or directory)".
std::string describe_errno(int error);

// Parses a decimal integer with optional surrounding whitespace; false on anything else.
bool parse_int64(std::string_view text, long long& out);
bool parse_uint64(std::string_view text, unsigned long long& out);

}  // namespace nictune::agent

// Splits a byte stream into lines for the transports. A line longer than the limit is a
// protocol error, not an unbounded buffer.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace nictune {

class LineBuffer {
 public:
  // 256 MiB: far above any agent response (counter samples of a long trial), far below trouble.
  static constexpr std::size_t kDefaultMaxLine = std::size_t{256} << 20;

  explicit LineBuffer(std::size_t max_line = kDefaultMaxLine) : max_line_(max_line) {}

  void append(const char* data, std::size_t size) { data_.append(data, size); }
  // The next complete line without its newline (and a trailing '\r'), if there is one.
  std::optional<std::string> next_line();
  // True when the incomplete tail is already longer than the limit.
  bool overflowed() const { return data_.size() - start_ > max_line_; }
  std::size_t pending() const { return data_.size() - start_; }
  void clear() {
    data_.clear();
    start_ = 0;
    scanned_ = 0;
  }

 private:
  std::string data_;
  std::size_t start_ = 0;    // consumed prefix, compacted lazily
  std::size_t scanned_ = 0;  // bytes after start_ known to hold no newline
  std::size_t max_line_;
};

}  // namespace nictune

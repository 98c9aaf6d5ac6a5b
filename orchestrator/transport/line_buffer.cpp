#include "orchestrator/transport/line_buffer.hpp"

namespace nictune {

std::optional<std::string> LineBuffer::next_line() {
  auto newline = data_.find('\n', start_ + scanned_);
  if (newline == std::string::npos) {
    scanned_ = data_.size() - start_;
    if (start_ > 0 && start_ >= data_.size() / 2) {
      data_.erase(0, start_);
      start_ = 0;
    }
    return std::nullopt;
  }
  std::size_t end = newline;
  if (end > start_ && data_[end - 1] == '\r') --end;
  std::string line = data_.substr(start_, end - start_);
  start_ = newline + 1;
  scanned_ = 0;
  if (start_ == data_.size()) {
    data_.clear();
    start_ = 0;
  }
  return line;
}

}  // namespace nictune

#include "orchestrator/transport/text.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <sstream>

namespace nictune::transport_text {

std::string last_lines(const std::string& text, std::size_t max_chars) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos) continue;
    auto last = line.find_last_not_of(" \t\r");
    lines.push_back(line.substr(first, last - first + 1));
  }
  std::string out;
  for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
    std::string candidate = out.empty() ? *it : *it + " | " + out;
    if (candidate.size() > max_chars) {
      if (out.empty()) out = "..." + it->substr(it->size() - max_chars);
      break;
    }
    out = candidate;
  }
  return out;
}

std::string duration(std::chrono::milliseconds value) {
  auto ms = value.count();
  if (ms < 1000) return std::to_string(ms) + " ms";
  char text[32];
  if (ms % 1000 == 0) {
    std::snprintf(text, sizeof text, "%lld s", static_cast<long long>(ms / 1000));
  } else {
    std::snprintf(text, sizeof text, "%.1f s", static_cast<double>(ms) / 1000.0);
  }
  return text;
}

std::string shell_quote(const std::string& word) {
  bool plain = !word.empty();
  for (char c : word) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              std::string_view("_./=:@%+,-").find(c) != std::string_view::npos;
    if (!ok) {
      plain = false;
      break;
    }
  }
  if (plain) return word;
  std::string out = "'";
  for (char c : word) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string shell_command(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& word : argv) {
    if (!out.empty()) out += ' ';
    out += shell_quote(word);
  }
  return out;
}

bool read_file(const std::string& path, std::string& out) {
  out.clear();
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char chunk[65536];
  while (true) {
    ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int saved = errno;
      ::close(fd);
      errno = saved;
      return false;
    }
    if (n == 0) break;
    out.append(chunk, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return true;
}

void append_tail(std::string& tail, const char* data, std::size_t size, std::size_t limit) {
  tail.append(data, size);
  if (tail.size() > limit) tail.erase(0, tail.size() - limit);
}

}  // namespace nictune::transport_text

// Small text helpers the transports share for their one-line messages and remote commands.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace nictune::transport_text {

// The last non-empty lines of `text` joined with " | ", at most `max_chars` (cut at the front).
std::string last_lines(const std::string& text, std::size_t max_chars = 300);

// "250 ms", "1.5 s", "30 s".
std::string duration(std::chrono::milliseconds value);

// POSIX shell single-quoting: 'it'\''s'. Plain words ([A-Za-z0-9_./=:@%+,-]) stay as they are.
std::string shell_quote(const std::string& word);
std::string shell_command(const std::vector<std::string>& argv);

// The whole file into `out`; false (with errno set) when it cannot be read.
bool read_file(const std::string& path, std::string& out);

// Appends to a bounded tail: keeps the last `limit` bytes.
void append_tail(std::string& tail, const char* data, std::size_t size, std::size_t limit = 16384);

}  // namespace nictune::transport_text

// Small text helpers used to build user-facing messages.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace nictune {

// Edit distance, for "did you mean" suggestions.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The closest candidate within a small distance, or "" when nothing is close.
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);

// ` (did you mean "x"?)` or "".
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

std::string join(const std::vector<std::string>& parts, std::string_view separator);

// 64-bit FNV-1a as 16 lower-case hex digits: a stable short id for canonical texts.
std::string fnv1a64_hex(std::string_view text);

}  // namespace nictune

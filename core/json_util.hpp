// nlohmann::json helpers: comment-tolerant parsing with positions, type names for messages.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace nictune {

using Json = nlohmann::json;

// Parses JSON that may contain // and /* */ comments. Throws Error(kInvalid) with
// "<origin>: line L, column C: <what>" on malformed input.
Json parse_json_with_comments(const std::string& text, const std::string& origin);
Json load_json_file(const std::string& path);

// "string", "integer", "number", "boolean", "array", "object", "null".
std::string json_type_name(const Json& value);

// A short rendering of a value for messages: strings quoted, long values cut.
std::string json_brief(const Json& value);

}  // namespace nictune

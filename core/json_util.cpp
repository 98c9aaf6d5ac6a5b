#include "core/json_util.hpp"

#include <fstream>
#include <sstream>

#include "core/errors.hpp"

namespace nictune {

Json parse_json_with_comments(const std::string& text, const std::string& origin) {
  try {
    return Json::parse(text, nullptr, /*allow_exceptions=*/true, /*ignore_comments=*/true);
  } catch (const Json::parse_error& e) {
    // e.byte is 1-based; turn it into line/column for humans.
    std::size_t line = 1, column = 1;
    for (std::size_t i = 0; i + 1 < e.byte && i < text.size(); ++i) {
      if (text[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    std::string what = e.what();
    // nlohmann repeats the position ("parse error at line 4, column 42: ..."); keep the reason.
    auto pos = what.find("column ");
    if (pos != std::string::npos && (pos = what.find(": ", pos)) != std::string::npos)
      what = what.substr(pos + 2);
    throw invalid(origin + ": line " + std::to_string(line) + ", column " + std::to_string(column) +
                  ": not valid JSON: " + what);
  }
}

Json load_json_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error(ErrorCode::kIo, path + ": cannot open file");
  std::stringstream buffer;
  buffer << in.rdbuf();
  return parse_json_with_comments(buffer.str(), path);
}

std::string json_type_name(const Json& value) {
  switch (value.type()) {
    case Json::value_t::string:
      return "string";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
      return "integer";
    case Json::value_t::number_float:
      return "number";
    case Json::value_t::boolean:
      return "boolean";
    case Json::value_t::array:
      return "array";
    case Json::value_t::object:
      return "object";
    case Json::value_t::null:
      return "null";
    default:
      return "value";
  }
}

std::string json_brief(const Json& value) {
  std::string text = value.dump();
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return text;
}

}  // namespace nictune

#include "orchestrator/spec/field_reader.hpp"

#include <algorithm>
#include <cmath>

#include "core/known_fields.hpp"
#include "core/text_util.hpp"

namespace nictune {

FieldReader::FieldReader(const Json& object, std::string object_path, Issues& issues,
                         std::vector<std::string> allowed)
    : object_(object),
      path_(std::move(object_path)),
      issues_(issues),
      is_object_(object.is_object()) {
  if (!is_object_) {
    issues_.add(path_.empty() ? "(top level)" : path_,
                "expected an object, found " + json_type_name(object));
    return;
  }
  check_known_fields(object, path_, allowed, issues_, "key");
}

bool FieldReader::has(const std::string& key) const {
  return is_object_ && object_.contains(key);
}

bool FieldReader::present(const std::string& key, bool required) {
  if (has(key)) return true;
  if (required && is_object_) issues_.add(path(key), "missing (required)");
  return false;
}

std::optional<std::string> FieldReader::string(const std::string& key, bool required) {
  if (!present(key, required)) return std::nullopt;
  const Json& v = object_.at(key);
  if (!v.is_string()) {
    issues_.add(path(key), "expected a string, found " + json_type_name(v));
    return std::nullopt;
  }
  return v.get<std::string>();
}

std::optional<std::string> FieldReader::choice(const std::string& key,
                                               const std::vector<std::string>& choices,
                                               bool required) {
  auto value = string(key, required);
  if (!value) return std::nullopt;
  if (std::find(choices.begin(), choices.end(), *value) == choices.end()) {
    issues_.add(path(key), "unknown value \"" + *value + "\"" + did_you_mean(*value, choices) +
                               "; expected one of " + join(choices, ", "));
    return std::nullopt;
  }
  return value;
}

std::optional<std::int64_t> FieldReader::integer(const std::string& key, std::int64_t min,
                                                 std::int64_t max, bool required) {
  if (!present(key, required)) return std::nullopt;
  const Json& v = object_.at(key);
  bool integral = v.is_number_integer() || v.is_number_unsigned() ||
                  (v.is_number_float() && std::floor(v.get<double>()) == v.get<double>());
  if (!integral || v.get<double>() < double(min) || v.get<double>() > double(max)) {
    issues_.add(path(key), "expected an integer from " + std::to_string(min) + " to " +
                               std::to_string(max) + ", found " + json_brief(v));
    return std::nullopt;
  }
  return static_cast<std::int64_t>(v.get<double>());
}

std::optional<double> FieldReader::number(const std::string& key, double min, double max,
                                          bool required) {
  if (!present(key, required)) return std::nullopt;
  const Json& v = object_.at(key);
  if (!v.is_number() || !(v.get<double>() >= min && v.get<double>() <= max)) {
    auto fmt = [](double x) {
      std::string s = std::to_string(x);
      s.erase(s.find_last_not_of('0') + 1);
      if (!s.empty() && s.back() == '.') s.pop_back();
      return s;
    };
    issues_.add(path(key), "expected a number from " + fmt(min) + " to " + fmt(max) + ", found " +
                               json_brief(v));
    return std::nullopt;
  }
  return v.get<double>();
}

std::optional<bool> FieldReader::boolean(const std::string& key, bool required) {
  if (!present(key, required)) return std::nullopt;
  const Json& v = object_.at(key);
  if (!v.is_boolean()) {
    issues_.add(path(key), "expected true or false, found " + json_brief(v));
    return std::nullopt;
  }
  return v.get<bool>();
}

}  // namespace nictune

// Reads typed fields from one JSON object of a user document, recording every problem (wrong
// type, out of range, unknown key) with its path instead of stopping at the first.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/issues.hpp"
#include "core/json_util.hpp"

namespace nictune {

class FieldReader {
 public:
  // Records an issue if `object` is not an object or has keys outside `allowed`.
  FieldReader(const Json& object, std::string path, Issues& issues,
              std::vector<std::string> allowed);

  bool ok() const { return is_object_; }
  bool has(const std::string& key) const;
  std::string path(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }
  const Json& raw(const std::string& key) const { return object_.at(key); }

  std::optional<std::string> string(const std::string& key, bool required = false);
  std::optional<std::string> choice(const std::string& key, const std::vector<std::string>& choices,
                                    bool required = false);
  std::optional<std::int64_t> integer(const std::string& key, std::int64_t min, std::int64_t max,
                                      bool required = false);
  std::optional<double> number(const std::string& key, double min, double max,
                               bool required = false);
  std::optional<bool> boolean(const std::string& key, bool required = false);

 private:
  bool present(const std::string& key, bool required);
  const Json& object_;
  std::string path_;
  Issues& issues_;
  bool is_object_;
};

}  // namespace nictune

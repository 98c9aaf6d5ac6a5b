#include "core/known_fields.hpp"

#include <algorithm>

#include "core/text_util.hpp"

namespace nictune {

void check_known_fields(const Json& doc, const std::string& path,
                        const std::vector<std::string>& fields, Issues& issues,
                        std::string_view noun) {
  if (!doc.is_object()) return;
  for (const auto& [key, value] : doc.items()) {
    if (std::find(fields.begin(), fields.end(), key) != fields.end()) continue;
    issues.add(path.empty() ? key : path + "." + key,
               "unknown " + std::string(noun) + did_you_mean(key, fields) + "; expected one of " +
                   join(fields, ", "));
  }
}

}  // namespace nictune

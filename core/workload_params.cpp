#include "core/workload_params.hpp"

#include <algorithm>

#include "core/workload.hpp"

namespace nictune {
namespace {

constexpr std::string_view kPrefix = "workload.";

// The issues validate_workload has when `field` takes `value`, moved to `path`. Issues the
// workload has without this value are its own (reported under "workload") and left out.
void check_value(const Json& workload, const std::string& field, const Json& value,
                 const std::string& path, Issues& issues) {
  Json applied = workload;
  applied[field] = value;
  Issues found, base;
  validate_workload(applied, "workload", found);
  validate_workload(workload, "workload", base);
  const std::string own = "workload." + field;
  for (const auto& issue : found.items()) {
    if (issue.path == own) {
      issues.add(path, issue.message);
      continue;
    }
    bool known = std::any_of(base.items().begin(), base.items().end(), [&](const Issue& b) {
      return b.path == issue.path && b.message == issue.message;
    });
    if (!known)
      issues.add(path, "with " + field + " " + json_brief(value) + ": " + issue.path + ": " +
                           issue.message);
  }
}

}  // namespace

std::optional<std::string> workload_param_field(const std::string& key) {
  if (key.rfind(kPrefix, 0) != 0) return std::nullopt;
  return key.substr(kPrefix.size());
}

bool workload_field_searchable(const std::string& field, std::string* why) {
  if (field == "type" || field == "tool" || field == "rate_search") {
    if (why)
      *why = "workload." + field +
             " decides what a trial measures and cannot be a search dimension; use one spec each";
    return false;
  }
  const auto& names = workload_field_names();
  if (std::find(names.begin(), names.end(), field) == names.end()) {
    if (why) *why = "unknown workload field \"" + field + "\"";
    return false;
  }
  return true;
}

Json workload_for_point(const Json& workload, const Point& point) {
  Json out = workload;
  if (!point.is_object()) return out;
  for (const auto& [key, value] : point.items()) {
    if (auto field = workload_param_field(key)) out[*field] = value;
  }
  return out;
}

void validate_workload_params(const Space& space, const Json& workload, Issues& issues) {
  if (!workload.is_object()) return;  // reported under "workload"
  for (const auto& p : space.parameters()) {
    auto field = workload_param_field(p.name);
    if (!field) continue;
    const std::string path = "space.parameters." + p.name;
    if (p.is_numeric()) {
      // Workload fields are checked against ranges, so the ends decide for the whole range.
      const auto end = [&](double v) {
        return p.type == ParamType::kInt ? Json(static_cast<std::int64_t>(v)) : Json(v);
      };
      check_value(workload, *field, end(p.min), path + ".min", issues);
      check_value(workload, *field, end(p.max), path + ".max", issues);
      continue;
    }
    for (std::size_t i = 0; i < p.values.size(); ++i) {
      check_value(workload, *field, p.values[i], path + ".values[" + std::to_string(i) + "]",
                  issues);
    }
  }
}

}  // namespace nictune

#include "core/workload_variant.hpp"

#include <cmath>

#include "core/knob_catalog.hpp"
#include "core/workload_params.hpp"

namespace nictune {
namespace {

Json normalised(const Json& value) {
  if (value.is_number_float()) {
    const double v = value.get<double>();
    if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 9e15)
      return static_cast<std::int64_t>(v);
  }
  return value;
}

const Json& space_parameters(const Json& spec_document) {
  static const Json kNone = Json::object();
  if (!spec_document.is_object() || !spec_document.contains("space")) return kNone;
  const Json& space = spec_document.at("space");
  if (!space.is_object() || !space.contains("parameters") || !space.at("parameters").is_object())
    return kNone;
  return space.at("parameters");
}

}  // namespace

Json workload_variant(const Json& point) {
  Json out = Json::object();
  if (!point.is_object()) return out;
  for (const auto& [key, value] : point.items())
    if (workload_param_field(key)) out[key] = normalised(value);
  return out;
}

Json effective_workload_variant(const Json& point, const Json& spec_document) {
  Json out = workload_variant(point);
  const Json workload =
      spec_document.is_object() ? spec_document.value("workload", Json::object()) : Json::object();
  for (const auto& [key, unused] : space_parameters(spec_document).items()) {
    auto field = workload_param_field(key);
    if (!field || out.contains(key)) continue;
    if (workload.is_object() && workload.contains(*field))
      out[key] = normalised(workload.at(*field));
  }
  return out;
}

bool varies_workload(const Json& spec_document) {
  for (const auto& [key, unused] : space_parameters(spec_document).items())
    if (workload_param_field(key)) return true;
  return false;
}

Json fixed_load_settings(const Space& space) {
  Json out = Json::object();
  for (const auto& p : space.parameters()) {
    if (p.when || split_knob_key(p.name).role != "lg") continue;
    const std::vector<Json> values = p.grid_values();
    if (values.empty()) continue;
    bool one = true;
    for (const auto& v : values) one = one && v == values.front();
    if (one) out[p.name] = values.front();
  }
  return out;
}

Json baseline_point(const Json& variant, const Space& space) {
  Json out = fixed_load_settings(space);
  if (variant.is_object()) out.update(variant);
  return out;
}

std::string variant_text(const Json& variant) {
  std::string out;
  if (!variant.is_object()) return out;
  for (const auto& [key, value] : variant.items())
    out += (out.empty() ? "" : " ") + key + "=" +
           (value.is_string() ? value.get<std::string>() : value.dump());
  return out;
}

}  // namespace nictune

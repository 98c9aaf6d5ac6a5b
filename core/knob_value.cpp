#include "core/knob_value.hpp"

#include "core/knob_catalog.hpp"

namespace nictune {
namespace {

bool zero_mask(const Json& mask) {
  if (!mask.is_string()) return false;
  for (char c : mask.get<std::string>()) {
    if (c != '0' && c != ',') return false;
  }
  return true;
}

// Per-queue masks ({"rx-0": "", "rx-1": "0"}) that steer nothing.
bool every_mask_zero(const Json& masks) {
  if (!masks.is_object() || masks.empty()) return false;
  for (const auto& item : masks.items()) {
    if (!zero_mask(item.value())) return false;
  }
  return true;
}

}  // namespace

bool same_as_original(const std::string& key, const Json& original, const Json& value) {
  if (original == value) return true;
  const KnobInfo* knob = find_knob(split_knob_key(key).knob);
  if (!knob || knob->type != KnobValueType::kCpuPolicy) return false;
  const auto is_none = [](const Json& v) {
    return v.is_string() && v.get<std::string>() == "none";
  };
  return (is_none(value) && every_mask_zero(original)) ||
         (is_none(original) && every_mask_zero(value));
}

}  // namespace nictune

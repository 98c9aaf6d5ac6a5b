// Value rules the space model and its spec parser share: when two JSON values are the same
// parameter value, what counts as an integer, and the spelling of each parameter type.
#pragma once

#include <map>
#include <string>

#include "core/json_util.hpp"
#include "core/space.hpp"

namespace nictune::space_values {

// 4 and 4.0 are one value: a spec may spell a number either way.
bool json_equal(const Json& a, const Json& b);

// A number with no fractional part that a double still holds exactly.
bool is_integral(const Json& v);

// Spec spelling -> type; `to_string(ParamType)` is its inverse.
const std::map<std::string, ParamType>& type_names();

}  // namespace nictune::space_values

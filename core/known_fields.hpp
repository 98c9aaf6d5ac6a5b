// Unknown keys in a user's JSON object, reported the way every spec reader reports them. Beside
// `did_you_mean` (core/text_util.hpp), in a header of its own so that text_util stays free of JSON.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/issues.hpp"
#include "core/json_util.hpp"

namespace nictune {

// One issue per key of the object `doc` that is not in `fields`, at "<path>.<key>" (just "<key>"
// when `path` is empty): "unknown <noun> (did you mean ...?); expected one of a, b". `noun` keeps
// each document's own word ("field" in workloads, "key" in spec objects). Every unknown key is
// reported, not only the first, so one validation run lists them all. A non-object is left to the
// caller's own type check.
void check_known_fields(const Json& doc, const std::string& path,
                        const std::vector<std::string>& fields, Issues& issues,
                        std::string_view noun = "field");

}  // namespace nictune

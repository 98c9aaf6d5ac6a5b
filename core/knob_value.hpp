// Whether a configuration's value for a knob is the host's original one, by meaning rather than
// by spelling: agents record a CPU-policy knob's original as its per-queue masks
// ({"rx-0": ""}), while a space names it by policy ("none"). Reports count a configuration's
// changes with this, and the recommendation prefers the configuration with the fewest.
#pragma once

#include <string>

#include "core/json_util.hpp"

namespace nictune {

// `key` is a space key ("rps", "lg:xps", "sysctl.net.core.busy_read"). Equal JSON is always the
// same; besides that, the CPU policy "none" is the same as per-queue masks that are all empty or
// zero ("", "0", "00000000,00000000"). Other policies resolve against a topology the report
// does not have: only equal spellings match.
bool same_as_original(const std::string& key, const Json& original, const Json& value);

}  // namespace nictune

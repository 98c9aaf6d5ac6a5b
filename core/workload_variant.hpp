// The workload variant of a point: its "workload.<field>" values (core/workload_params.hpp). When
// a space varies the workload (seed 002's packet sizes), each variant gets a baseline of its own:
// the host's settings at that workload. A configuration at 1472 B is compared with the baseline
// at 1472 B, never with one at 64 B. The runner measures a baseline per variant (the baseline
// point carries the variant's keys only) and reports pair each configuration with it.
#pragma once

#include <string>

#include "core/json_util.hpp"
#include "core/space.hpp"

namespace nictune {

// The point's workload.* keys and values only ({} when it has none).
Json workload_variant(const Json& point);

// The variant a stored point ran at: its workload.* values, and for each workload parameter of
// the spec's space that the point leaves out, the spec workload's own value (a baseline stored
// as {} before baselines had variants ran the spec's workload). Integral numbers are integers,
// so 64 and 64.0 are one variant.
Json effective_workload_variant(const Json& point, const Json& spec_document);

// Whether the spec's space has workload.* parameters.
bool varies_workload(const Json& spec_document);

// The LG settings the space fixes: its "lg:" parameters with one value and no condition (the
// default demo's sender CPU). They are the load's setup, not a tuning searched, so the baseline
// runs with them too: the DUT as found, under the same load as every configuration. Without
// them the baseline's sender would float while every configuration's is pinned.
Json fixed_load_settings(const Space& space);

// The point a baseline trial runs: its workload variant plus the fixed load settings.
Json baseline_point(const Json& variant, const Space& space);

// "workload.payload=1472", "" for {}: a variant as labels and notes spell it.
std::string variant_text(const Json& variant);

}  // namespace nictune

#include "orchestrator/spec/profile_spec.hpp"

#include <cstdio>

#include "core/workload.hpp"
#include "orchestrator/spec/field_reader.hpp"

namespace nictune {

void parse_profile(const Json& doc, const Json& workload, ProfileSpec& out, Issues& issues) {
  if (!doc.is_object() || !doc.contains("profile")) return;
  double workload_duration_s = Workload{}.duration_s;
  if (workload.is_object() && workload.contains("duration_s") && workload["duration_s"].is_number())
    workload_duration_s = workload["duration_s"].get<double>();
  FieldReader r(doc["profile"], "profile", issues,
                {"duration_s", "points", "frequency_hz", "max_bytes"});
  if (!r.ok()) return;
  out.enabled = true;
  out.duration_s = r.number("duration_s", 0.1, 600).value_or(out.duration_s);
  if (out.duration_s > workload_duration_s) {
    char text[128];
    std::snprintf(text, sizeof text,
                  "must not be longer than workload.duration_s (%g): perf samples while the "
                  "load runs, found %g",
                  workload_duration_s, out.duration_s);
    issues.add("profile.duration_s", text);
  }
  if (r.has("points")) {
    const Json& p = r.raw("points");
    if (p.is_string()) {
      if (r.choice("points", {"best"})) out.points = 1;
    } else {
      out.points = static_cast<int>(r.integer("points", 1, 20).value_or(out.points));
    }
  }
  out.frequency_hz =
      static_cast<int>(r.integer("frequency_hz", 1, 10000).value_or(out.frequency_hz));
  out.max_bytes = r.integer("max_bytes", 65536, 1000000000).value_or(out.max_bytes);
}

}  // namespace nictune

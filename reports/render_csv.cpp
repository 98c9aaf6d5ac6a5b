// One row per trial, tidy: the experiment and host context repeat on every row so CSVs of
// several experiments (two kernels, two NICs) can simply be concatenated and grouped. Columns:
// context, trial, the configuration's status in the report, one column per knob, one per metric,
// and the spec as run (compact JSON) last. Missing values are empty cells.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <set>

#include "reports/format.hpp"
#include "reports/render.hpp"

namespace nictune::report {
namespace {

std::string real(double v) {
  if (!std::isfinite(v)) return "";
  char buf[40];
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
    return buf;
  }
  std::snprintf(buf, sizeof buf, "%.17g", v);
  // Shortest text that reads back to the same double.
  for (int precision = 6; precision < 17; ++precision) {
    char shorter[40];
    std::snprintf(shorter, sizeof shorter, "%.*g", precision, v);
    if (std::strtod(shorter, nullptr) == v) return shorter;
  }
  return buf;
}

std::string cell_value(const Json& v) {
  if (v.is_null()) return "";
  if (v.is_number_float()) return real(v.get<double>());
  return value_text(v);
}

}  // namespace

void render_csv(const Report& r, std::ostream& out) {
  const auto& e = r.experiment;
  const HostContext* dut = nullptr;
  for (const auto& c : r.contexts) {
    if (c.role == "dut" && !dut) dut = &c;
  }
  std::set<std::string> knob_set;
  for (const auto& t : r.trials) {
    if (t.point.is_object()) {
      for (const auto& item : t.point.items()) knob_set.insert(item.key());
    }
  }
  const std::vector<std::string> context_keys = {"hostname", "kernel", "driver", "firmware",
                                                 "nic",      "cpu",    "numa"};

  std::vector<std::string> head = {"experiment_id", "experiment", "spec_hash", "tool_version"};
  for (const auto& k : context_keys) head.push_back("dut_" + k);
  for (const char* col : {"trial_id", "point_id", "baseline", "repetition", "bench", "state",
                          "started_at", "ended_at", "error", "point_status", "point_rank"}) {
    head.push_back(col);
  }
  for (const auto& k : knob_set) head.push_back(k);
  for (const auto& m : r.metric_names) head.push_back(m);
  head.push_back("spec");
  for (std::size_t i = 0; i < head.size(); ++i) out << (i ? "," : "") << csv_field(head[i]);
  out << "\n";

  const std::string spec = e.spec.dump();
  for (const auto& t : r.trials) {
    const PointResult* p = r.find_point(t.point_id, t.baseline);
    if (t.baseline && !p && r.baseline) p = &r.points[*r.baseline];  // pooled baseline trials
    std::vector<std::string> row = {std::to_string(e.id), e.name, e.spec_hash, e.tool_version};
    for (const auto& k : context_keys) row.push_back(dut ? dut->get(k) : kNotRecorded);
    row.push_back(std::to_string(t.id));
    row.push_back(std::to_string(t.point_id));
    row.push_back(t.baseline ? "true" : "false");
    row.push_back(std::to_string(t.repetition));
    row.push_back(t.bench);
    row.push_back(to_string(t.outcome.state));
    row.push_back(real(t.started_at));
    row.push_back(real(t.ended_at));
    row.push_back(t.outcome.error);
    row.push_back(p ? to_string(p->status) : "");
    row.push_back(p && p->rank >= 0 ? std::to_string(p->rank) : "");
    // Baseline trials run the empty point; their columns show the host's original values.
    const Json& config = t.baseline && p ? p->config : t.point;
    for (const auto& k : knob_set) {
      row.push_back(config.is_object() && config.contains(k) ? cell_value(config.at(k)) : "");
    }
    for (const auto& m : r.metric_names) {
      auto it = t.outcome.metrics.find(m);
      row.push_back(it == t.outcome.metrics.end() ? "" : real(it->second));
    }
    row.push_back(spec);
    for (std::size_t i = 0; i < row.size(); ++i) out << (i ? "," : "") << csv_field(row[i]);
    out << "\n";
  }
}

}  // namespace nictune::report

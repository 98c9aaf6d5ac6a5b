// A spec's objectives and outcome constraints: metrics from the catalog, and the metrics and
// workload a forwarding bench can measure.
#include "core/knob_catalog.hpp"
#include "core/metrics.hpp"
#include "core/rate_search_metrics.hpp"
#include "core/text_util.hpp"
#include "orchestrator/spec/field_reader.hpp"
#include "orchestrator/spec/spec_sections.hpp"

namespace nictune {

void parse_objectives(const Json& doc, ExperimentSpec& spec, Issues& issues) {
  if (!doc.contains("objectives")) {
    issues.add("objectives",
               "missing (required): e.g. [{\"metric\": \"rx_pps\", \"goal\": \"max\"}]");
    return;
  }
  const Json& list = doc["objectives"];
  if (!list.is_array() || list.empty()) {
    issues.add("objectives", "expected a non-empty array of {\"metric\", \"goal\"}");
    return;
  }
  for (std::size_t i = 0; i < list.size(); ++i) {
    std::string path = "objectives[" + std::to_string(i) + "]";
    FieldReader r(list[i], path, issues, {"metric", "goal"});
    if (!r.ok()) continue;
    auto metric = r.string("metric", true);
    auto goal = r.choice("goal", {"max", "min"}, true);
    if (metric && !find_metric(*metric)) {
      issues.add(r.path("metric"), "unknown metric \"" + *metric + "\"" +
                                       did_you_mean(*metric, metric_names()) +
                                       "; `nictune metrics` lists them");
      continue;
    }
    if (!metric || !goal) continue;
    if (const std::string why = rate_metric_problem(doc.value("workload", Json()), *metric);
        !why.empty()) {
      issues.add(r.path("metric"), why);
    }
    for (const auto& existing : spec.objectives) {
      if (existing.metric == *metric)
        issues.add(r.path("metric"), "\"" + *metric + "\" is already an objective");
    }
    spec.objectives.push_back({*metric, *goal == "max" ? Goal::kMaximize : Goal::kMinimize});
  }
}

void parse_outcome_constraints(const Json& doc, ExperimentSpec& spec, Issues& issues) {
  if (!doc.contains("outcome_constraints")) return;
  const Json& list = doc["outcome_constraints"];
  if (!list.is_array()) {
    issues.add("outcome_constraints", "expected an array of strings like \"loss_ratio <= 0.001\"");
    return;
  }
  for (std::size_t i = 0; i < list.size(); ++i) {
    std::string path = "outcome_constraints[" + std::to_string(i) + "]";
    if (!list[i].is_string()) {
      issues.add(
          path, "expected a string like \"loss_ratio <= 0.001\", found " + json_type_name(list[i]));
      continue;
    }
    try {
      Comparison c = Comparison::parse(list[i].get<std::string>());
      if (c.lhs().kind != Operand::Kind::kName || !find_metric(c.lhs().text)) {
        issues.add(path, "\"" + c.lhs().text + "\" is not a metric" +
                             did_you_mean(c.lhs().text, metric_names()) +
                             "; expected \"<metric> <op> <number>\"");
        continue;
      }
      if (c.rhs().kind != Operand::Kind::kNumber) {
        issues.add(path, "expected a number on the right of \"" + to_string(c.op()) +
                             "\", found \"" + c.rhs().text + "\"");
        continue;
      }
      spec.outcome_constraints.push_back(std::move(c));
    } catch (const Error& e) {
      issues.add(path, e.what());
    }
  }
}

// What a forwarding bench measures, and what it cannot: the sink counts UDP datagrams, no
// application runs on the DUT, and the forwarding metrics exist only where a bench forwards.
void check_forwarding(const Json& doc, ExperimentSpec& spec, Issues& issues) {
  std::size_t forwarding = 0;
  for (const auto& bench : spec.benches) forwarding += bench.forwarding ? 1 : 0;
  // A forwarding member that failed to parse has its own issue; no second one for its metrics.
  bool declared =
      doc.contains("hosts") && doc["hosts"].is_object() && doc["hosts"].contains("forwarding");
  if (doc.contains("benches") && doc["benches"].is_array())
    for (const auto& b : doc["benches"])
      declared = declared || (b.is_object() && b.contains("forwarding"));
  if (forwarding > 0 && forwarding != spec.benches.size()) {
    issues.add("benches",
               "either every bench forwards or none does (the trials of one "
               "experiment must measure the same thing)");
  }
  auto needs_forwarding = [&](const std::string& path, const std::string& metric) {
    if (is_forwarding_metric(metric) && forwarding == 0 && !declared) {
      issues.add(path, "\"" + metric +
                           "\" is measured only on a forwarding bench (hosts.forwarding: "
                           "{\"dut_egress\", \"lg_sink\", \"sink_address\"})");
    }
  };
  for (std::size_t i = 0; i < spec.objectives.size(); ++i)
    needs_forwarding("objectives[" + std::to_string(i) + "].metric", spec.objectives[i].metric);
  for (std::size_t i = 0; i < spec.outcome_constraints.size(); ++i)
    needs_forwarding("outcome_constraints[" + std::to_string(i) + "]",
                     spec.outcome_constraints[i].lhs().text);
  if (forwarding == 0 && !declared) return;
  const Json& workload = spec.workload;
  if (workload.is_object() && workload.value("type", "") != "udp_stream") {
    issues.add("workload.type",
               "a forwarding bench counts datagrams at its sink: udp_stream, found " +
                   json_brief(workload.value("type", Json())));
  }
  for (const auto& p : spec.space.parameters()) {
    if (is_placement_knob(p.name))
      issues.add("space.parameters." + p.name,
                 "a forwarding DUT runs no application; place the LG's with \"lg:app.cpus\"");
  }
}

}  // namespace nictune

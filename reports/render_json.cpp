// Everything the report knows, for people who analyse elsewhere: every trial with its metrics and
// details, the statistics per configuration, the front, effects, host facts and the spec.
// NaN (no CI, no baseline) is written as null.
#include <cmath>

#include "core/metrics.hpp"
#include "core/version.hpp"
#include "reports/profile_section.hpp"
#include "reports/rate_search_section.hpp"
#include "reports/render.hpp"

namespace nictune::report {
namespace {

Json number(double v) {
  return std::isfinite(v) ? Json(v) : Json();
}

Json summary_json(const stats::Summary& s) {
  return {{"n", s.n},
          {"mean", number(s.mean)},
          {"stddev", number(s.stddev)},
          {"ci95_low", s.has_ci() ? number(s.ci_low()) : Json()},
          {"ci95_high", s.has_ci() ? number(s.ci_high()) : Json()},
          {"judgeable", s.judgeable()}};
}

}  // namespace

void render_json(const Report& r, std::ostream& out) {
  const auto& e = r.experiment;
  Json doc;
  doc["report_format"] = 1;
  doc["generated_by"] = std::string("nictune ") + kVersion;
  doc["experiment"] = {{"id", e.id},
                       {"name", e.name},
                       {"status", e.status},
                       {"created_at", e.created_at},
                       {"created_utc", format_utc(e.created_at)},
                       {"tool_version", e.tool_version},
                       {"spec_hash", e.spec_hash},
                       {"spec", e.spec}};
  if (!e.warm_start.empty()) doc["experiment"]["warm_start"] = e.warm_start;
  Json hosts = Json::array();
  for (const auto& h : r.hosts) {
    const HostContext c = host_context(h);
    Json context = Json::object();
    for (const auto& [key, value] : c.fields) context[key] = value;
    hosts.push_back(
        {{"role", h.role}, {"bench", h.bench}, {"context", context}, {"facts", h.facts}});
  }
  doc["hosts"] = hosts;

  Json objectives = Json::array();
  for (std::size_t j = 0; j < r.objectives.size(); ++j) {
    const auto& o = r.objectives[j];
    const MetricInfo* info = find_metric(o.metric);
    Json item = {
        {"metric", o.metric}, {"goal", to_string(o.goal)}, {"unit", info ? info->unit : ""}};
    if (j < r.scale_best.size()) {
      item["best_feasible_mean"] = number(r.scale_best[j]);
      item["worst_feasible_mean"] = number(r.scale_worst[j]);
    }
    objectives.push_back(item);
  }
  doc["objectives"] = objectives;
  doc["outcome_constraints"] = r.constraints;

  doc["hypervolume"] = number(r.hypervolume);
  doc["convergence_summary"] = convergence_sentence(r);
  Json convergence = Json::array();
  for (const auto& s : r.convergence) {
    convergence.push_back({{"evaluation", s.evaluation},
                           {"point_id", s.point_id},
                           {"hypervolume", number(s.hypervolume)}});
  }
  doc["convergence"] = convergence;
  doc["best_point_id"] = r.best ? Json(r.points[*r.best].point_id) : Json();
  doc["baseline_point_id"] = r.baseline ? Json(r.points[*r.baseline].point_id) : Json();

  Json configurations = Json::array();
  for (const auto& p : r.points) {
    Json objs = Json::array();
    for (std::size_t j = 0; j < r.objectives.size(); ++j) {
      const auto& o = p.objectives[j];
      Json item = summary_json(o.summary);
      item["metric"] = r.objectives[j].metric;
      item["gain"] = number(o.gain);
      item["gain_p_value"] = number(o.gain_p_value);
      item["gain_significant"] = o.gain_significant;
      item["gain_judged"] = o.judged;
      objs.push_back(item);
    }
    Json metrics = Json::object();
    for (const auto& [name, s] : p.metrics) metrics[name] = summary_json(s);
    configurations.push_back({{"point_id", p.point_id},
                              {"baseline", p.baseline},
                              {"status", to_string(p.status)},
                              {"rank", p.rank >= 0 ? Json(p.rank) : Json()},
                              {"label", p.label()},
                              {"config", p.config},
                              {"changes", p.changes},
                              {"complete_trials", p.complete},
                              {"failed_trials", p.failed},
                              {"evaluation", p.evaluation > 0 ? Json(p.evaluation) : Json()},
                              {"violations", p.violations},
                              {"objectives", objs},
                              {"metrics", metrics},
                              {"trial_ids", p.trial_ids}});
  }
  doc["configurations"] = configurations;

  Json effects = Json::array();
  for (const auto& eff : r.effects) {
    Json levels = Json::array();
    for (const auto& l : eff.levels) {
      levels.push_back({{"value", l.value},
                        {"configurations", l.points},
                        {"mean", number(l.mean)},
                        {"min", number(l.min)},
                        {"max", number(l.max)}});
    }
    effects.push_back({{"knob", eff.knob},
                       {"metric", eff.metric},
                       {"eta_squared", number(eff.eta_squared)},
                       {"levels", levels}});
  }
  doc["effects"] = effects;

  Json heat = {{"cpus", r.heatmap.cpus}, {"rows", Json::array()}};
  for (std::size_t i = 0; i < r.heatmap.labels.size(); ++i) {
    Json series = Json::object();
    for (const auto& l : r.heatmap.loads[i]) {
      Json values = Json::array();
      for (double v : l.per_cpu) values.push_back(number(v));
      series[l.series] = values;
    }
    Json queues = Json::object();
    if (i < r.heatmap.queues.size()) {
      for (const auto& q : r.heatmap.queues[i]) {
        Json values = Json::array();
        for (double v : q.per_cpu) values.push_back(number(v));
        queues[q.series] = values;
      }
    }
    heat["rows"].push_back({{"label", r.heatmap.labels[i]},
                            {"point_id", r.heatmap.point_ids[i]},
                            {"per_cpu", series},
                            {"interrupts_per_queue", queues}});
  }
  doc["per_cpu_heatmap"] = heat;

  Json trials = Json::array();
  for (const auto& t : r.trials) {
    trials.push_back({{"id", t.id},
                      {"point_id", t.point_id},
                      {"baseline", t.baseline},
                      {"repetition", t.repetition},
                      {"bench", t.bench},
                      {"state", to_string(t.outcome.state)},
                      {"started_at", t.started_at},
                      {"ended_at", t.ended_at},
                      {"error", t.outcome.error},
                      {"config", t.point},
                      {"metrics", t.outcome.metrics},
                      {"details", t.outcome.details}});
  }
  doc["trials"] = trials;
  Json drift = Json::array();
  for (const auto& d : r.drift) {
    drift.push_back({{"metric", d.metric},
                     {"drift", d.result.drift},
                     {"p_value", number(d.result.p_value)},
                     {"relative", number(d.result.relative)},
                     {"before_mean", number(d.result.before_mean)},
                     {"after_mean", number(d.result.after_mean)},
                     {"first_trial_after", d.first_after},
                     // A level that changed back: where, and the level after it.
                     {"back_trial", d.back_at ? Json(d.back_at) : Json()},
                     {"back_mean", d.back_at ? number(d.result.back_mean) : Json()},
                     {"baseline_trials", d.trials}});
  }
  doc["baseline_drift"] = drift;
  doc["noise"] = {{"baseline_cv", r.noise.baseline_cv},
                  {"diagnosed_trials", r.noise.diagnosed_trials},
                  {"background_cpu_mean", r.noise.background_mean},
                  {"background_cpu_max", r.noise.background_max},
                  {"busy_trials", r.noise.busy_trials},
                  {"steal_mean", r.noise.steal_mean},
                  {"unstable_baseline", r.noise.unstable()}};
  doc["notes"] = r.notes;
  if (const RateSearchSection rs = rate_search_section(r); !rs.empty())
    doc["rate_search"] = rate_search_json(rs);
  if (const ProfileSection profiles = profile_section(r); !profiles.empty())
    doc["profiles"] = profile_json(profiles);
  out << doc.dump(2, ' ', false, Json::error_handler_t::replace) << "\n";
}

}  // namespace nictune::report

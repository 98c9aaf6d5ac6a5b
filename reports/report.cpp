#include "reports/report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <set>

#include "core/errors.hpp"
#include "core/knob_value.hpp"
#include "core/metrics.hpp"
#include "core/text_util.hpp"
#include "core/workload_params.hpp"
#include "core/workload_variant.hpp"
#include "reports/format.hpp"
#include "reports/report_steps.hpp"

namespace nictune::report {
namespace {

using detail::add_cpu_heatmaps;
using detail::choose_best;
using detail::main_effects;
using detail::minimised;
using detail::original_values;
using detail::rank_points;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
using detail::kAlpha;

// Values behind one configuration's summaries, kept while building.
struct Group {
  PointResult result;
  std::map<std::string, std::vector<double>> values;              // metric -> per complete trial
  std::map<std::string, std::vector<std::int64_t>> value_trials;  // the trial id of each value
  std::int64_t first_complete_trial = std::numeric_limits<std::int64_t>::max();
  std::set<std::int64_t> baseline_point_ids;
  bool host_values = false;  // a baseline row's config shows the host's values already
};

int status_order(PointStatus s) {
  return static_cast<int>(s);
}

// The runner stores the baseline as its workload variant and the load's fixed LG settings
// (core/workload_variant.hpp); a baseline trial's details.apply names what it applied ("dut":
// {knob: value}, "lg": {...}; space keys name LG knobs "lg:knob"), which is nothing on the DUT:
// the host's original values come from the host facts then (original_values).
Json baseline_values(const TrialRecord& t) {
  Json config = Json::object();
  const Json& details = t.outcome.details;
  if (!details.is_object() || !details.contains("apply") || !details.at("apply").is_object())
    return config;
  const Json& apply = details.at("apply");
  for (const char* role : {"dut", "lg"}) {
    if (!apply.contains(role) || !apply.at(role).is_object()) continue;
    for (const auto& item : apply.at(role).items()) {
      config[std::string(role) == "lg" ? "lg:" + item.key() : item.key()] = item.value();
    }
  }
  return config;
}

std::string number_text(double v) {
  return format_number(v);
}

// Configurations by (is baseline, point id); every baseline trial of one workload variant
// belongs to one baseline row.
using Groups = std::map<std::pair<bool, std::int64_t>, Group>;
using DriftedMetrics = std::set<std::string>;  // metric names
// Per workload variant text: its baseline row's point id, its drifted metrics.
using BaselineKeys = std::map<std::string, std::int64_t>;

// Groups the report's trials into configurations; `baseline_keys` gets each variant's baseline
// row's point id.
Groups group_trials(Report& r, BaselineKeys& baseline_keys) {
  Groups groups;
  std::set<std::string> metric_names;
  std::size_t running = 0;
  for (const auto& t : r.trials) {
    std::int64_t id = t.point_id;
    const Json point = t.point.is_object() ? t.point : Json::object();
    const Json variant = effective_workload_variant(point, r.experiment.spec);
    if (t.baseline) id = baseline_keys.try_emplace(variant_text(variant), t.point_id).first->second;
    Group& g = groups[{t.baseline, id}];
    PointResult& p = g.result;
    if (p.trial_ids.empty()) {
      p.point_id = id;
      p.baseline = t.baseline;
      p.config = point;
      if (t.baseline) p.config.update(variant);  // an older {} baseline ran the spec's workload
      p.variant = variant_text(variant);
    }
    // A baseline row shows the host's own values of the space's knobs, from the first trial
    // that recorded them, beside its workload variant.
    if (t.baseline && !g.host_values) {
      Json values = baseline_values(t);
      g.host_values = !values.empty();
      values.update(p.config);
      p.config = std::move(values);
    }
    if (t.baseline) g.baseline_point_ids.insert(t.point_id);
    p.trial_ids.push_back(t.id);
    switch (t.outcome.state) {
      case TrialState::kComplete:
        ++p.complete;
        g.first_complete_trial = std::min(g.first_complete_trial, t.id);
        for (const auto& [name, value] : t.outcome.metrics) {
          g.values[name].push_back(value);
          g.value_trials[name].push_back(t.id);
          metric_names.insert(name);
        }
        break;
      case TrialState::kFailed:
      case TrialState::kPruned:
        ++p.failed;
        break;
      case TrialState::kRunning:
        ++running;
        break;
    }
  }
  r.metric_names.assign(metric_names.begin(), metric_names.end());
  // A baseline trial that recorded no knob values (it applied nothing) ran on the host's
  // original ones: those come from the host facts, beside the row's workload variant.
  std::set<std::string> keys;
  for (const auto& [key, g] : groups) {
    if (key.first) continue;
    for (const auto& item : g.result.config.items()) {
      if (!workload_param_field(item.key())) keys.insert(item.key());
    }
  }
  const Json originals = original_values(r.hosts, keys);
  for (const auto& [variant, id] : baseline_keys) {
    Json& config = groups.at({true, id}).result.config;
    for (const auto& item : originals.items()) {
      if (!config.contains(item.key())) config[item.key()] = item.value();
    }
  }
  if (running > 0) {
    r.notes.push_back(std::to_string(running) +
                      " trial(s) still running or interrupted are not counted");
  }
  return groups;
}

// Drift of one variant's baseline over the run, per objective (trial ids are in time order),
// into r.drift.
void judge_baseline_drift(Report& r, const Group& baseline) {
  for (const auto& o : r.objectives) {
    auto it = baseline.values.find(o.metric);
    if (it == baseline.values.end()) continue;
    BaselineDrift d;
    d.metric = o.metric;
    d.variant = baseline.result.variant;
    d.result = stats::detect_drift(it->second);
    d.trials = it->second.size();
    if (!d.result.valid) continue;
    d.first_after = baseline.value_trials.at(o.metric)[d.result.split];
    if (d.result.back) d.back_at = baseline.value_trials.at(o.metric)[d.result.back];
    r.drift.push_back(d);
  }
}

// The metrics that drifted, per variant.
std::map<std::string, DriftedMetrics> note_baseline_drift(Report& r) {
  std::map<std::string, DriftedMetrics> drifted;
  for (const auto& d : r.drift) {
    if (!d.result.drift) continue;
    drifted[d.variant].insert(d.metric);
    r.notes.push_back("baseline drift: " + d.text() +
                      "; each configuration is compared with the baseline trials measured "
                      "nearest in time to its own");
  }
  return drifted;
}

// The baseline values a configuration is compared with on `metric`: all of them, or with drift
// the ones measured nearest in time to its own trials (stats::nearest_in_time). Modes of a shared
// host come and go more than once in a run, so one step between "before" and "after" is not
// enough.
std::vector<double> baseline_sample(const Group& baseline, const DriftedMetrics& drifted,
                                    const Group& g, const std::string& metric) {
  const auto& all = baseline.values.at(metric);
  if (!drifted.count(metric) || !g.value_trials.count(metric)) return all;
  const auto& base_ids = baseline.value_trials.at(metric);
  std::vector<double> local;
  for (std::size_t i :
       stats::nearest_in_time(base_ids, g.value_trials.at(metric), stats::kMinRepetitionsToJudge)) {
    local.push_back(all[i]);
  }
  return local;
}

// One configuration's summaries, its changes against the baseline, its gains with their tests,
// and whether it is feasible (status kDominated until ranked) or failed.
void summarise(Group& g, const Group* baseline, const DriftedMetrics& drifted,
               const std::vector<Objective>& objectives,
               const std::vector<Comparison>& constraints) {
  PointResult& p = g.result;
  for (const auto& [name, xs] : g.values) p.metrics[name] = stats::summarize(xs);
  if (!p.baseline) {
    const Json base = baseline ? baseline->result.config : Json::object();
    for (const auto& item : p.config.items()) {
      // The workload variant is the same as its baseline's by construction, and is what tells
      // two rows of one layout apart: always shown.
      if (workload_param_field(item.key()) || !base.contains(item.key()) ||
          !same_as_original(item.key(), base.at(item.key()), item.value())) {
        p.changes[item.key()] = item.value();
      }
    }
    // A key the point lacks (an inactive conditional knob) keeps the host's value: no change.
  }
  for (const auto& o : objectives) {
    ObjectiveResult res;
    auto it = g.values.find(o.metric);
    res.summary = it == g.values.end() ? stats::summarize({}) : stats::summarize(it->second);
    res.gain = kNaN;
    res.gain_p_value = kNaN;
    if (baseline && !p.baseline && it != g.values.end()) {
      if (baseline->values.count(o.metric)) {
        const std::vector<double> base = baseline_sample(*baseline, drifted, g, o.metric);
        const auto b = &base;
        const double base_mean = stats::mean(base);
        if (base_mean != 0) {
          const double sign = o.goal == Goal::kMaximize ? 1 : -1;
          res.gain = sign * (res.summary.mean - base_mean) / std::fabs(base_mean);
        }
        // A test on one degree of freedom a side is noise presented as an answer.
        res.judged = it->second.size() >= stats::kMinRepetitionsToJudge &&
                     b->size() >= stats::kMinRepetitionsToJudge;
        auto welch = stats::welch_t_test(*b, it->second);
        if (welch.valid && res.judged) {
          res.gain_p_value = welch.p_value;
          res.gain_significant = welch.p_value < kAlpha;
        }
      }
    }
    p.objectives.push_back(res);
  }

  // Feasibility on the means.
  if (p.complete == 0) {
    p.status = PointStatus::kFailed;
    return;
  }
  for (const auto& o : objectives) {
    if (!g.values.count(o.metric)) p.violations.push_back(o.metric + " was not measured");
  }
  for (const auto& c : constraints) {
    auto lookup = [&](const std::string& name) -> std::optional<Json> {
      auto m = p.metrics.find(name);
      if (m == p.metrics.end()) return std::nullopt;
      return Json(m->second.mean);
    };
    if (!c.holds(lookup)) {
      std::string why = c.text();
      if (c.lhs().kind == Operand::Kind::kName && p.metrics.count(c.lhs().text)) {
        why += " (is " + number_text(p.metrics.at(c.lhs().text).mean) + ")";
      }
      p.violations.push_back(why);
    }
  }
  p.status = p.violations.empty() ? PointStatus::kDominated : PointStatus::kInfeasible;
}

// Evaluation order: the first completion of each configuration.
void number_evaluations(Groups& groups) {
  std::vector<Group*> done;
  for (auto& [key, g] : groups) {
    if (!g.result.baseline && g.result.complete > 0) done.push_back(&g);
  }
  std::sort(done.begin(), done.end(), [](const Group* a, const Group* b) {
    return a->first_complete_trial < b->first_complete_trial;
  });
  for (std::size_t i = 0; i < done.size(); ++i) done[i]->result.evaluation = i + 1;
}

// Says how many configurations have too few repetitions to be judged.
void note_unjudged(Report& r) {
  std::size_t unjudged = 0;
  for (const auto& p : r.points) {
    if (p.complete > 0 && p.complete < stats::kMinRepetitionsToJudge) ++unjudged;
  }
  if (unjudged > 0) {
    r.notes.push_back(std::to_string(unjudged) + " configuration" +
                      (unjudged == 1 ? " has" : "s have") + " fewer than " +
                      std::to_string(stats::kMinRepetitionsToJudge) +
                      " complete repetitions: not enough repetitions to judge (no CI, no "
                      "significance test; marked n<3)");
  }
}

// Orders the rows (status, rank, first objective, baseline first among equals) and finds the
// baseline's and the recommended (best) point's.
void order_rows(Report& r) {
  const auto& objectives = r.objectives;
  const std::size_t k = objectives.size();
  auto sort_value = [&](const PointResult& p) {
    if (k == 0) return kInf;
    const double v = minimised(objectives[0], p.objectives[0].summary.mean);
    return std::isnan(v) ? kInf : v;
  };
  std::stable_sort(r.points.begin(), r.points.end(),
                   [&](const PointResult& a, const PointResult& b) {
                     if (a.status != b.status)
                       return status_order(a.status) < status_order(b.status);
                     if (a.rank != b.rank) return a.rank < b.rank;
                     const double va = sort_value(a), vb = sort_value(b);
                     if (va != vb) return va < vb;
                     if (a.baseline != b.baseline) return a.baseline;
                     return a.point_id < b.point_id;
                   });
  for (std::size_t i = 0; i < r.points.size(); ++i) {
    if (r.points[i].baseline && !r.baseline) r.baseline = i;
  }
  choose_best(r);
  // With a baseline per workload variant, the one shown beside the best point is its own.
  for (std::size_t i = 0; r.best && i < r.points.size(); ++i) {
    if (r.points[i].baseline && r.points[i].variant == r.points[*r.best].variant) r.baseline = i;
  }
}

}  // namespace

std::string BaselineDrift::text() const {
  char p[32];
  std::snprintf(p, sizeof p, "%.3f", result.p_value);
  // A level that came back is said with both edges, each level relative to the first one.
  std::string back;
  if (back_at != 0 && result.before_mean != 0) {
    back = ", " +
           format_percent((result.back_mean - result.before_mean) / std::fabs(result.before_mean)) +
           " from trial " + std::to_string(back_at);
  }
  return metric + (variant.empty() ? "" : " at " + variant) + " " +
         format_percent(result.relative) + " from trial " + std::to_string(first_after) + back +
         " on (permutation p = " + p + ", " + std::to_string(trials) + " baseline trials)";
}

std::string to_string(Goal goal) {
  return goal == Goal::kMaximize ? "max" : "min";
}

std::string to_string(PointStatus status) {
  switch (status) {
    case PointStatus::kFront:
      return "front";
    case PointStatus::kTied:
      return "tied within noise";
    case PointStatus::kDominated:
      return "dominated";
    case PointStatus::kInfeasible:
      return "infeasible";
    case PointStatus::kFailed:
      return "failed";
  }
  return "failed";
}

std::vector<Objective> objectives_from_spec(const Json& spec) {
  std::vector<Objective> out;
  if (!spec.is_object() || !spec.contains("objectives") || !spec.at("objectives").is_array())
    return out;
  for (const auto& item : spec.at("objectives")) {
    if (!item.is_object() || !item.contains("metric") || !item.at("metric").is_string()) continue;
    Objective o;
    o.metric = item.at("metric").get<std::string>();
    const MetricInfo* info = find_metric(o.metric);
    o.goal = info ? info->better : Goal::kMaximize;
    if (item.contains("goal") && item.at("goal").is_string()) {
      const auto goal = item.at("goal").get<std::string>();
      if (goal.rfind("max", 0) == 0) o.goal = Goal::kMaximize;
      if (goal.rfind("min", 0) == 0) o.goal = Goal::kMinimize;
    }
    out.push_back(o);
  }
  return out;
}

std::vector<Comparison> constraints_from_spec(const Json& spec) {
  std::vector<Comparison> out;
  if (!spec.is_object() || !spec.contains("outcome_constraints")) return out;
  const Json& list = spec.at("outcome_constraints");
  if (!list.is_array()) return out;
  for (const auto& item : list) {
    if (!item.is_string()) continue;
    try {
      out.push_back(Comparison::parse(item.get<std::string>()));
    } catch (const Error&) {
      // validated when the experiment ran; an unparsable leftover cannot judge anything
    }
  }
  return out;
}

std::string config_text(const Json& config) {
  std::string out;
  if (!config.is_object()) return value_text(config);
  for (const auto& item : config.items()) {
    out += (out.empty() ? "" : " ") + item.key() + "=" + value_text(item.value());
  }
  return out;
}

std::string PointResult::label() const {
  if (baseline) return variant.empty() ? "(baseline)" : "(baseline) " + variant;
  if (changes.empty()) return "(same as baseline)";
  return config_text(changes);
}

const PointResult* Report::find_point(std::int64_t point_id, bool is_baseline) const {
  for (const auto& p : points) {
    if (p.point_id == point_id && p.baseline == is_baseline) return &p;
  }
  return nullptr;
}

Report build_report(const ExperimentRecord& experiment, const std::vector<HostRecord>& hosts,
                    const std::vector<TrialRecord>& trials) {
  Report r;
  r.experiment = experiment;
  r.hosts = hosts;
  r.contexts = host_contexts(hosts);
  r.objectives = objectives_from_spec(experiment.spec);
  const auto constraints = constraints_from_spec(experiment.spec);
  for (const auto& c : constraints) r.constraints.push_back(c.text());
  r.trials = trials;
  std::sort(r.trials.begin(), r.trials.end(),
            [](const TrialRecord& a, const TrialRecord& b) { return a.id < b.id; });
  const auto& objectives = r.objectives;
  const std::size_t k = objectives.size();
  if (k == 0) r.notes.push_back("the spec declares no objectives: nothing is ranked");

  BaselineKeys baseline_keys;
  Groups groups = group_trials(r, baseline_keys);
  std::map<std::string, const Group*> baselines;  // per workload variant
  for (const auto& [variant, id] : baseline_keys) baselines[variant] = &groups.at({true, id});
  if (baselines.empty())
    r.notes.push_back("no baseline was measured: gains over the baseline are not shown");
  for (const auto& [variant, baseline] : baselines) {
    if (baseline->baseline_point_ids.size() <= 1) continue;
    r.notes.push_back("baseline trials" + (variant.empty() ? "" : " at " + variant) +
                      " were taken with " + std::to_string(baseline->baseline_point_ids.size()) +
                      " different configurations; they are pooled");
  }

  r.noise = summarize_noise(r.trials, objectives);
  if (!r.noise.empty()) r.notes.push_back("noise: " + r.noise.text());
  if (const std::string unstable = r.noise.unstable_text(); !unstable.empty())
    r.notes.push_back(unstable);

  for (const auto& [variant, baseline] : baselines) judge_baseline_drift(r, *baseline);
  const auto drifted = note_baseline_drift(r);
  std::set<std::string> without_baseline;
  for (auto& [key, g] : groups) {
    // Each configuration against the baseline of its own workload variant, or none.
    const auto b = g.result.baseline ? baselines.end() : baselines.find(g.result.variant);
    const auto d = drifted.find(g.result.variant);
    if (!g.result.baseline && b == baselines.end() && !baselines.empty())
      without_baseline.insert(g.result.variant);
    summarise(g, b == baselines.end() ? nullptr : b->second,
              d == drifted.end() ? DriftedMetrics{} : d->second, objectives, constraints);
  }
  for (const auto& variant : without_baseline)
    r.notes.push_back("no baseline was measured at " + variant +
                      ": configurations there show no gain over the baseline");
  number_evaluations(groups);
  for (auto& [key, g] : groups) r.points.push_back(std::move(g.result));

  rank_points(r);
  note_unjudged(r);
  order_rows(r);
  r.effects = main_effects(objectives, r.points);
  add_cpu_heatmaps(r);
  return r;
}

}  // namespace nictune::report

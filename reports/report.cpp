#include "reports/report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <set>

#include "core/errors.hpp"
#include "core/metrics.hpp"
#include "core/text_util.hpp"
#include "reports/format.hpp"
#include "strategies/pareto.hpp"

namespace nictune::report {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kReferenceMargin = 1.1;  // reference point per normalised axis
constexpr double kAlpha = 0.05;

// Values behind one configuration's summaries, kept while building.
struct Group {
  PointResult result;
  std::map<std::string, std::vector<double>> values;              // metric -> per complete trial
  std::map<std::string, std::vector<std::int64_t>> value_trials;  // the trial id of each value
  std::int64_t first_complete_trial = std::numeric_limits<std::int64_t>::max();
  std::set<std::int64_t> baseline_point_ids;
};

int status_order(PointStatus s) {
  return static_cast<int>(s);
}

// The runner stores the baseline as the empty point and records the host's original values of
// every knob in the space in details.apply ("dut": {knob: value}, "lg": {...}); space keys
// name LG knobs "lg:knob".
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

// Objective value turned into "smaller is better"; NaN stays NaN.
double minimised(const Objective& o, double value) {
  return o.goal == Goal::kMaximize ? -value : value;
}

std::vector<double> minimised_means(const std::vector<Objective>& objectives,
                                    const PointResult& p) {
  std::vector<double> v;
  for (std::size_t j = 0; j < objectives.size(); ++j) {
    v.push_back(minimised(objectives[j], p.objectives[j].summary.mean));
  }
  return v;
}

std::string number_text(double v) {
  return format_number(v);
}

bool json_less(const Json& a, const Json& b) {
  if (a.is_null() != b.is_null()) return b.is_null();  // inactive last
  if (a.is_number() && b.is_number()) return a.get<double>() < b.get<double>();
  if (a.is_boolean() && b.is_boolean()) return !a.get<bool>() && b.get<bool>();
  return a.dump() < b.dump();
}

std::vector<KnobEffect> main_effects(const std::vector<Objective>& objectives,
                                     const std::vector<PointResult>& points) {
  std::vector<KnobEffect> out;
  for (std::size_t j = 0; j < objectives.size(); ++j) {
    std::vector<const PointResult*> measured;
    std::set<std::string> knobs;
    for (const auto& p : points) {
      if (p.baseline || p.complete == 0 || p.objectives[j].summary.n == 0) continue;
      measured.push_back(&p);
      for (const auto& item : p.config.items()) knobs.insert(item.key());
    }
    if (measured.size() < 2) continue;
    double grand = 0;
    for (const auto* p : measured) grand += p->objectives[j].summary.mean;
    grand /= static_cast<double>(measured.size());
    double total_ss = 0;
    for (const auto* p : measured) total_ss += std::pow(p->objectives[j].summary.mean - grand, 2);

    std::vector<KnobEffect> per_objective;
    for (const auto& knob : knobs) {
      std::map<std::string, EffectLevel> levels;  // by value's JSON text
      std::map<std::string, std::vector<double>> level_values;
      for (const auto* p : measured) {
        Json value = p->config.contains(knob) ? p->config.at(knob) : Json();
        const std::string key = value.dump();
        levels[key].value = value;
        level_values[key].push_back(p->objectives[j].summary.mean);
      }
      if (levels.size() < 2) continue;  // the knob never varied: it says nothing
      KnobEffect effect;
      effect.knob = knob;
      effect.metric = objectives[j].metric;
      double between_ss = 0;
      for (auto& [key, level] : levels) {
        const auto& xs = level_values[key];
        level.points = xs.size();
        level.mean = stats::mean(xs);
        level.min = *std::min_element(xs.begin(), xs.end());
        level.max = *std::max_element(xs.begin(), xs.end());
        between_ss += static_cast<double>(xs.size()) * std::pow(level.mean - grand, 2);
        effect.levels.push_back(level);
      }
      std::sort(
          effect.levels.begin(), effect.levels.end(),
          [](const EffectLevel& a, const EffectLevel& b) { return json_less(a.value, b.value); });
      effect.eta_squared = total_ss > 0 ? std::min(1.0, between_ss / total_ss) : 0;
      per_objective.push_back(std::move(effect));
    }
    std::stable_sort(
        per_objective.begin(), per_objective.end(),
        [](const KnobEffect& a, const KnobEffect& b) { return a.eta_squared > b.eta_squared; });
    for (auto& e : per_objective) out.push_back(std::move(e));
  }
  return out;
}

using CellSums = std::map<std::string, std::map<std::size_t, std::pair<double, int>>>;  // row, cpu

void add_cell(CellSums& sums, const std::string& row, long long cpu, double value,
              std::size_t& cpus) {
  if (cpu < 0 || cpu > 65535) return;
  auto& cell = sums[row][static_cast<std::size_t>(cpu)];
  cell.first += value;
  cell.second += 1;
  cpus = std::max(cpus, static_cast<std::size_t>(cpu) + 1);
}

// Mean per cell over the trials that reported it, or, with `row_trials`, over the trials that
// reported the row at all (an absent cell then counts as 0).
std::vector<CpuLoad> averaged(const CellSums& sums, const std::vector<std::string>& order,
                              const std::map<std::string, int>* row_trials = nullptr) {
  std::vector<CpuLoad> out;
  for (const auto& name : order) {
    auto it = sums.find(name);
    if (it == sums.end()) continue;
    CpuLoad load;
    load.series = name;
    for (const auto& [cpu, cell] : it->second) {
      if (load.per_cpu.size() <= cpu) load.per_cpu.resize(cpu + 1, kNaN);
      load.per_cpu[cpu] = cell.first / (row_trials ? row_trials->at(name) : cell.second);
    }
    out.push_back(std::move(load));
  }
  return out;
}

// The DUT agent's counters of one point, averaged over its complete trials.
void counter_loads(const std::vector<TrialRecord>& trials, const PointResult& point,
                   std::size_t& cpus, std::vector<CpuLoad>& series_out,
                   std::vector<CpuLoad>& queues_out) {
  CellSums series, queues;
  std::map<long long, std::string> queue_names;  // irq number -> row name, in irq order
  std::map<std::string, int> queue_trials;
  const std::set<std::int64_t> ids(point.trial_ids.begin(), point.trial_ids.end());
  for (const auto& t : trials) {
    if (!ids.count(t.id) || t.outcome.state != TrialState::kComplete) continue;
    const Json& details = t.outcome.details;
    if (!details.is_object() || !details.contains("counters") ||
        !details.at("counters").is_object())
      continue;
    const Json& counters = details.at("counters");
    if (counters.contains("per_cpu") && counters.at("per_cpu").is_array()) {
      for (const auto& row : counters.at("per_cpu")) {
        if (!row.is_object() || !row.contains("cpu") || !row.at("cpu").is_number_integer())
          continue;
        for (const auto& item : row.items()) {
          if (item.key() == "cpu" || !item.value().is_number()) continue;
          add_cell(series, item.key(), row.at("cpu").get<long long>(), item.value().get<double>(),
                   cpus);
        }
      }
    }
    if (counters.contains("softnet") && counters.at("softnet").is_array()) {
      for (const auto& row : counters.at("softnet")) {
        if (!row.is_object() || !row.contains("cpu") || !row.at("cpu").is_number_integer())
          continue;
        if (!row.contains("processed") || !row.at("processed").is_number()) continue;
        add_cell(series, "softnet_processed", row.at("cpu").get<long long>(),
                 row.at("processed").get<double>(), cpus);
      }
    }
    if (counters.contains("irqs") && counters.at("irqs").is_object()) {
      for (const auto& item : counters.at("irqs").items()) {
        const Json& irq = item.value();
        if (!irq.is_object() || !irq.contains("per_cpu") || !irq.at("per_cpu").is_object())
          continue;
        long long number = 0;
        try {
          number = std::stoll(item.key());
        } catch (const std::exception&) {
          continue;
        }
        std::string name = irq.contains("queue") && irq.at("queue").is_string()
                               ? irq.at("queue").get<std::string>()
                               : "";
        if (name.empty() && irq.contains("name") && irq.at("name").is_string())
          name = irq.at("name").get<std::string>();
        name = (name.empty() ? "irq " : name + " (irq ") + item.key() + (name.empty() ? "" : ")");
        queue_names[number] = name;
        ++queue_trials[name];
        // CPUs that serviced none are absent: count them as 0 once the queue is known.
        for (const auto& cell : irq.at("per_cpu").items()) {
          if (!cell.value().is_number()) continue;
          try {
            add_cell(queues, name, std::stoll(cell.key()), cell.value().get<double>(), cpus);
          } catch (const std::exception&) {
          }
        }
      }
    }
  }
  std::vector<std::string> order;
  for (const auto& name : kPreferredCpuSeries) {
    if (series.count(name)) order.push_back(name);
  }
  if (order.empty()) {
    for (const auto& [name, unused] : series) order.push_back(name);
  }
  series_out = averaged(series, order);
  std::vector<std::string> queue_order;
  for (const auto& [number, name] : queue_names) {
    if (std::find(queue_order.begin(), queue_order.end(), name) == queue_order.end())
      queue_order.push_back(name);
  }
  queues_out = averaged(queues, queue_order, &queue_trials);
}

}  // namespace

std::string BaselineDrift::text() const {
  char p[32];
  std::snprintf(p, sizeof p, "%.3f", result.p_value);
  return metric + " " + format_percent(result.relative) + " from trial " +
         std::to_string(first_after) + " on (permutation p = " + p + ", " + std::to_string(trials) +
         " baseline trials)";
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
  if (baseline) return "(baseline)";
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

  // Group trials into configurations; every baseline trial belongs to one baseline row.
  std::map<std::pair<bool, std::int64_t>, Group> groups;
  std::optional<std::int64_t> baseline_key;
  std::set<std::string> metric_names;
  std::size_t running = 0;
  for (const auto& t : r.trials) {
    std::int64_t id = t.point_id;
    if (t.baseline) {
      if (!baseline_key) baseline_key = t.point_id;
      id = *baseline_key;
    }
    Group& g = groups[{t.baseline, id}];
    PointResult& p = g.result;
    if (p.trial_ids.empty()) {
      p.point_id = id;
      p.baseline = t.baseline;
      p.config = t.point.is_object() ? t.point : Json::object();
    }
    if (t.baseline && p.config.empty()) p.config = baseline_values(t);
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
  if (running > 0) {
    r.notes.push_back(std::to_string(running) +
                      " trial(s) still running or interrupted are not counted");
  }

  const Group* baseline = baseline_key ? &groups.at({true, *baseline_key}) : nullptr;
  if (!baseline)
    r.notes.push_back("no baseline was measured: gains over the baseline are not shown");
  if (baseline && baseline->baseline_point_ids.size() > 1) {
    r.notes.push_back("baseline trials were taken with " +
                      std::to_string(baseline->baseline_point_ids.size()) +
                      " different configurations; they are pooled");
  }

  r.noise = summarize_noise(r.trials, objectives);
  if (!r.noise.empty()) r.notes.push_back("noise: " + r.noise.text());

  // Drift of the baseline over the run, per objective (trial ids are in time order).
  std::map<std::string, const BaselineDrift*> drifted;
  if (baseline) {
    for (const auto& o : objectives) {
      auto it = baseline->values.find(o.metric);
      if (it == baseline->values.end()) continue;
      BaselineDrift d;
      d.metric = o.metric;
      d.result = stats::detect_drift(it->second);
      d.trials = it->second.size();
      if (!d.result.valid) continue;
      d.first_after = baseline->value_trials.at(o.metric)[d.result.split];
      r.drift.push_back(d);
    }
    for (const auto& d : r.drift) {
      if (!d.result.drift) continue;
      drifted[d.metric] = &d;
      r.notes.push_back("baseline drift: " + d.text() +
                        "; each configuration is compared with the baseline trials on its side "
                        "of the change");
    }
  }
  // The baseline values a configuration is compared with on `metric`: all of them, or with drift
  // the ones on the same side of the change as the median of the configuration's trials.
  auto baseline_sample = [&](const Group& g, const std::string& metric) {
    const auto& all = baseline->values.at(metric);
    auto d = drifted.find(metric);
    if (d == drifted.end() || !g.value_trials.count(metric)) return all;
    auto ids = g.value_trials.at(metric);
    std::sort(ids.begin(), ids.end());
    const bool after = ids[ids.size() / 2] >= d->second->first_after;
    const auto& base_ids = baseline->value_trials.at(metric);
    std::vector<double> side;
    for (std::size_t i = 0; i < all.size(); ++i) {
      if ((base_ids[i] >= d->second->first_after) == after) side.push_back(all[i]);
    }
    return side;
  };

  for (auto& [key, g] : groups) {
    PointResult& p = g.result;
    for (const auto& [name, xs] : g.values) p.metrics[name] = stats::summarize(xs);
    if (!p.baseline) {
      const Json base = baseline ? baseline->result.config : Json::object();
      for (const auto& item : p.config.items()) {
        if (!base.contains(item.key()) || base.at(item.key()) != item.value()) {
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
          const std::vector<double> base = baseline_sample(g, o.metric);
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
      continue;
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
  {
    std::vector<Group*> done;
    for (auto& [key, g] : groups) {
      if (!g.result.baseline && g.result.complete > 0) done.push_back(&g);
    }
    std::sort(done.begin(), done.end(), [](const Group* a, const Group* b) {
      return a->first_complete_trial < b->first_complete_trial;
    });
    for (std::size_t i = 0; i < done.size(); ++i) done[i]->result.evaluation = i + 1;
  }

  for (auto& [key, g] : groups) r.points.push_back(std::move(g.result));

  // Pareto ranks over the feasible points.
  std::vector<std::size_t> feasible;
  std::vector<std::vector<double>> mins;
  if (k > 0) {
    for (std::size_t i = 0; i < r.points.size(); ++i) {
      if (r.points[i].status != PointStatus::kDominated) continue;
      feasible.push_back(i);
      mins.push_back(minimised_means(objectives, r.points[i]));
    }
  }
  if (!feasible.empty()) {
    const auto ranks = pareto_ranks(mins);
    std::vector<std::size_t> front;
    for (std::size_t f = 0; f < feasible.size(); ++f) {
      r.points[feasible[f]].rank = ranks[f];
      if (ranks[f] == 0) {
        r.points[feasible[f]].status = PointStatus::kFront;
        front.push_back(f);
      }
    }
    for (std::size_t f = 0; f < feasible.size(); ++f) {
      if (ranks[f] == 0) continue;
      PointResult& p = r.points[feasible[f]];
      bool beaten = false;
      for (std::size_t ff : front) {
        if (!dominates(mins[ff], mins[f])) continue;
        const PointResult& q = r.points[feasible[ff]];
        for (std::size_t j = 0; j < k && !beaten; ++j) {
          beaten = !stats::intervals_overlap(q.objectives[j].summary, p.objectives[j].summary);
        }
        if (beaten) break;
      }
      p.status = beaten ? PointStatus::kDominated : PointStatus::kTied;
    }

    // Hypervolume, every objective scaled between the best and worst feasible means.
    r.scale_best.assign(k, kInf);
    r.scale_worst.assign(k, -kInf);
    std::vector<double> lo(k, kInf), hi(k, -kInf);
    for (const auto& m : mins) {
      for (std::size_t j = 0; j < k; ++j) {
        lo[j] = std::min(lo[j], m[j]);
        hi[j] = std::max(hi[j], m[j]);
      }
    }
    for (std::size_t j = 0; j < k; ++j) {
      r.scale_best[j] = minimised(objectives[j], lo[j]);
      r.scale_worst[j] = minimised(objectives[j], hi[j]);
    }
    auto normalise = [&](const std::vector<double>& m) {
      std::vector<double> v(k);
      for (std::size_t j = 0; j < k; ++j)
        v[j] = hi[j] > lo[j] ? (m[j] - lo[j]) / (hi[j] - lo[j]) : 0;
      return v;
    };
    const std::vector<double> reference(k, kReferenceMargin);
    const double box = std::pow(kReferenceMargin, static_cast<double>(k));
    std::vector<std::vector<double>> all;
    for (const auto& m : mins) all.push_back(normalise(m));
    r.hypervolume = hypervolume(all, reference) / box;

    // Growth with evaluations: the baseline first, then points in evaluation order (their final
    // means), keeping only the running front so each step is cheap.
    std::vector<std::pair<std::size_t, std::size_t>> order;  // evaluation, feasible index
    std::optional<std::size_t> base_f;
    for (std::size_t f = 0; f < feasible.size(); ++f) {
      const auto& p = r.points[feasible[f]];
      if (p.baseline) {
        base_f = f;
      } else {
        order.emplace_back(p.evaluation, f);
      }
    }
    std::sort(order.begin(), order.end());
    std::vector<std::vector<double>> running_front;
    auto add = [&](const std::vector<double>& v) {
      for (const auto& q : running_front) {
        if (dominates(q, v) || q == v) return false;
      }
      std::erase_if(running_front, [&](const std::vector<double>& q) { return dominates(v, q); });
      running_front.push_back(v);
      return true;
    };
    double current = 0;
    if (base_f) {
      add(normalise(mins[*base_f]));
      current = hypervolume(running_front, reference) / box;
      r.convergence.push_back({0, r.points[feasible[*base_f]].point_id, current});
    }
    // Every measured point is an evaluation, feasible or not: the curve's x axis is the budget.
    std::vector<std::pair<std::size_t, std::int64_t>> evaluations;
    for (const auto& p : r.points) {
      if (!p.baseline && p.evaluation > 0) evaluations.emplace_back(p.evaluation, p.point_id);
    }
    std::sort(evaluations.begin(), evaluations.end());
    std::size_t next = 0;
    for (const auto& [evaluation, point_id] : evaluations) {
      if (next < order.size() && order[next].first == evaluation) {
        if (add(normalise(mins[order[next].second]))) {
          current = hypervolume(running_front, reference) / box;
        }
        ++next;
      }
      r.convergence.push_back({evaluation, point_id, current});
    }
  } else {
    r.hypervolume = kNaN;
    if (k > 0) r.notes.push_back("no configuration met every outcome constraint: nothing is best");
  }

  {
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

  // Order the rows.
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
    if (r.points[i].baseline) r.baseline = i;
    if (!r.best && r.points[i].status == PointStatus::kFront && !r.points[i].baseline) r.best = i;
  }

  r.effects = main_effects(objectives, r.points);

  // Which CPUs did the work: the best point against the baseline, from what the agent recorded.
  auto add_heat = [&](std::optional<std::size_t> index, const std::string& label) {
    if (!index) return;
    std::vector<CpuLoad> series, queues;
    counter_loads(r.trials, r.points[*index], r.heatmap.cpus, series, queues);
    if (series.empty() && queues.empty()) return;
    r.heatmap.labels.push_back(label);
    r.heatmap.point_ids.push_back(r.points[*index].point_id);
    r.heatmap.loads.push_back(std::move(series));
    r.heatmap.queues.push_back(std::move(queues));
  };
  add_heat(r.baseline, "baseline");
  if (r.best) add_heat(r.best, "best (point " + std::to_string(r.points[*r.best].point_id) + ")");
  // Rows cover every CPU seen; a queue's interrupts on a CPU no trial mentioned were 0.
  for (auto& loads : r.heatmap.loads) {
    for (auto& load : loads) load.per_cpu.resize(r.heatmap.cpus, kNaN);
  }
  for (auto& queues : r.heatmap.queues) {
    for (auto& q : queues) {
      q.per_cpu.resize(r.heatmap.cpus, 0);
      for (double& v : q.per_cpu) v = std::isnan(v) ? 0 : v;
    }
  }
  return r;
}

ExperimentRecord resolve_experiment(Store& store, const std::string& id_or_name) {
  if (id_or_name.empty()) {
    auto all = store.experiments();
    if (all.empty())
      throw invalid("the database holds no experiment yet; `nictune run SPEC` makes one");
    return all.back();
  }
  if (auto e = store.find_experiment(id_or_name)) return *e;
  std::vector<std::string> names;
  std::string known;
  for (const auto& e : store.experiments()) {
    names.push_back(e.name);
    known += (known.empty() ? "" : ", ") + std::to_string(e.id) + " (" + e.name + ")";
  }
  throw invalid("no experiment \"" + id_or_name + "\" in the database" +
                did_you_mean(id_or_name, names) +
                (known.empty() ? "; it holds none" : "; it holds " + known));
}

Report load_report(Store& store, const std::string& id_or_name) {
  const ExperimentRecord e = resolve_experiment(store, id_or_name);
  Report r = build_report(e, store.hosts(e.id), store.trials(e.id));
  r.profile_trials = store.profile_trials(e.id);
  return r;
}

}  // namespace nictune::report

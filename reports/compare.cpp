#include "reports/compare.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <sstream>

#include "core/errors.hpp"
#include "core/space.hpp"
#include "core/text_util.hpp"
#include "reports/format.hpp"

namespace nictune::report {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

Json number(double v) {
  return std::isfinite(v) ? Json(v) : Json();
}

std::string context_summary(const std::vector<HostContext>& contexts) {
  for (const auto& c : contexts) {
    if (c.role == "dut") {
      return c.get("hostname") + ", kernel " + c.get("kernel") + ", driver " + c.get("driver") +
             ", firmware " + c.get("firmware") + "\n     NIC " + c.get("nic");
    }
  }
  return "no host facts recorded";
}

}  // namespace

double parse_threshold(const std::string& text) {
  std::string t;
  for (char c : text) {
    if (c != ' ') t += c;
  }
  const bool percent = !t.empty() && t.back() == '%';
  if (percent) t.pop_back();
  char* end = nullptr;
  const double v = t.empty() ? kNaN : std::strtod(t.c_str(), &end);
  if (t.empty() || end != t.c_str() + t.size() || !std::isfinite(v) || v < 0) {
    throw invalid("threshold \"" + text +
                  "\": expected a percentage like 5% or a fraction like 0.05");
  }
  if (percent) return v / 100;
  if (v > 1) {
    throw invalid("threshold \"" + text + "\" is ambiguous: write " + text +
                  "% for a percentage or a fraction like 0.05");
  }
  return v;
}

ObjectiveComparison compare_samples(const Objective& objective, const std::vector<double>& a,
                                    const std::vector<double>& b, const CompareOptions& options) {
  ObjectiveComparison c;
  c.metric = objective.metric;
  c.goal = objective.goal;
  c.a = stats::summarize(a);
  c.b = stats::summarize(b);
  c.delta = c.b.mean - c.a.mean;
  c.relative = c.a.mean != 0 ? c.delta / std::fabs(c.a.mean) : kNaN;
  if (c.a.mean == 0 && c.delta != 0) c.relative = std::copysign(INFINITY, c.delta);
  if (c.a.mean == 0 && c.delta == 0) c.relative = 0;
  c.worse_by = objective.goal == Goal::kMaximize ? -c.relative : c.relative;
  const auto welch = stats::welch_t_test(a, b);
  c.tested = welch.valid;
  c.welch_p = welch.valid ? welch.p_value : kNaN;
  c.ci_low = welch.valid ? welch.ci_low : kNaN;
  c.ci_high = welch.valid ? welch.ci_high : kNaN;
  const auto mw = stats::mann_whitney_u(a, b);
  c.mann_whitney_p = mw.valid ? mw.p_value : kNaN;
  c.mann_whitney_exact = mw.exact;
  c.significant = c.tested && c.welch_p < options.alpha;
  c.regression = c.significant && c.worse_by > options.threshold;
  c.improvement = c.significant && -c.worse_by > options.threshold;
  return c;
}

std::vector<double> trial_values(const Report& report, const PointResult& point,
                                 const std::string& metric) {
  std::vector<double> out;
  std::size_t next = 0;
  std::vector<std::int64_t> ids = point.trial_ids;
  std::sort(ids.begin(), ids.end());
  for (const auto& t : report.trials) {  // both sorted by id
    while (next < ids.size() && ids[next] < t.id) ++next;
    if (next == ids.size()) break;
    if (ids[next] != t.id || t.outcome.state != TrialState::kComplete) continue;
    auto it = t.outcome.metrics.find(metric);
    if (it != t.outcome.metrics.end()) out.push_back(it->second);
  }
  return out;
}

ComparisonResult compare_experiments(const Report& a, const Report& b,
                                     const CompareOptions& options) {
  ComparisonResult r;
  r.a = a.experiment;
  r.b = b.experiment;
  r.contexts_a = a.contexts;
  r.contexts_b = b.contexts;
  r.objectives = a.objectives;
  r.options = options;
  if (a.objectives.empty())
    r.notes.push_back("the first experiment's spec declares no objectives: nothing to compare");
  std::vector<std::string> names_a, names_b;
  for (const auto& o : a.objectives) names_a.push_back(o.metric + " " + to_string(o.goal));
  for (const auto& o : b.objectives) names_b.push_back(o.metric + " " + to_string(o.goal));
  if (names_a != names_b) {
    r.notes.push_back("the experiments declare different objectives (" + join(names_a, ", ") +
                      " against " + join(names_b, ", ") + "); the first experiment's are compared");
  }

  std::map<std::string, const PointResult*> in_b;
  // One baseline per workload variant ("" without workload parameters), matched by variant.
  std::map<std::string, const PointResult*> baselines_b;
  for (const auto& p : b.points) {
    if (p.baseline) {
      baselines_b[p.variant] = &p;
    } else {
      in_b[canonical_text(p.config)] = &p;
    }
  }
  std::size_t matched_b = 0;
  for (const auto& pa : a.points) {
    const PointResult* pb = nullptr;
    if (pa.baseline) {
      auto it = baselines_b.find(pa.variant);
      if (it != baselines_b.end()) pb = it->second;
    } else {
      auto it = in_b.find(canonical_text(pa.config));
      if (it != in_b.end()) pb = it->second;
    }
    if (!pb) {
      ++r.only_in_a;
      continue;
    }
    ++matched_b;
    ConfigurationComparison c;
    c.baseline = pa.baseline;
    c.config = pa.config;
    c.label = pa.baseline ? pa.label() : config_text(pa.config);
    c.point_a = pa.point_id;
    c.point_b = pb->point_id;
    for (const auto& o : a.objectives) {
      const auto va = trial_values(a, pa, o.metric);
      const auto vb = trial_values(b, *pb, o.metric);
      if (va.empty() || vb.empty()) continue;
      c.objectives.push_back(compare_samples(o, va, vb, options));
      c.regression = c.regression || c.objectives.back().regression;
    }
    if (c.objectives.empty()) {  // failed on one side: nothing measured to compare
      ++r.unmeasured;
      continue;
    }
    r.any_significant_regression = r.any_significant_regression || c.regression;
    r.configurations.push_back(std::move(c));
  }
  r.only_in_b = b.points.size() - matched_b;
  if (r.configurations.empty()) {
    r.notes.push_back("no configuration was measured in both experiments");
  }
  const auto baseline_b =
      a.baseline ? baselines_b.find(a.points[*a.baseline].variant) : baselines_b.end();
  if (baseline_b != baselines_b.end() &&
      a.points[*a.baseline].config != baseline_b->second->config) {
    r.notes.push_back(
        "the two baselines are different settings (each host's own); they are compared as "
        "\"out of the box\" against \"out of the box\"");
  }
  // Worst first: regressions, then by how much worse.
  std::stable_sort(r.configurations.begin(), r.configurations.end(),
                   [](const ConfigurationComparison& x, const ConfigurationComparison& y) {
                     if (x.regression != y.regression) return x.regression;
                     auto worst = [](const ConfigurationComparison& c) {
                       double w = -INFINITY;
                       for (const auto& o : c.objectives) {
                         if (std::isfinite(o.worse_by)) w = std::max(w, o.worse_by);
                       }
                       return w;
                     };
                     return worst(x) > worst(y);
                   });
  return r;
}

void render_comparison_text(const ComparisonResult& r, std::ostream& out) {
  auto experiment_line = [](const char* tag, const ExperimentRecord& e,
                            const std::vector<HostContext>& c) {
    return std::string(tag) + " \"" + e.name + "\" (#" + std::to_string(e.id) + ", " +
           format_utc(e.created_at) + ")\n" + "     " + context_summary(c) + "\n";
  };
  out << "nictune compare\n"
      << experiment_line("  A", r.a, r.contexts_a) << experiment_line("  B", r.b, r.contexts_b);
  char line[160];
  std::snprintf(
      line, sizeof line,
      "Threshold %.4g %%, significance: Welch t-test p < %.3g (Mann-Whitney U shown as a check)\n",
      r.options.threshold * 100, r.options.alpha);
  out << line;
  out << "change = (B - A) / |A|; * = significant; REGRESSION = significant and worse (in the\n"
         "objective's bad direction) by more than the threshold\n\n";
  for (const auto& c : r.configurations) {
    std::string label = c.label;
    if (label.size() > 80) label = label.substr(0, 77) + "...";
    out << (c.regression ? "REGRESSION  " : "            ") << label << "\n";
    for (const auto& o : c.objectives) {
      const std::string mark = o.regression ? "  REGRESSION" : o.improvement ? "  improved" : "";
      std::snprintf(line, sizeof line, "    %-16s %18s -> %-18s %8s%s%s\n", o.metric.c_str(),
                    format_summary(o.a, " +- ").c_str(), format_summary(o.b, " +- ").c_str(),
                    format_percent(o.relative).c_str(), o.significant ? "*" : "", mark.c_str());
      out << line;
      if (o.tested) {
        out << "                     change CI [" << format_number(o.ci_low) << ", "
            << format_number(o.ci_high) << "], Welch p " << format_p(o.welch_p)
            << ", Mann-Whitney p " << format_p(o.mann_whitney_p)
            << (o.mann_whitney_exact ? " (exact)" : "") << "\n";
      } else {
        out << "                     fewer than 2 repetitions on a side: not tested\n";
      }
    }
  }
  out << "\n" << r.configurations.size() << " configuration(s) measured in both";
  if (r.only_in_a || r.only_in_b)
    out << "; " << r.only_in_a << " only in A, " << r.only_in_b << " only in B";
  if (r.unmeasured) out << "; " << r.unmeasured << " failed on a side";
  out << ".\n";
  for (const auto& n : r.notes) out << "Note: " << n << "\n";
  std::size_t regressions = 0;
  for (const auto& c : r.configurations) regressions += c.regression ? 1 : 0;
  out << (r.any_significant_regression
              ? "Verdict: " + std::to_string(regressions) +
                    " configuration(s) regressed beyond the threshold.\n"
              : std::string("Verdict: no significant regression beyond the threshold.\n"));
}

void render_comparison_json(const ComparisonResult& r, std::ostream& out) {
  auto experiment = [](const ExperimentRecord& e, const std::vector<HostContext>& contexts) {
    Json hosts = Json::array();
    for (const auto& c : contexts) {
      Json h = {{"role", c.role}, {"bench", c.bench}};
      for (const auto& [k, v] : c.fields) h[k] = v;
      hosts.push_back(h);
    }
    return Json{{"id", e.id},
                {"name", e.name},
                {"spec_hash", e.spec_hash},
                {"tool_version", e.tool_version},
                {"created_utc", format_utc(e.created_at)},
                {"hosts", hosts}};
  };
  auto summary = [](const stats::Summary& s) {
    return Json{{"n", s.n},
                {"mean", number(s.mean)},
                {"ci95_low", s.has_ci() ? number(s.ci_low()) : Json()},
                {"ci95_high", s.has_ci() ? number(s.ci_high()) : Json()}};
  };
  Json configurations = Json::array();
  for (const auto& c : r.configurations) {
    Json objectives = Json::array();
    for (const auto& o : c.objectives) {
      objectives.push_back({{"metric", o.metric},
                            {"goal", to_string(o.goal)},
                            {"a", summary(o.a)},
                            {"b", summary(o.b)},
                            {"delta", number(o.delta)},
                            {"relative", number(o.relative)},
                            {"delta_ci95_low", number(o.ci_low)},
                            {"delta_ci95_high", number(o.ci_high)},
                            {"welch_p", number(o.welch_p)},
                            {"mann_whitney_p", number(o.mann_whitney_p)},
                            {"mann_whitney_exact", o.mann_whitney_exact},
                            {"worse_by", number(o.worse_by)},
                            {"significant", o.significant},
                            {"regression", o.regression},
                            {"improvement", o.improvement}});
    }
    configurations.push_back({{"baseline", c.baseline},
                              {"config", c.config},
                              {"label", c.label},
                              {"point_a", c.point_a},
                              {"point_b", c.point_b},
                              {"regression", c.regression},
                              {"objectives", objectives}});
  }
  Json doc = {{"a", experiment(r.a, r.contexts_a)},
              {"b", experiment(r.b, r.contexts_b)},
              {"threshold", r.options.threshold},
              {"alpha", r.options.alpha},
              {"configurations", configurations},
              {"only_in_a", r.only_in_a},
              {"only_in_b", r.only_in_b},
              {"failed_on_a_side", r.unmeasured},
              {"any_significant_regression", r.any_significant_regression},
              {"notes", r.notes}};
  out << doc.dump(2, ' ', false, Json::error_handler_t::replace) << "\n";
}

}  // namespace nictune::report

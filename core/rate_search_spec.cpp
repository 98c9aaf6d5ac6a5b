#include "core/rate_search_spec.hpp"

#include <algorithm>
#include <cmath>

#include "core/known_fields.hpp"
#include "core/rate_search_metrics.hpp"
#include "core/text_util.hpp"

namespace nictune {
namespace {

std::string number_text(double value) {
  Json j = value;
  if (value == std::floor(value) && std::fabs(value) < 9.0e15) j = static_cast<long long>(value);
  return j.dump();
}

bool finite_number(const Json& v) {
  return v.is_number() && std::isfinite(v.get<double>());
}

}  // namespace

std::string_view to_string(LossCriterion criterion) {
  return criterion == LossCriterion::kNdr ? "ndr" : "pdr";
}

std::string RateSearchSpec::metric_name() const {
  return std::string(to_string(criterion)) + "_pps";
}

Json RateSearchSpec::to_json() const {
  return Json{{"criterion", to_string(criterion)},
              {"loss_ratio", loss_ratio},
              {"precision", precision},
              {"min_pps", min_pps},
              {"max_pps", max_pps},
              {"initial_trial_s", initial_trial_s},
              {"phases", phases},
              {"max_trials", max_trials}};
}

const std::vector<std::string>& rate_search_field_names() {
  static const std::vector<std::string> names = {"criterion", "loss_ratio", "precision",
                                                 "min_pps",   "max_pps",    "initial_trial_s",
                                                 "phases",    "max_trials", "latency_at"};
  return names;
}

void read_rate_search(const Json& doc, const std::string& path, double duration_s, Issues& issues,
                      RateSearchSpec& out) {
  if (!doc.is_object()) {
    issues.add(path,
               "expected an object like {\"criterion\": \"pdr\", \"loss_ratio\": 0.005, "
               "\"max_pps\": 1000000}, found " +
                   json_type_name(doc));
    return;
  }
  const auto& fields = rate_search_field_names();
  check_known_fields(doc, path, fields, issues);
  auto at = [&](const char* name) -> const Json* {
    auto it = doc.find(name);
    return it == doc.end() ? nullptr : &*it;
  };
  auto sub = [&](const char* name) { return path + "." + name; };
  // lo <= v (or lo < v when lo_open) and v <= hi (or v < hi when hi_open).
  auto number = [&](const char* name, double lo, bool lo_open, double hi, bool hi_open,
                    double& target) {
    const Json* v = at(name);
    if (!v) return false;
    bool ok = finite_number(*v);
    if (ok) {
      double d = v->get<double>();
      ok = (lo_open ? d > lo : d >= lo) && (hi_open ? d < hi : d <= hi);
    }
    if (!ok) {
      issues.add(sub(name), std::string("expected a number ") + (lo_open ? "above " : "from ") +
                                number_text(lo) + (hi_open ? " up to (not including) " : " to ") +
                                number_text(hi) + ", found " + json_brief(*v));
      return false;
    }
    target = v->get<double>();
    return true;
  };
  auto integer = [&](const char* name, int lo, int hi, int& target) {
    const Json* v = at(name);
    if (!v) return;
    if (!finite_number(*v) || v->get<double>() != std::floor(v->get<double>()) ||
        v->get<double>() < lo || v->get<double>() > hi) {
      issues.add(sub(name), "expected an integer from " + std::to_string(lo) + " to " +
                                std::to_string(hi) + ", found " + json_brief(*v));
      return;
    }
    target = static_cast<int>(v->get<double>());
  };

  if (const Json* v = at("criterion")) {
    if (v->is_string() && (*v == "ndr" || *v == "pdr")) {
      out.criterion = *v == "ndr" ? LossCriterion::kNdr : LossCriterion::kPdr;
    } else {
      std::string hint = v->is_string() ? did_you_mean(v->get<std::string>(), {"ndr", "pdr"}) : "";
      issues.add(sub("criterion"), "unknown value " + json_brief(*v) + hint +
                                       "; expected ndr (no loss) or pdr (loss up to loss_ratio)");
    }
  }
  if (out.criterion == LossCriterion::kPdr) out.loss_ratio = 0.005;  // CSIT's PDR
  if (number("loss_ratio", 0, false, 1, true, out.loss_ratio) &&
      out.criterion == LossCriterion::kNdr && out.loss_ratio != 0) {
    issues.add(sub("loss_ratio"), "ndr means no loss, found " + number_text(out.loss_ratio) +
                                      "; use \"criterion\": \"pdr\" for a partial-drop rate");
  }
  number("precision", 0, true, 0.5, false, out.precision);
  number("min_pps", 0, true, 1e9, false, out.min_pps);
  if (!at("max_pps")) {
    issues.add(sub("max_pps"), "missing; the highest offered rate to try, packets/s");
  } else if (number("max_pps", 0, true, 1e9, false, out.max_pps) && out.max_pps <= out.min_pps) {
    issues.add(sub("max_pps"), "must be above min_pps (" + number_text(out.min_pps) + "), found " +
                                   number_text(out.max_pps));
  }
  // Longer than the workload's duration (a screening trial shortens it) means: one duration.
  number("initial_trial_s", 0, true, 86400, false, out.initial_trial_s);
  out.initial_trial_s = std::min(out.initial_trial_s, duration_s);
  integer("phases", 1, 10, out.phases);
  integer("max_trials", 1, 1000, out.max_trials);
  if (const Json* v = at("latency_at")) {
    const std::vector<int>& allowed = latency_percents();
    auto allowed_text = [&] {
      std::string text;
      for (int p : allowed) text += (text.empty() ? "" : ", ") + number_text(p / 100.0);
      return text;
    };
    if (!v->is_array()) {
      issues.add(sub("latency_at"), "expected a list of fractions of the found rate from " +
                                        allowed_text() + ", found " + json_type_name(*v));
    } else {
      for (std::size_t i = 0; i < v->size(); ++i) {
        const Json& f = (*v)[i];
        bool ok = false;
        for (int p : allowed)
          ok = ok || (finite_number(f) && std::fabs(f.get<double>() * 100 - p) < 1e-9);
        if (!ok) {
          issues.add(sub("latency_at") + "[" + std::to_string(i) + "]",
                     "expected one of " + allowed_text() +
                         " (fractions of the found rate), found " + json_brief(f));
        }
      }
    }
  }
}

const std::vector<int>& latency_percents() {
  static const std::vector<int> percents = {10, 50, 90};
  return percents;
}

const std::vector<std::string>& latency_rtt_metrics() {
  static const std::vector<std::string> names = {"rtt_p50_us", "rtt_p99_us", "rtt_p999_us"};
  return names;
}

std::string latency_metric_name(std::string_view rtt_metric, int percent,
                                std::string_view criterion) {
  return std::string(rtt_metric) + "_at_" + std::to_string(percent) + "pct_" +
         std::string(criterion);
}

std::vector<int> latency_at_percents(const Json& workload) {
  std::vector<int> out;
  if (!workload.is_object() || !workload.contains("rate_search")) return out;
  const Json& search = workload["rate_search"];
  if (!search.is_object() || !search.contains("latency_at") || !search["latency_at"].is_array())
    return out;
  for (const auto& f : search["latency_at"]) {
    if (finite_number(f)) out.push_back(static_cast<int>(std::lround(f.get<double>() * 100)));
  }
  return out;
}

std::string rate_metric_problem(const Json& workload, std::string_view metric) {
  for (const auto& rtt : latency_rtt_metrics()) {
    for (int percent : latency_percents()) {
      for (const char* criterion : {"ndr", "pdr"}) {
        if (metric != latency_metric_name(rtt, percent, criterion)) continue;
        const Json* search = workload.is_object() && workload.contains("rate_search")
                                 ? &workload["rate_search"]
                                 : nullptr;
        const std::vector<int> asked = latency_at_percents(workload);
        const bool has_percent = std::find(asked.begin(), asked.end(), percent) != asked.end();
        const bool same_criterion =
            search && search->is_object() && search->value("criterion", Json("ndr")) == criterion;
        if (!has_percent || !same_criterion) {
          return std::string(metric) + " is measured only by a rate search with criterion " +
                 criterion + " whose latency_at lists " + number_text(percent / 100.0);
        }
        return "";
      }
    }
  }
  if (metric != "ndr_pps" && metric != "pdr_pps") return "";
  const std::string wanted(metric.substr(0, 3));
  const Json* search =
      workload.is_object() && workload.contains("rate_search") ? &workload["rate_search"] : nullptr;
  if (!search || !search->is_object()) {
    return std::string(metric) + " is measured only by a rate search: add workload.rate_search " +
           "with \"criterion\": \"" + wanted + "\" and max_pps";
  }
  const Json criterion = search->value("criterion", Json("ndr"));
  if (criterion.is_string() && criterion != wanted) {
    return std::string(metric) + " is measured by a rate search with criterion " + wanted +
           "; workload.rate_search.criterion is " + criterion.dump();
  }
  return "";
}

}  // namespace nictune

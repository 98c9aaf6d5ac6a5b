// Which configuration the report recommends, and the host's original values the baseline row
// shows. One of build_report's steps.
//
// Why not simply the front row with the best first objective: a knob that does nothing (the
// demo's busy_read on lo, where no socket has a NAPI id to poll) splits one configuration into
// two that measure the same. Which of the two has the higher mean is then a coin toss, and a
// report that recommends a different one on every run, or a setting that did nothing, is not an
// answer. Among the configurations the first front row does not beat beyond noise, the one that
// changes the fewest settings is recommended (the tie is said in a note).
#include <cmath>
#include <cstdio>
#include <set>

#include "core/statistics.hpp"
#include "reports/report_steps.hpp"

namespace nictune::report::detail {
namespace {

bool eligible(const PointResult& p) {
  return !p.baseline && (p.status == PointStatus::kFront || p.status == PointStatus::kTied);
}

// True when `top` is better than `p` beyond noise on some objective: Welch's test, the one the
// gains are starred with and the race drops configurations by, finds `top`'s better mean
// significant. Not "p's mean inside top's CI": that rule reads only `top`'s spread, so one
// configuration with a tight interval beat every other within a few per cent, however noisy
// they were, and the recommendation went wherever the host's noise put the tightest one.
// Without enough repetitions to judge on either side nothing can be claimed: not a tie either.
bool beaten_by(const std::vector<Objective>& objectives, const PointResult& top,
               const PointResult& p) {
  for (std::size_t j = 0; j < objectives.size(); ++j) {
    const auto& a = top.objectives[j].summary;
    const auto& b = p.objectives[j].summary;
    if (!a.judgeable() || !b.judgeable()) return true;
    if (minimised(objectives[j], a.mean) >= minimised(objectives[j], b.mean)) continue;
    const stats::WelchResult welch = stats::welch_from_summaries(a, b);
    if (!welch.valid || welch.p_value < kAlpha) return true;
  }
  return false;
}

// Does `p` show every improvement over the baseline that `top` shows beyond noise? A noisy
// configuration can be tied with the top and still not be shown better than the host as found:
// recommending it would trade an established gain for an unproven one.
bool keeps_established_gains(const PointResult& top, const PointResult& p) {
  for (std::size_t j = 0; j < top.objectives.size(); ++j) {
    const auto& a = top.objectives[j];
    const auto& b = p.objectives[j];
    if (a.gain_significant && a.gain > 0 && !(b.gain_significant && b.gain > 0)) return false;
  }
  return true;
}

}  // namespace

Json original_values(const std::vector<HostRecord>& hosts, const std::set<std::string>& keys) {
  Json config = Json::object();
  for (const auto& host : hosts) {
    if (!host.facts.is_object() || !host.facts.contains("original")) continue;
    const Json& original = host.facts.at("original");
    if (!original.is_object()) continue;
    const std::string prefix = host.role == "lg" ? "lg:" : "";
    for (const auto& item : original.items()) {
      const std::string key = prefix + item.key();
      if (keys.count(key) && !config.contains(key)) config[key] = item.value();
    }
  }
  return config;
}

void choose_best(Report& r) {
  r.best.reset();
  std::optional<std::size_t> top;
  for (std::size_t i = 0; i < r.points.size() && !top; ++i) {
    if (!r.points[i].baseline && r.points[i].status == PointStatus::kFront) top = i;
  }
  if (!top) return;
  std::size_t chosen = *top;
  for (std::size_t i = 0; i < r.points.size(); ++i) {
    const PointResult& p = r.points[i];
    // Another workload variant (packet size) measured something else: not a candidate.
    if (i == *top || !eligible(p) || p.variant != r.points[*top].variant ||
        beaten_by(r.objectives, r.points[*top], p) || !keeps_established_gains(r.points[*top], p))
      continue;
    // Rows are in the report's order already: the first with fewer changes wins.
    if (p.changes.size() < r.points[chosen].changes.size()) chosen = i;
  }
  r.best = chosen;
  if (chosen == *top) return;
  const PointResult& a = r.points[chosen];
  const PointResult& b = r.points[*top];
  const std::size_t extra = b.changes.size() - a.changes.size();
  r.notes.push_back(
      "recommended: point " + std::to_string(a.point_id) + " (" + a.label() + "); point " +
      std::to_string(b.point_id) + " has the better " + r.objectives.front().metric +
      " mean, but not beyond noise on any objective (Welch p >= 0.05), and it changes " +
      std::to_string(extra) + " more setting" + (extra == 1 ? "" : "s"));
}

}  // namespace nictune::report::detail

// Which configuration the report recommends, and the host's original values the baseline row
// shows. One of build_report's steps.
//
// Why not simply the front row with the best first objective: a knob that does nothing (the
// demo's busy_read on lo, where no socket has a NAPI id to poll) splits one configuration into
// two that measure the same. Which of the two has the higher mean is then a coin toss, and a
// report that recommends a different one on every run, or a setting that did nothing, is not an
// answer. Among the configurations no better one beats beyond noise, the one that changes the
// fewest settings is recommended (the tie is said in a note).
#include <cmath>
#include <cstdio>
#include <set>

#include "reports/report_steps.hpp"

namespace nictune::report::detail {
namespace {

bool eligible(const PointResult& p) {
  return !p.baseline && (p.status == PointStatus::kFront || p.status == PointStatus::kTied);
}

// False when `p` measures the same as `top` within noise: on every objective where `top` has the
// better mean, `p`'s mean lies inside `top`'s 95 % CI. (Overlapping CIs alone are not enough: a
// noisy point 15 % below would pass.) Without CIs (fewer than three repetitions on either side)
// nothing can be claimed: not a tie either.
bool beaten_by(const std::vector<Objective>& objectives, const PointResult& top,
               const PointResult& p) {
  for (std::size_t j = 0; j < objectives.size(); ++j) {
    const auto& a = top.objectives[j].summary;
    const auto& b = p.objectives[j].summary;
    if (!a.has_ci() || !b.has_ci()) return true;
    if (minimised(objectives[j], a.mean) >= minimised(objectives[j], b.mean)) continue;
    if (std::fabs(a.mean - b.mean) > a.half_width) return true;
  }
  return false;
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
        beaten_by(r.objectives, r.points[*top], p))
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
      " mean, but within noise on every objective (inside its 95 % CIs), and it changes " +
      std::to_string(extra) + " more setting" + (extra == 1 ? "" : "s"));
}

}  // namespace nictune::report::detail

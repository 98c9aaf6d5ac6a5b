// Pareto ranking of a report's feasible points, ties with the front within noise, and the
// hypervolume of the front with its growth over the evaluations. One of build_report's steps.
#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include "core/pareto.hpp"
#include "reports/report_steps.hpp"

namespace nictune::report::detail {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kReferenceMargin = 1.1;  // reference point per normalised axis

std::vector<double> minimised_means(const std::vector<Objective>& objectives,
                                    const PointResult& p) {
  std::vector<double> v;
  for (std::size_t j = 0; j < objectives.size(); ++j) {
    v.push_back(minimised(objectives[j], p.objectives[j].summary.mean));
  }
  return v;
}

}  // namespace

void rank_points(Report& r) {
  const auto& objectives = r.objectives;
  const std::size_t k = objectives.size();
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
}

}  // namespace nictune::report::detail

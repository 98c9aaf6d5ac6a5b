#include "core/pareto.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/errors.hpp"

namespace nictune {
namespace {

using Rows = std::vector<std::vector<double>>;

void check_rows(const Rows& rows, std::size_t width, const char* what) {
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (rows[i].size() != width) {
      throw invalid(std::string(what) + "[" + std::to_string(i) + "] has " +
                    std::to_string(rows[i].size()) + " objectives, expected " +
                    std::to_string(width));
    }
    for (double v : rows[i]) {
      if (!std::isfinite(v)) {
        throw invalid(std::string(what) + "[" + std::to_string(i) + "] has a non-finite value");
      }
    }
  }
}

// Keeps the points that are strictly inside the reference box and not dominated by (or equal
// to an earlier copy of) another one: the only points that add volume.
Rows useful_points(const Rows& points, const std::vector<double>& reference) {
  Rows inside;
  for (const auto& p : points) {
    bool in = true;
    for (std::size_t k = 0; k < p.size(); ++k) in = in && p[k] < reference[k];
    if (in) inside.push_back(p);
  }
  std::sort(inside.begin(), inside.end());
  inside.erase(std::unique(inside.begin(), inside.end()), inside.end());
  Rows out;
  for (std::size_t i = 0; i < inside.size(); ++i) {
    bool dominated = false;
    for (std::size_t j = 0; j < inside.size() && !dominated; ++j) {
      dominated = j != i && dominates(inside[j], inside[i]);
    }
    if (!dominated) out.push_back(inside[i]);
  }
  return out;
}

// Volume of the union of boxes [p, ref] over the first `dims` coordinates. Points are
// mutually non-dominated in the full space and inside the box; in projection they may not be.
double volume(Rows points, const std::vector<double>& ref, std::size_t dims) {
  if (points.empty()) return 0;
  if (dims == 1) {
    double best = ref[0];
    for (const auto& p : points) best = std::min(best, p[0]);
    return ref[0] - best;
  }
  if (dims == 2) {
    std::sort(points.begin(), points.end(), [](const auto& a, const auto& b) {
      return a[0] < b[0] || (a[0] == b[0] && a[1] < b[1]);
    });
    double area = 0, ceiling = ref[1];
    for (const auto& p : points) {
      if (p[1] < ceiling) {
        area += (ref[0] - p[0]) * (ceiling - p[1]);
        ceiling = p[1];
      }
    }
    return area;
  }
  // Slice along the last coordinate: between consecutive values, the cross-section is the
  // (dims-1)-volume of the points already passed.
  const std::size_t last = dims - 1;
  std::sort(points.begin(), points.end(),
            [last](const auto& a, const auto& b) { return a[last] < b[last]; });
  double total = 0;
  Rows slice;
  for (std::size_t i = 0; i < points.size(); ++i) {
    // Drop points the newcomer dominates in the projection: they no longer shape the section.
    const auto& p = points[i];
    Rows kept;
    kept.reserve(slice.size() + 1);
    for (auto& q : slice) {
      bool covered = true;
      for (std::size_t k = 0; k < last; ++k) covered = covered && p[k] <= q[k];
      if (!covered) kept.push_back(std::move(q));
    }
    bool p_covered = false;
    for (const auto& q : kept) {
      bool covers = true;
      for (std::size_t k = 0; k < last; ++k) covers = covers && q[k] <= p[k];
      p_covered = p_covered || covers;
    }
    if (!p_covered) kept.push_back(p);
    slice = std::move(kept);
    double next = i + 1 < points.size() ? points[i + 1][last] : ref[last];
    if (next > p[last]) total += volume(slice, ref, last) * (next - p[last]);
  }
  return total;
}

}  // namespace

bool dominates(const std::vector<double>& a, const std::vector<double>& b) {
  bool strictly = false;
  for (std::size_t k = 0; k < a.size(); ++k) {
    if (a[k] > b[k]) return false;
    if (a[k] < b[k]) strictly = true;
  }
  return strictly;
}

std::vector<int> pareto_ranks(const Rows& minimised_objectives) {
  const std::size_t n = minimised_objectives.size();
  std::vector<int> rank(n, 0);
  if (n == 0) return rank;
  check_rows(minimised_objectives, minimised_objectives[0].size(), "objectives");
  // Deb's fast non-dominated sort: O(M N^2), plenty for a tuning history.
  std::vector<std::vector<int>> dominated_by_me(n);
  std::vector<int> dominators(n, 0);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = i + 1; j < n; ++j) {
      if (dominates(minimised_objectives[i], minimised_objectives[j])) {
        dominated_by_me[i].push_back(static_cast<int>(j));
        ++dominators[j];
      } else if (dominates(minimised_objectives[j], minimised_objectives[i])) {
        dominated_by_me[j].push_back(static_cast<int>(i));
        ++dominators[i];
      }
    }
  }
  std::vector<int> front;
  for (std::size_t i = 0; i < n; ++i) {
    if (dominators[i] == 0) front.push_back(static_cast<int>(i));
  }
  int level = 0;
  while (!front.empty()) {
    std::vector<int> next;
    for (int i : front) {
      rank[static_cast<std::size_t>(i)] = level;
      for (int j : dominated_by_me[static_cast<std::size_t>(i)]) {
        if (--dominators[static_cast<std::size_t>(j)] == 0) next.push_back(j);
      }
    }
    front = std::move(next);
    ++level;
  }
  return rank;
}

std::vector<int> pareto_front_indices(const Rows& minimised_objectives) {
  std::vector<int> ranks = pareto_ranks(minimised_objectives);
  std::vector<int> out;
  for (std::size_t i = 0; i < ranks.size(); ++i) {
    if (ranks[i] == 0) out.push_back(static_cast<int>(i));
  }
  return out;
}

double hypervolume(const Rows& minimised_points, const std::vector<double>& reference) {
  if (reference.empty()) throw invalid("hypervolume: the reference point has no objectives");
  check_rows({reference}, reference.size(), "reference");
  check_rows(minimised_points, reference.size(), "points");
  return volume(useful_points(minimised_points, reference), reference, reference.size());
}

double hypervolume_improvement(const Rows& minimised_points, const std::vector<double>& candidate,
                               const std::vector<double>& reference) {
  Rows with = minimised_points;
  with.push_back(candidate);
  return hypervolume(with, reference) - hypervolume(minimised_points, reference);
}

}  // namespace nictune

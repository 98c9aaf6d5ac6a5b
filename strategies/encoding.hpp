// Maps the mixed search space to what numerical strategies work with, and back:
// - encode(): a point as a vector in [0, 1]^dims for a surrogate model. Integers and floats are
//   one column each (log-scaled ranges on a log axis), ordinals and bools one column by rank,
//   categoricals and CPU policies one-hot. Inactive (conditioned-out) parameters take a fixed
//   filler so that two points differing only there encode the same.
// - value_at(): a parameter value from a unit coordinate, so samplers (uniform, Latin
//   hypercube) draw in [0, 1) per parameter whatever its type.
// - complete() / neighbours(): valid points near a given one, for local search and sweeps.
#pragma once

#include <Eigen/Core>
#include <optional>
#include <random>
#include <vector>

#include "core/space.hpp"

namespace nictune {

class SpaceCodec {
 public:
  explicit SpaceCodec(const Space& space);

  const Space& space() const { return space_; }
  int dims() const { return dims_; }
  // First encoded column of parameter i (space().parameters() order) and how many it uses.
  int column(std::size_t i) const { return columns_[i]; }
  int width(std::size_t i) const { return widths_[i]; }

  Eigen::VectorXd encode(const Point& canonical_point) const;

  // Number of distinct values the parameter can take (0 for a float: uncountable).
  static std::uint64_t cardinality(const Parameter& p);
  static Json value_at(const Parameter& p, double u);

  // Fills every active parameter the partial point lacks with a random value, drops inactive
  // ones, canonicalises. nullopt when the result violates a constraint.
  std::optional<Point> complete(Point partial, std::mt19937_64& rng) const;
  // One point from one unit coordinate per parameter (inactive ones ignored); nullopt when it
  // violates a constraint.
  std::optional<Point> from_unit(const std::vector<double>& u) const;
  // Uniform over each parameter, conditions applied; rejection for constraints.
  std::optional<Point> sample(std::mt19937_64& rng, int tries = 256) const;
  // `n` points of a Latin hypercube over the parameters (those violating a constraint are
  // redrawn uniformly, so fewer may come back for a tightly constrained space).
  std::vector<Point> latin_hypercube(std::size_t n, std::mt19937_64& rng) const;

  // Points that differ from `point` in one parameter (children it switches on get random
  // values): every other categorical value, the adjacent ordinal ranks, a bool flipped, the
  // adjacent integers and a few random jumps (small and large) for numeric ranges.
  std::vector<Point> neighbours(const Point& point, std::mt19937_64& rng) const;

  // Every value of every parameter is listed by its grid: the space is finite and
  // for_each_grid_point visits all of it.
  bool enumerable() const { return enumerable_; }
  // An upper bound on the number of distinct points (product of cardinalities, conditions
  // ignored), saturating; UINT64_MAX for a space that is not enumerable.
  std::uint64_t size_bound() const;

 private:
  Space space_;
  std::vector<int> columns_, widths_;
  int dims_ = 0;
  bool enumerable_ = true;
};

// A 64-bit mix of a seed and a counter (splitmix64), to seed one ask's generator so that a
// strategy rebuilt from the history proposes what the original instance would have.
std::uint64_t mix_seed(std::uint64_t seed, std::uint64_t counter);

}  // namespace nictune

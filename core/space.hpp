// The search-space model: typed parameters, conditions (a parameter exists only when another has
// certain values), constraints, and the canonical point encoding that makes one configuration
// one row in the store however it was spelled.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/comparison.hpp"
#include "core/issues.hpp"
#include "core/json_util.hpp"

namespace nictune {

enum class ParamType { kInt, kFloat, kCategorical, kOrdinal, kBool, kCpuPolicy };

std::string to_string(ParamType type);

// The parameter exists only when `param` has (or, negated, has not) one of `values`.
struct Condition {
  std::string param;
  std::vector<Json> values;
  bool negate = false;
  bool holds(const Json& parent_value) const;
};

struct Parameter {
  std::string name;  // space key: "rps", "lg:app.cpus", "coalesce.rx_usecs"
  ParamType type = ParamType::kCategorical;
  double min = 0, max = 0;   // kInt, kFloat
  bool log = false;          // kInt, kFloat: sample/encode on a log scale
  std::int64_t step = 1;     // kInt
  int levels = 5;            // kFloat: points per axis in a grid
  std::vector<Json> values;  // kCategorical, kOrdinal (ordered), kCpuPolicy, kBool (false,true)
  std::optional<Condition> when;

  // Values a grid visits, in order.
  std::vector<Json> grid_values() const;
  bool contains(const Json& value) const;
  // Coerces a value to this parameter's canonical JSON form; nullopt if it does not belong.
  std::optional<Json> canonical_value(const Json& value) const;
  bool is_numeric() const { return type == ParamType::kInt || type == ParamType::kFloat; }
};

using Point = Json;  // a JSON object: parameter name -> value (inactive parameters absent)

class Space {
 public:
  Space() = default;

  // Parses the spec's "space" object. `path` prefixes issue paths ("space"). Problems go to
  // `issues`; the returned space holds the parameters that parsed.
  static Space from_json(const Json& doc, const std::string& path, Issues& issues);
  Json to_json() const;

  void add(Parameter parameter);
  void add_constraint(Comparison constraint);

  const std::vector<Parameter>& parameters() const { return params_; }
  const std::vector<Comparison>& constraints() const { return constraints_; }
  const Parameter* find(const std::string& name) const;

  // Is the parameter active for this (partial) point, given its condition?
  bool is_active(const Parameter& parameter, const Point& point) const;

  // Canonical form: inactive parameters dropped, values coerced. Throws Error(kInvalid) naming
  // the parameter when a value is missing or out of the domain.
  Point canonicalize(const Point& point) const;
  bool satisfies_constraints(const Point& point) const;
  // canonicalize + constraints, returning the reason instead of throwing.
  bool is_valid(const Point& point, std::string* why = nullptr) const;

  // Every valid grid point, conditions and constraints applied, in a stable order.
  void for_each_grid_point(const std::function<bool(const Point&)>& visit) const;
  std::uint64_t grid_size() const;

 private:
  std::vector<Parameter> params_;  // dependency order: a condition's parent comes first
  std::vector<Comparison> constraints_;
};

// Stable text of a canonical point (sorted keys, compact) and its 16-hex-digit hash.
std::string canonical_text(const Point& point);
std::string point_hash(const Point& point);

}  // namespace nictune

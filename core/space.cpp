// The search-space model: parameters and their grids, canonical values, conditions, constraints
// and the canonical point encoding. The spec parser that builds it is space_parse.cpp.
#include "core/space.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "core/errors.hpp"
#include "core/space_values.hpp"
#include "core/text_util.hpp"

namespace nictune {

namespace space_values {

bool json_equal(const Json& a, const Json& b) {
  if (a.is_number() && b.is_number()) return a.get<double>() == b.get<double>();
  return a == b;
}

bool is_integral(const Json& v) {
  if (v.is_number_integer() || v.is_number_unsigned()) return true;
  if (!v.is_number_float()) return false;
  double d = v.get<double>();
  return std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.0e15;
}

const std::map<std::string, ParamType>& type_names() {
  static const std::map<std::string, ParamType> names = {
      {"int", ParamType::kInt},
      {"float", ParamType::kFloat},
      {"categorical", ParamType::kCategorical},
      {"ordinal", ParamType::kOrdinal},
      {"bool", ParamType::kBool},
      {"cpu_policy", ParamType::kCpuPolicy},
  };
  return names;
}

}  // namespace space_values

namespace {

using space_values::is_integral;
using space_values::json_equal;

constexpr std::size_t kMaxIntGridValues = 64;

std::vector<Json> int_grid(const Parameter& p) {
  std::vector<Json> out;
  auto lo = static_cast<std::int64_t>(p.min), hi = static_cast<std::int64_t>(p.max);
  std::int64_t step = std::max<std::int64_t>(1, p.step);
  std::uint64_t count = static_cast<std::uint64_t>((hi - lo) / step) + 1;
  if (count <= kMaxIntGridValues && !p.log) {
    for (std::int64_t v = lo; v <= hi; v += step) out.emplace_back(v);
    return out;
  }
  int levels = std::max(2, p.levels);
  std::set<std::int64_t> seen;
  for (int i = 0; i < levels; ++i) {
    double t = static_cast<double>(i) / (levels - 1);
    double x =
        p.log && lo > 0
            ? std::exp(std::log(double(lo)) + t * (std::log(double(hi)) - std::log(double(lo))))
            : double(lo) + t * double(hi - lo);
    auto v = lo + static_cast<std::int64_t>(std::llround((x - double(lo)) / double(step))) * step;
    v = std::clamp(v, lo, hi);
    if (seen.insert(v).second) out.emplace_back(v);
  }
  return out;
}

}  // namespace

std::string to_string(ParamType type) {
  for (const auto& [name, t] : space_values::type_names()) {
    if (t == type) return name;
  }
  return "?";
}

bool Condition::holds(const Json& parent_value) const {
  bool found = std::any_of(values.begin(), values.end(),
                           [&](const Json& v) { return json_equal(v, parent_value); });
  return negate ? !found : found;
}

std::vector<Json> Parameter::grid_values() const {
  switch (type) {
    case ParamType::kInt:
      return int_grid(*this);
    case ParamType::kFloat: {
      std::vector<Json> out;
      int n = std::max(2, levels);
      for (int i = 0; i < n; ++i) {
        double t = static_cast<double>(i) / (n - 1);
        double x = log && min > 0 ? std::exp(std::log(min) + t * (std::log(max) - std::log(min)))
                                  : min + t * (max - min);
        // Rounded like canonical_value, so a grid point hashes like its canonical form.
        out.push_back(canonical_value(Json(std::clamp(x, min, max))).value_or(Json(x)));
      }
      return out;
    }
    default:
      return values;
  }
}

std::optional<Json> Parameter::canonical_value(const Json& value) const {
  switch (type) {
    case ParamType::kInt: {
      if (!is_integral(value)) return std::nullopt;
      auto v = static_cast<std::int64_t>(value.get<double>());
      if (double(v) < min || double(v) > max) return std::nullopt;
      if ((v - static_cast<std::int64_t>(min)) % std::max<std::int64_t>(1, step) != 0)
        return std::nullopt;
      return Json(v);
    }
    case ParamType::kFloat: {
      if (!value.is_number()) return std::nullopt;
      double v = value.get<double>();
      if (!(v >= min && v <= max)) return std::nullopt;
      // 12 significant digits: the same float spelled two ways hashes the same.
      char buffer[32];
      std::snprintf(buffer, sizeof buffer, "%.12g", v);
      return Json(std::strtod(buffer, nullptr));
    }
    case ParamType::kBool:
      if (!value.is_boolean()) return std::nullopt;
      return value;
    default:
      for (const auto& v : values) {
        if (json_equal(v, value)) return v;
      }
      return std::nullopt;
  }
}

bool Parameter::contains(const Json& value) const {
  return canonical_value(value).has_value();
}

Json Space::to_json() const {
  Json params = Json::object();
  for (const auto& p : params_) {
    Json def = {{"type", to_string(p.type)}};
    if (p.is_numeric()) {
      def["min"] = p.min;
      def["max"] = p.max;
      if (p.log) def["log"] = true;
      if (p.type == ParamType::kInt && p.step != 1) def["step"] = p.step;
    } else {
      def["values"] = p.values;
    }
    if (p.when) {
      def["when"] = {{"param", p.when->param}, {p.when->negate ? "not_in" : "in", p.when->values}};
    }
    params[p.name] = def;
  }
  Json constraints = Json::array();
  for (const auto& c : constraints_) constraints.push_back(c.text());
  return {{"parameters", params}, {"constraints", constraints}};
}

void Space::add(Parameter parameter) {
  params_.push_back(std::move(parameter));
}
void Space::add_constraint(Comparison constraint) {
  constraints_.push_back(std::move(constraint));
}

const Parameter* Space::find(const std::string& name) const {
  for (const auto& p : params_) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

bool Space::is_active(const Parameter& parameter, const Point& point) const {
  if (!parameter.when) return true;
  const Parameter* parent = find(parameter.when->param);
  if (!parent || !is_active(*parent, point)) return false;
  auto it = point.find(parameter.when->param);
  return it != point.end() && parameter.when->holds(*it);
}

Point Space::canonicalize(const Point& point) const {
  if (!point.is_object())
    throw invalid("a point must be a JSON object, found " + json_type_name(point));
  for (const auto& [key, value] : point.items()) {
    if (!find(key))
      throw invalid("point has \"" + key + "\", which is not a parameter of the space");
  }
  Point out = Json::object();
  for (const auto& p : params_) {
    if (!is_active(p, out)) continue;
    auto it = point.find(p.name);
    if (it == point.end()) throw invalid("point has no value for \"" + p.name + "\"");
    auto value = p.canonical_value(*it);
    if (!value) {
      throw invalid("point value " + json_brief(*it) + " for \"" + p.name + "\" is outside its " +
                    to_string(p.type) + " domain");
    }
    out[p.name] = *value;
  }
  return out;
}

bool Space::satisfies_constraints(const Point& point) const {
  auto lookup = [&](const std::string& name) -> std::optional<Json> {
    auto it = point.find(name);
    if (it == point.end()) return std::nullopt;
    return *it;
  };
  return std::all_of(constraints_.begin(), constraints_.end(),
                     [&](const Comparison& c) { return c.holds(lookup); });
}

bool Space::is_valid(const Point& point, std::string* why) const {
  try {
    Point canonical = canonicalize(point);
    auto lookup = [&](const std::string& name) -> std::optional<Json> {
      auto it = canonical.find(name);
      if (it == canonical.end()) return std::nullopt;
      return *it;
    };
    for (const auto& c : constraints_) {
      if (!c.holds(lookup)) {
        if (why) *why = "violates constraint \"" + c.text() + "\"";
        return false;
      }
    }
    return true;
  } catch (const Error& e) {
    if (why) *why = e.what();
    return false;
  }
}

void Space::for_each_grid_point(const std::function<bool(const Point&)>& visit) const {
  Point current = Json::object();
  bool stop = false;
  std::function<void(std::size_t)> recurse = [&](std::size_t index) {
    if (stop) return;
    if (index == params_.size()) {
      if (satisfies_constraints(current) && !visit(current)) stop = true;
      return;
    }
    const Parameter& p = params_[index];
    if (!is_active(p, current)) {
      recurse(index + 1);
      return;
    }
    for (const auto& value : p.grid_values()) {
      current[p.name] = value;
      recurse(index + 1);
      if (stop) return;
    }
    current.erase(p.name);
  };
  recurse(0);
}

std::uint64_t Space::grid_size() const {
  std::uint64_t n = 0;
  for_each_grid_point([&](const Point&) {
    ++n;
    return n < 100'000'000;  // a number a human reads as "too many" already
  });
  return n;
}

std::string canonical_text(const Point& point) {
  return point.dump();
}
std::string point_hash(const Point& point) {
  return fnv1a64_hex(canonical_text(point));
}

}  // namespace nictune

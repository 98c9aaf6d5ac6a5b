#include "strategies/encoding.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/errors.hpp"

namespace nictune {
namespace {

bool one_hot(const Parameter& p) {
  return p.type == ParamType::kCategorical || p.type == ParamType::kCpuPolicy;
}

double unit_of_number(const Parameter& p, double v) {
  if (p.max <= p.min) return 0;
  if (p.log && p.min > 0)
    return (std::log(v) - std::log(p.min)) / (std::log(p.max) - std::log(p.min));
  return (v - p.min) / (p.max - p.min);
}

std::size_t index_of(const Parameter& p, const Json& value) {
  for (std::size_t i = 0; i < p.values.size(); ++i) {
    if (p.values[i] == value) return i;
    if (p.values[i].is_number() && value.is_number() &&
        p.values[i].get<double>() == value.get<double>()) {
      return i;
    }
  }
  return 0;
}

}  // namespace

std::uint64_t mix_seed(std::uint64_t seed, std::uint64_t counter) {
  std::uint64_t z = seed + 0x9e3779b97f4a7c15ULL * (counter + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

SpaceCodec::SpaceCodec(const Space& space) : space_(space) {
  for (const auto& p : space_.parameters()) {
    columns_.push_back(dims_);
    int w = one_hot(p) ? static_cast<int>(std::max<std::size_t>(1, p.values.size())) : 1;
    widths_.push_back(w);
    dims_ += w;
    if (p.type == ParamType::kFloat && p.max > p.min) enumerable_ = false;
    if (p.type == ParamType::kInt && p.grid_values().size() != cardinality(p)) enumerable_ = false;
  }
}

std::uint64_t SpaceCodec::size_bound() const {
  if (!enumerable_) return UINT64_MAX;
  std::uint64_t n = 1;
  for (const auto& p : space_.parameters()) {
    std::uint64_t c = std::max<std::uint64_t>(1, cardinality(p));
    n = n > UINT64_MAX / c ? UINT64_MAX : n * c;
  }
  return n;
}

std::uint64_t SpaceCodec::cardinality(const Parameter& p) {
  switch (p.type) {
    case ParamType::kInt: {
      auto lo = static_cast<std::int64_t>(p.min), hi = static_cast<std::int64_t>(p.max);
      return static_cast<std::uint64_t>((hi - lo) / std::max<std::int64_t>(1, p.step)) + 1;
    }
    case ParamType::kFloat:
      return p.max > p.min ? 0 : 1;
    default:
      return p.values.size();
  }
}

Json SpaceCodec::value_at(const Parameter& p, double u) {
  u = std::clamp(u, 0.0, std::nextafter(1.0, 0.0));
  switch (p.type) {
    case ParamType::kInt: {
      auto lo = static_cast<std::int64_t>(p.min);
      std::int64_t step = std::max<std::int64_t>(1, p.step);
      auto count = static_cast<std::int64_t>(cardinality(p));
      std::int64_t k;
      if (p.log && p.min > 0) {
        double x = std::exp(std::log(p.min) + u * (std::log(p.max + 0.5) - std::log(p.min)));
        k = static_cast<std::int64_t>(std::floor((x - double(lo)) / double(step)));
      } else {
        k = static_cast<std::int64_t>(std::floor(u * double(count)));
      }
      return Json(lo + std::clamp<std::int64_t>(k, 0, count - 1) * step);
    }
    case ParamType::kFloat: {
      double x = p.log && p.min > 0
                     ? std::exp(std::log(p.min) + u * (std::log(p.max) - std::log(p.min)))
                     : p.min + u * (p.max - p.min);
      return *p.canonical_value(std::clamp(x, p.min, p.max));
    }
    default: {
      std::size_t k = p.values.size();
      if (k == 0) throw Error(ErrorCode::kInternal, "parameter " + p.name + " has no values");
      return p.values[std::min(k - 1, static_cast<std::size_t>(u * double(k)))];
    }
  }
}

Eigen::VectorXd SpaceCodec::encode(const Point& point) const {
  Eigen::VectorXd x = Eigen::VectorXd::Zero(dims_);
  const auto& params = space_.parameters();
  for (std::size_t i = 0; i < params.size(); ++i) {
    const Parameter& p = params[i];
    auto it = point.find(p.name);
    if (it == point.end()) {
      if (!one_hot(p)) x[columns_[i]] = 0.5;  // inactive
      continue;
    }
    switch (p.type) {
      case ParamType::kInt:
      case ParamType::kFloat:
        x[columns_[i]] = unit_of_number(p, it->get<double>());
        break;
      case ParamType::kOrdinal:
      case ParamType::kBool:
        x[columns_[i]] =
            p.values.size() > 1 ? double(index_of(p, *it)) / double(p.values.size() - 1) : 0;
        break;
      default:
        x[columns_[i] + static_cast<int>(index_of(p, *it))] = 1;
        break;
    }
  }
  return x;
}

std::optional<Point> SpaceCodec::complete(Point partial, std::mt19937_64& rng) const {
  std::uniform_real_distribution<double> unit(0, 1);
  Point out = Json::object();
  for (const auto& p : space_.parameters()) {
    if (!space_.is_active(p, out)) continue;
    auto it = partial.find(p.name);
    std::optional<Json> value;
    if (it != partial.end()) value = p.canonical_value(*it);
    out[p.name] = value ? *value : value_at(p, unit(rng));
  }
  if (!space_.satisfies_constraints(out)) return std::nullopt;
  return out;
}

std::optional<Point> SpaceCodec::from_unit(const std::vector<double>& u) const {
  Point out = Json::object();
  const auto& params = space_.parameters();
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (space_.is_active(params[i], out)) out[params[i].name] = value_at(params[i], u[i]);
  }
  if (!space_.satisfies_constraints(out)) return std::nullopt;
  return out;
}

std::optional<Point> SpaceCodec::sample(std::mt19937_64& rng, int tries) const {
  std::uniform_real_distribution<double> unit(0, 1);
  std::vector<double> u(space_.parameters().size());
  for (int t = 0; t < tries; ++t) {
    for (auto& v : u) v = unit(rng);
    if (auto p = from_unit(u)) return p;
  }
  return std::nullopt;
}

std::vector<Point> SpaceCodec::latin_hypercube(std::size_t n, std::mt19937_64& rng) const {
  std::uniform_real_distribution<double> unit(0, 1);
  const std::size_t d = space_.parameters().size();
  std::vector<std::vector<double>> u(n, std::vector<double>(d));
  std::vector<std::size_t> perm(n);
  for (std::size_t j = 0; j < d; ++j) {
    std::iota(perm.begin(), perm.end(), 0);
    std::shuffle(perm.begin(), perm.end(), rng);
    for (std::size_t i = 0; i < n; ++i) u[i][j] = (double(perm[i]) + unit(rng)) / double(n);
  }
  std::vector<Point> out;
  for (const auto& row : u) {
    auto p = from_unit(row);
    if (!p) p = sample(rng);
    if (p) out.push_back(*p);
  }
  return out;
}

std::vector<Point> SpaceCodec::neighbours(const Point& point, std::mt19937_64& rng) const {
  std::vector<Point> out;
  std::normal_distribution<double> gauss(0, 1);
  auto add = [&](const std::string& name, const Json& value) {
    Point q = point;
    q[name] = value;
    if (auto c = complete(q, rng)) {
      if (*c != point) out.push_back(*c);
    }
  };
  for (const auto& p : space_.parameters()) {
    auto it = point.find(p.name);
    if (it == point.end()) continue;
    switch (p.type) {
      case ParamType::kInt: {
        auto v = it->get<std::int64_t>();
        std::int64_t step = std::max<std::int64_t>(1, p.step);
        for (std::int64_t s : {-step, step}) {
          if (double(v + s) >= p.min && double(v + s) <= p.max) add(p.name, v + s);
        }
        if (cardinality(p) > 8) {
          double u = unit_of_number(p, double(v));
          for (double sd : {0.05, 0.25}) add(p.name, value_at(p, u + sd * gauss(rng)));
        }
        break;
      }
      case ParamType::kFloat: {
        double u = unit_of_number(p, it->get<double>());
        for (double sd : {0.02, 0.1, 0.3}) add(p.name, value_at(p, u + sd * gauss(rng)));
        break;
      }
      case ParamType::kOrdinal:
      case ParamType::kBool: {
        std::size_t k = index_of(p, *it);
        if (k > 0) add(p.name, p.values[k - 1]);
        if (k + 1 < p.values.size()) add(p.name, p.values[k + 1]);
        break;
      }
      default:
        for (const auto& v : p.values) {
          if (v != *it) add(p.name, v);
        }
    }
  }
  return out;
}

}  // namespace nictune

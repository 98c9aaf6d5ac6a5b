#include "strategies/strategy_base.hpp"

#include <algorithm>
#include <set>

#include "core/errors.hpp"
#include "core/text_util.hpp"

namespace nictune {
namespace {

// Finite spaces up to this many grid points are enumerated to find what is left.
constexpr std::uint64_t kMaxEnumerated = 20000;

}  // namespace

StrategyOptions::StrategyOptions(const Json& options, std::string strategy,
                                 std::vector<std::string> allowed)
    : options_(options.is_null() ? Json::object() : options), strategy_(std::move(strategy)) {
  if (!options_.is_object()) {
    throw invalid("strategy.options: expected an object, found " + json_type_name(options_));
  }
  for (const auto& [key, value] : options_.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      throw invalid(
          path(key) + ": unknown option for " + strategy_ + did_you_mean(key, allowed) +
          (allowed.empty() ? "; it takes none" : "; expected one of " + join(allowed, ", ")));
    }
  }
}

bool StrategyOptions::boolean(const std::string& key, bool fallback) const {
  if (!options_.contains(key)) return fallback;
  if (!options_[key].is_boolean()) {
    throw invalid(path(key) + ": expected true or false, found " + json_brief(options_[key]));
  }
  return options_[key].get<bool>();
}

int StrategyOptions::integer(const std::string& key, int fallback, int min, int max) const {
  if (!options_.contains(key)) return fallback;
  const Json& v = options_[key];
  if (!v.is_number_integer() || v.get<std::int64_t>() < min || v.get<std::int64_t>() > max) {
    throw invalid(path(key) + ": expected an integer from " + std::to_string(min) + " to " +
                  std::to_string(max) + ", found " + json_brief(v));
  }
  return v.get<int>();
}

double StrategyOptions::number(const std::string& key, double fallback, double min,
                               double max) const {
  if (!options_.contains(key)) return fallback;
  const Json& v = options_[key];
  if (!v.is_number() || !(v.get<double>() >= min && v.get<double>() <= max)) {
    throw invalid(path(key) + ": expected a number from " + json_brief(min) + " to " +
                  json_brief(max) + ", found " + json_brief(v));
  }
  return v.get<double>();
}

std::string StrategyOptions::choice(const std::string& key, const std::string& fallback,
                                    const std::vector<std::string>& choices) const {
  if (!options_.contains(key)) return fallback;
  const Json& v = options_[key];
  if (!v.is_string() ||
      std::find(choices.begin(), choices.end(), v.get<std::string>()) == choices.end()) {
    throw invalid(path(key) + ": expected one of " + join(choices, ", ") + ", found " +
                  json_brief(v) +
                  (v.is_string() ? did_you_mean(v.get<std::string>(), choices) : ""));
  }
  return v.get<std::string>();
}

namespace {

std::vector<std::string> with_common(std::vector<std::string> keys) {
  keys.push_back("patience");
  return keys;
}

}  // namespace

StrategyBase::StrategyBase(const StrategyConfig& config, const std::string& name,
                           std::vector<std::string> option_keys)
    : config_(config),
      options_(config.options, name, with_common(std::move(option_keys))),
      history_(config.space, config.objectives, config.outcome_constraints),
      priors_(config.space, config.objectives, config.outcome_constraints),
      codec_(config.space),
      budget_(static_cast<std::size_t>(std::max(0, config.budget))),
      patience_(options_.integer("patience", 0, 0, 1000000)) {
  if (config.space.parameters().empty()) throw invalid("strategy: the space has no parameters");
  if (patience_ > 0 && config.objectives.empty()) {
    throw invalid("strategy.options.patience: needs at least one objective to measure improvement");
  }
  for (const auto& [point, outcome] : config.prior_observations) priors_.tell(point, outcome);
}

std::vector<Point> StrategyBase::ask(std::size_t n) {
  std::size_t spent = history_.distinct();
  n = std::min(n, budget_ > spent ? budget_ - spent : 0);
  if (n == 0 || !cheap_stop_reason().empty()) return {};
  std::mt19937_64 rng(mix_seed(config_.seed, spent));
  std::vector<Point> out;
  std::set<std::string> seen;
  // Warm-start points first; one the space cannot hold or already known is passed over.
  for (const auto& seed : config_.seed_points) {
    if (out.size() == n) return out;
    if (!config_.space.is_valid(seed)) continue;
    Point p = config_.space.canonicalize(seed);
    std::string key = canonical_text(p);
    if (history_.known(key) || !seen.insert(key).second) continue;
    history_.mark_asked(p);
    out.push_back(std::move(p));
  }
  if (out.size() == n) return out;
  std::vector<Point> proposed = propose(n - out.size(), rng);
  for (const auto& p : proposed) {
    // The contract every strategy keeps, checked once here rather than trusted.
    std::string key = canonical_text(p);
    if (history_.known(key) || !seen.insert(key).second || !config_.space.is_valid(p)) {
      throw Error(ErrorCode::kInternal, "strategy proposed a known or invalid point " + key);
    }
    history_.mark_asked(p);
    out.push_back(p);
    if (out.size() == n) break;
  }
  return out;
}

void StrategyBase::tell(const Point& point, const Outcome& outcome) {
  history_.tell(point, outcome);
}

std::string StrategyBase::stop_reason() const {
  std::string reason = cheap_stop_reason();
  if (!reason.empty()) return reason;
  if (codec_.size_bound() <= kMaxEnumerated && unknown_grid_points(1).empty()) {
    return "every point of the space has been proposed";
  }
  return "";
}

std::string StrategyBase::cheap_stop_reason() const {
  if (history_.distinct() >= budget_) {
    return "budget of " + std::to_string(budget_) + " points spent";
  }
  if (patience_ > 0 && history_.stalled(patience_)) {
    return "no hypervolume improvement in the last " + std::to_string(patience_) + " evaluations";
  }
  std::string own = own_stop_reason();
  if (!own.empty()) return own;
  return "";
}

std::vector<Point> StrategyBase::unknown_grid_points(std::size_t limit) const {
  std::vector<Point> out;
  if (codec_.size_bound() > kMaxEnumerated) return out;
  std::uint64_t visited = 0;
  config_.space.for_each_grid_point([&](const Point& p) {
    if (!history_.known(canonical_text(p))) out.push_back(p);
    return out.size() < limit && ++visited < kMaxEnumerated;
  });
  return out;
}

std::optional<Point> StrategyBase::random_unknown(std::mt19937_64& rng,
                                                  const std::vector<Point>& taken) const {
  auto fresh = [&](const Point& p) {
    return !history_.known(canonical_text(p)) &&
           std::find(taken.begin(), taken.end(), p) == taken.end();
  };
  for (int attempt = 0; attempt < 512; ++attempt) {
    auto p = codec_.sample(rng);
    if (p && fresh(*p)) return p;
  }
  // A nearly exhausted finite space: pick among what is left.
  std::vector<Point> left;
  for (auto& p : unknown_grid_points(kMaxEnumerated)) {
    if (fresh(p)) left.push_back(std::move(p));
  }
  if (left.empty()) return std::nullopt;
  return left[std::uniform_int_distribution<std::size_t>(0, left.size() - 1)(rng)];
}

}  // namespace nictune

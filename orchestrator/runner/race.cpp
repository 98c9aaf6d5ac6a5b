#include "orchestrator/runner/race.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/statistics.hpp"

namespace nictune {
namespace {

std::vector<double> values_of(const RaceEntry& e, const std::string& metric) {
  std::vector<double> xs;
  for (const auto& m : e.complete) {
    auto it = m.find(metric);
    if (it != m.end() && std::isfinite(it->second)) xs.push_back(it->second);
  }
  return xs;
}

// The objective's mean turned so that smaller is better.
double minimised_mean(const RaceEntry& e, const Objective& o) {
  const double m = stats::mean(values_of(e, o.metric));
  return o.goal == Goal::kMaximize ? -m : m;
}

bool judgeable(const std::vector<double>& xs) {
  return xs.size() >= stats::kMinRepetitionsToJudge;
}

}  // namespace

std::string to_string(RaceStanding standing) {
  switch (standing) {
    case RaceStanding::kRacing:
      return "racing";
    case RaceStanding::kSeparated:
      return "separated";
    case RaceStanding::kPrecise:
      return "precise";
    case RaceStanding::kCapped:
      return "capped";
    case RaceStanding::kBeaten:
      return "beaten";
    case RaceStanding::kOut:
      return "out";
  }
  return "out";
}

Race::Race(RepetitionSpec spec, std::vector<Objective> objectives, double alpha)
    : spec_(spec), objectives_(std::move(objectives)), alpha_(alpha) {}

bool Race::beats(const RaceEntry& a, const RaceEntry& b) const {
  bool strictly = false, significant = false;
  for (const auto& o : objectives_) {
    const double ma = minimised_mean(a, o), mb = minimised_mean(b, o);
    if (std::isnan(ma) || std::isnan(mb) || ma > mb) return false;
    if (ma < mb) {
      strictly = true;
      const auto xa = values_of(a, o.metric), xb = values_of(b, o.metric);
      if (judgeable(xa) && judgeable(xb)) {
        const auto w = stats::welch_t_test(xa, xb);
        significant = significant || (w.valid && w.p_value < alpha_);
      }
    }
  }
  return strictly && significant;
}

bool Race::separated(const RaceEntry& a, const RaceEntry& b) const {
  for (const auto& o : objectives_) {
    const auto xa = values_of(a, o.metric), xb = values_of(b, o.metric);
    if (!judgeable(xa) || !judgeable(xb)) continue;
    const auto w = stats::welch_t_test(xa, xb);
    if (w.valid && w.p_value < alpha_) return true;
  }
  return false;
}

bool Race::precise(const RaceEntry& e) const {
  for (const auto& o : objectives_) {
    const auto s = stats::summarize(values_of(e, o.metric));
    if (!s.has_ci()) return false;
    if (s.half_width > spec_.precision * std::fabs(s.mean)) return false;
  }
  return true;
}

RaceRound Race::next_round(const std::vector<RaceEntry>& entries, int trials_used) const {
  RaceRound round;
  std::vector<const RaceEntry*> alive;
  for (const auto& e : entries) {
    if (e.failed || e.complete.empty()) {
      round.standings[e.point_id] = RaceStanding::kOut;
    } else {
      alive.push_back(&e);
    }
  }
  // Beaten by any configuration still alive (the baseline included; it is never beaten itself,
  // every gain is measured against it).
  std::vector<const RaceEntry*> contenders;
  for (const auto* e : alive) {
    bool beaten = false;
    if (!e->baseline) {
      for (const auto* d : alive) {
        if (d != e && beats(*d, *e)) {
          beaten = true;
          break;
        }
      }
    }
    if (beaten) {
      round.standings[e->point_id] = RaceStanding::kBeaten;
    } else {
      contenders.push_back(e);
    }
  }
  std::vector<const RaceEntry*> wanted;
  for (const auto* e : contenders) {
    const int n = static_cast<int>(e->complete.size());
    RaceStanding standing = RaceStanding::kRacing;
    if (n >= spec_.min) {
      bool tied = false;
      for (const auto* d : contenders) {
        if (d != e && !separated(*e, *d)) {
          tied = true;
          break;
        }
      }
      if (!tied) {
        standing = RaceStanding::kSeparated;
      } else if (precise(*e)) {
        standing = RaceStanding::kPrecise;
      } else if (n >= spec_.max) {
        standing = RaceStanding::kCapped;
      }
    }
    round.standings[e->point_id] = standing;
    if (standing == RaceStanding::kRacing) wanted.push_back(e);
  }
  // Spread over the run (baseline_every): the baseline is the reference every gain is measured
  // against, so while any configuration is still measured it is measured too, precise or not. Three
  // back-to-back trials that agree show only that the host held still for those seconds (hosts
  // whose capacity moves in modes of minutes give exactly that), and drift needs baseline trials
  // spread over the run to be seen.
  const bool racing = spec_.baseline_every > 0 && std::any_of(wanted.begin(), wanted.end(),
                                                              [](auto* e) { return !e->baseline; });
  for (const auto* e : contenders) {
    if (!racing || !e->baseline || round.standings[e->point_id] == RaceStanding::kRacing) continue;
    round.standings[e->point_id] = RaceStanding::kRacing;
    wanted.push_back(e);
  }
  // Most important first: the baseline, then by the first objective's mean, best first.
  std::stable_sort(wanted.begin(), wanted.end(), [&](const RaceEntry* a, const RaceEntry* b) {
    if (a->baseline != b->baseline) return a->baseline;
    if (objectives_.empty()) return false;
    return minimised_mean(*a, objectives_[0]) < minimised_mean(*b, objectives_[0]);
  });
  const int left =
      spec_.budget > 0 ? std::max(0, spec_.budget - trials_used) : std::numeric_limits<int>::max();
  for (const auto* e : wanted) {
    if (static_cast<int>(round.next.size()) >= left) {
      round.budget_exhausted = true;
      break;
    }
    round.next.push_back(e->point_id);
  }
  return round;
}

}  // namespace nictune

#include "strategies/bayes.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "core/errors.hpp"
#include "core/pareto.hpp"
#include "strategies/acquisition.hpp"
#include "strategies/bayes_acquisition.hpp"
#include "strategies/hypervolume_boxes.hpp"

namespace nictune {
namespace {

using bayes::Acquisition;
using bayes::Kind;
using bayes::Model;
using bayes::predict;
using bayes::Prediction;

// Noise of a pruned point's screening measurement relative to one full repetition.
constexpr double kScreenedNoiseScale = 4;
// Noise of an earlier experiment's measurement (warm start) relative to one of this run's: the
// same NIC model, but possibly another host, kernel or firmware.
constexpr double kPriorNoiseScale = 2;

// "metric <= 0.001", "0.001 >= metric", with < and > treated alike; others are not modelled
// (they still decide which observations count as feasible).
std::optional<BayesStrategy::ModelledConstraint> modelled(const Comparison& c) {
  BayesStrategy::ModelledConstraint m;
  CompareOp op = c.op();
  if (c.lhs().kind == Operand::Kind::kName && c.rhs().kind == Operand::Kind::kNumber) {
    m.metric = c.lhs().text;
    m.threshold = c.rhs().number;
  } else if (c.lhs().kind == Operand::Kind::kNumber && c.rhs().kind == Operand::Kind::kName) {
    m.metric = c.rhs().text;
    m.threshold = c.lhs().number;
    switch (op) {  // mirror: 5 < x is x > 5
      case CompareOp::kLess:
        op = CompareOp::kGreater;
        break;
      case CompareOp::kLessEqual:
        op = CompareOp::kGreaterEqual;
        break;
      case CompareOp::kGreater:
        op = CompareOp::kLess;
        break;
      case CompareOp::kGreaterEqual:
        op = CompareOp::kLessEqual;
        break;
      default:
        break;
    }
  } else {
    return std::nullopt;
  }
  if (op == CompareOp::kLess || op == CompareOp::kLessEqual)
    m.below = true;
  else if (op == CompareOp::kGreater || op == CompareOp::kGreaterEqual)
    m.below = false;
  else
    return std::nullopt;
  return m;
}

Eigen::MatrixXd encode_all(const SpaceCodec& codec, const std::vector<Point>& points) {
  Eigen::MatrixXd x(static_cast<Eigen::Index>(points.size()), codec.dims());
  for (std::size_t i = 0; i < points.size(); ++i) {
    x.row(static_cast<Eigen::Index>(i)) = codec.encode(points[i]).transpose();
  }
  return x;
}

}  // namespace

BayesStrategy::BayesStrategy(const StrategyConfig& config)
    : StrategyBase(config, "bayes",
                   {"initial_points", "acquisition", "candidates", "restarts", "categorical_kernel",
                    "prior_mean", "exploit_every"}) {
  const std::size_t m = config.objectives.size();
  if (m == 0) throw invalid("strategy: bayes needs at least one objective");
  std::size_t params = config.space.parameters().size();
  std::size_t fallback = std::clamp<std::size_t>(params + 1, 4, 10);
  fallback = std::min(fallback, std::max<std::size_t>(2, budget() / 3));
  initial_points_ = static_cast<std::size_t>(
      options().integer("initial_points", static_cast<int>(fallback), 1, 1000));
  std::string automatic = m == 1 ? "ei" : "ehvi";
  acquisition_ = options().choice("acquisition", "auto", {"auto", "ei", "ehvi", "parego"});
  if (acquisition_ == "auto") acquisition_ = automatic;
  if (acquisition_ == "ei" && m != 1) {
    throw invalid(
        "strategy.options.acquisition: \"ei\" is for one objective; this experiment has " +
        std::to_string(m) + " (use \"ehvi\" for two, \"parego\" for any number)");
  }
  if (acquisition_ == "ehvi" && m < 2) {
    throw invalid(
        "strategy.options.acquisition: \"ehvi\" is for two or more objectives; this "
        "experiment has one (use \"ei\")");
  }
  candidates_ = options().integer("candidates", 1000, 10, 100000);
  fit_.restarts = options().integer("restarts", 3, 0, 100);
  // Defaults by the number of objectives, each measured with 7 seeds (docs/performance.md):
  // one objective takes an exploiting step every third ask with the sample mean (Branin to 95 %
  // in 13 evaluations instead of 16, nic-throughput unchanged; the pessimistic mean cost
  // nic-throughput 0.01 at 40 evaluations); two keep the plain EHVI with the sample mean (the
  // pessimistic mean with exploiting steps lost on nic-tradeoff, 0.963 against 0.983 at 80);
  // three or more take the pessimistic mean and exploit every second ask (DTLZ2 0.555 against
  // 0.132 at 40, and the three-objective NIC problems gained too).
  const bool many = m >= 3;
  exploit_every_ = options().integer("exploit_every", many ? 2 : (m == 1 ? 3 : 0), 0, 1000);
  // One-hot by default: the overlap kernel was a little better on the three-objective NIC
  // problems of search_bench but clearly worse on the two-objective one (docs/performance.md).
  if (options().choice("categorical_kernel", "one-hot", {"overlap", "one-hot"}) == "overlap") {
    // One length scale per parameter: a categorical's one-hot columns share it.
    for (std::size_t i = 0; i < config.space.parameters().size(); ++i) {
      for (int c = 0; c < codec().width(i); ++c) fit_.length_groups.push_back(static_cast<int>(i));
    }
  }
  for (const auto& c : config.outcome_constraints) {
    if (auto mc = modelled(c)) modelled_.push_back(*mc);
  }
  // The objectives' models expect the worst observed value away from the data by default:
  // with the sample mean there, the predictive uncertainty alone made the far corners of a
  // continuous box look promising, and DTLZ2's corners (weakly Pareto-optimal, far from the
  // front) took the first tens of evaluations (docs/performance.md). Constraint and success
  // models keep the sample mean: "pessimistic" has no single direction for them.
  objective_fit_ = fit_;
  if (options().choice("prior_mean", many ? "worst" : "average", {"worst", "average"}) == "worst") {
    objective_fit_.mean_quantile = 1;
  }
  std::mt19937_64 rng(mix_seed(config.seed, 0xba7e5));
  design_ = codec().latin_hypercube(initial_points_, rng);
}

std::vector<Point> BayesStrategy::propose(std::size_t n, std::mt19937_64& rng) {
  const History& h = history();
  std::vector<Point> out;
  std::set<std::string> taken;
  auto is_free = [&](const Point& p) {
    std::string key = canonical_text(p);
    return !h.known(key) && !taken.count(key);
  };
  auto take = [&](Point p) {
    taken.insert(canonical_text(p));
    out.push_back(std::move(p));
  };

  std::vector<const HistoryEntry*> usable = h.usable();
  // Earlier experiments' measurements (warm start) of points not measured here yet.
  std::vector<const HistoryEntry*> prior;
  for (const auto* e : priors().usable())
    if (!h.told(e->key)) prior.push_back(e);
  if (usable.size() + prior.size() < initial_points_) {
    for (const auto& p : design_) {
      if (out.size() >= n) return out;
      if (is_free(p)) take(p);
    }
  }
  if (usable.size() + prior.size() < 2) {
    while (out.size() < n) {
      auto p = random_unknown(rng, out);
      if (!p) break;
      take(std::move(*p));
    }
    return out;
  }

  // Training data: the usable entries, averaged over repetitions, and the failed ones at the
  // worst value observed for each objective: a failure is a bad outcome, so the surrogate itself
  // (not only the success model) learns to stay away from it.
  // Pruned points come in with what their short screening trials measured, as observations
  // with several times the noise of one full repetition: a screening trial is shorter, and the
  // gate pruned the point for ranking poorly, which is worth knowing but only roughly.
  std::vector<Point> points;
  for (const auto* e : usable) points.push_back(e->point);
  std::vector<std::vector<double>> screened;
  for (const auto& e : h.entries()) {
    if (auto v = h.screened_vector(e)) {
      points.push_back(e.point);
      screened.push_back(*v);
    }
  }
  for (const auto* e : prior) points.push_back(e->point);
  std::size_t failed_rows = 0;
  for (const auto& e : h.entries()) {
    if (e.in_space && e.complete == 0 && e.failed > 0) {
      points.push_back(e.point);
      ++failed_rows;
    }
  }
  Eigen::MatrixXd x = encode_all(codec(), points);
  const auto& objectives = config().objectives;
  const std::size_t m = objectives.size();
  const Eigen::Index rows = x.rows();
  const auto good_rows = static_cast<Eigen::Index>(usable.size());
  Eigen::MatrixXd y(rows, static_cast<Eigen::Index>(m));
  Eigen::VectorXd noise = Eigen::VectorXd::Ones(rows);
  std::vector<bool> feasible(static_cast<std::size_t>(rows), false);
  for (Eigen::Index i = 0; i < good_rows; ++i) {
    const HistoryEntry& e = *usable[static_cast<std::size_t>(i)];
    auto v = *h.objective_vector(e);
    for (std::size_t k = 0; k < m; ++k) y(i, static_cast<Eigen::Index>(k)) = v[k];
    noise[i] = 1.0 / std::max(1, e.complete);
    feasible[static_cast<std::size_t>(i)] = h.feasible(e);
  }
  const auto screened_end = good_rows + static_cast<Eigen::Index>(screened.size());
  for (Eigen::Index i = good_rows; i < screened_end; ++i) {
    const auto& v = screened[static_cast<std::size_t>(i - good_rows)];
    for (std::size_t k = 0; k < m; ++k) y(i, static_cast<Eigen::Index>(k)) = v[k];
    noise[i] = kScreenedNoiseScale;
  }
  // Prior rows shape the surrogate but are not this run's incumbents once it measured any:
  // another boot, kernel or firmware measured them.
  const auto modelled_rows = screened_end + static_cast<Eigen::Index>(prior.size());
  for (Eigen::Index i = screened_end; i < modelled_rows; ++i) {
    const HistoryEntry& e = *prior[static_cast<std::size_t>(i - screened_end)];
    auto v = *priors().objective_vector(e);
    for (std::size_t k = 0; k < m; ++k) y(i, static_cast<Eigen::Index>(k)) = v[k];
    noise[i] = kPriorNoiseScale / std::max(1, e.complete);
    feasible[static_cast<std::size_t>(i)] = good_rows == 0 && priors().feasible(e);
  }
  if (failed_rows > 0) {
    Eigen::RowVectorXd worst = y.topRows(modelled_rows).colwise().maxCoeff();
    for (Eigen::Index i = modelled_rows; i < rows; ++i) y.row(i) = worst;
  }

  Acquisition acq;
  if (acquisition_ == "parego") {
    // Augmented Chebyshev over objectives scaled to [0, 1], weights uniform on the simplex.
    std::vector<double> w(m);
    std::exponential_distribution<double> expo(1);
    double total = 0;
    for (auto& v : w) total += (v = expo(rng));
    Eigen::VectorXd s(rows);
    Eigen::VectorXd lo = y.colwise().minCoeff(), hi = y.colwise().maxCoeff();
    for (Eigen::Index i = 0; i < rows; ++i) {
      double worst = -std::numeric_limits<double>::infinity(), sum = 0;
      for (std::size_t k = 0; k < m; ++k) {
        auto kk = static_cast<Eigen::Index>(k);
        double f = hi[kk] > lo[kk] ? (y(i, kk) - lo[kk]) / (hi[kk] - lo[kk]) : 0;
        worst = std::max(worst, w[k] / total * f);
        sum += w[k] / total * f;
      }
      s[i] = worst + 0.05 * sum;
    }
    acq.objectives.emplace_back().fit(x, s, noise, objective_fit_, rng);
    acq.kind = Kind::kEi;
  } else {
    for (std::size_t k = 0; k < m; ++k) {
      acq.objectives.emplace_back().fit(x, y.col(static_cast<Eigen::Index>(k)), noise,
                                        objective_fit_, rng);
    }
    acq.kind = m == 1 ? Kind::kEi : Kind::kEhvi;
  }

  for (const auto& c : modelled_) {
    std::vector<Point> cp;
    std::vector<double> cv;
    for (const auto& e : h.entries()) {
      auto v = e.mean(c.metric);
      if (!e.in_space || !v) continue;
      cp.push_back(e.point);
      cv.push_back(c.below ? *v : -*v);
    }
    if (cp.size() < 2) continue;
    Model& model = acq.constraints.emplace_back();
    model.fit(encode_all(codec(), cp),
              Eigen::Map<Eigen::VectorXd>(cv.data(), Eigen::Index(cv.size())), Eigen::VectorXd(),
              fit_, rng);
    acq.thresholds.push_back(model.standardise(c.below ? c.threshold : -c.threshold));
  }

  std::vector<Point> outcome_points;
  std::vector<double> labels;
  bool any_failed = false;
  for (const auto& e : h.entries()) {
    if (!e.in_space || (e.complete == 0 && e.failed == 0)) continue;
    outcome_points.push_back(e.point);
    labels.push_back(e.complete > 0 ? 1.0 : -1.0);
    any_failed = any_failed || e.complete == 0;
  }
  if (any_failed) {
    GpFitOptions label_fit = fit_;
    label_fit.restarts = std::min(label_fit.restarts, 1);
    Model model;
    model.gp.fit(encode_all(codec(), outcome_points),
                 Eigen::Map<Eigen::VectorXd>(labels.data(), Eigen::Index(labels.size())), label_fit,
                 rng);
    acq.success = std::move(model);
  }

  // Incumbent / front from posterior means at the feasible evaluated points.
  std::vector<Prediction> at_data;
  for (const auto& model : acq.objectives) at_data.push_back(predict(model, x));
  bool any_feasible = false;
  for (Eigen::Index i = 0; i < rows; ++i) {
    if (!feasible[static_cast<std::size_t>(i)]) continue;
    any_feasible = true;
    if (acq.kind == Kind::kEi) {
      acq.incumbent = std::min(acq.incumbent, at_data[0].mean[i]);
    } else {
      std::vector<double> means;
      for (const auto& p : at_data) means.push_back(p.mean[i]);
      acq.front.push_back(std::move(means));
    }
  }
  if (acq.kind == Kind::kEhvi) {
    // Reference: a nadir plus a tenth of the range. With two objectives, that of every
    // modelled value. With more, that of the front of posterior means only: the nadir of every
    // value would put the reference so far out that weakly optimal extremes (best in one
    // objective, poor in the rest, as at DTLZ2's corners) earn a large improvement and draw
    // the search to the edges of the space.
    std::vector<std::vector<double>> bounds_of;
    if (m > 2 && !acq.front.empty()) {
      for (int i : pareto_front_indices(acq.front)) {
        bounds_of.push_back(acq.front[static_cast<std::size_t>(i)]);
      }
    } else {
      for (Eigen::Index i = 0; i < rows; ++i) {
        std::vector<double> v;
        for (const auto& p : at_data) v.push_back(p.mean[i]);
        bounds_of.push_back(std::move(v));
      }
    }
    for (std::size_t k = 0; k < m; ++k) {
      double lo = INFINITY, hi = -INFINITY;
      for (const auto& v : bounds_of) {
        lo = std::min(lo, v[k]);
        hi = std::max(hi, v[k]);
      }
      acq.reference.push_back(hi + 0.1 * std::max(hi - lo, 1e-6));
    }
    acq.boxes.emplace(acq.front, acq.reference);
  }
  if (!any_feasible) acq.kind = Kind::kFeasibility;
  // Every exploit_every-th ask scores the posterior mean alone (the improvement the model
  // believes in, without the bonus for uncertainty): alternating it with the expected
  // improvement refines the best regions found instead of only probing unexplored ones.
  acq.exploit = exploit_every_ > 0 &&
                h.entries().size() % std::size_t(exploit_every_) == std::size_t(exploit_every_) - 1;
  for (const auto& p : h.pending()) acq.believe(codec().encode(p));

  // Points worth searching around: the best and the front, by observed values.
  std::vector<Point> anchors;
  if (auto best = h.best()) anchors.push_back(h.entries()[*best].point);
  {
    std::vector<std::vector<double>> obs;
    for (const auto* e : usable) obs.push_back(*h.objective_vector(*e));
    for (int i : pareto_front_indices(obs)) {
      if (anchors.size() >= 6) break;
      anchors.push_back(usable[static_cast<std::size_t>(i)]->point);
    }
  }

  while (out.size() < n) {
    std::vector<Point> pool;
    std::set<std::string> in_pool;
    auto consider = [&](const Point& p) {
      std::string key = canonical_text(p);
      if (!h.known(key) && !taken.count(key) && in_pool.insert(key).second) pool.push_back(p);
    };
    for (int i = 0; i < candidates_; ++i) {
      if (auto p = codec().sample(rng, 8)) consider(*p);
    }
    for (const auto& a : anchors) {
      for (const auto& p : codec().neighbours(a, rng)) consider(p);
    }
    if (pool.empty()) {
      auto p = random_unknown(rng, out);
      if (!p) break;
      pool.push_back(*p);
    }
    Eigen::VectorXd scores = acq.score(encode_all(codec(), pool));
    if (acq.exploit && !(scores.maxCoeff() > 0)) {
      // The posterior mean improves nowhere among the candidates: let uncertainty decide.
      acq.exploit = false;
      scores = acq.score(encode_all(codec(), pool));
    }
    // Local search from the best few candidates: single-parameter moves while they help.
    std::vector<std::size_t> order(pool.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::size_t starts = std::min<std::size_t>(5, order.size());
    std::partial_sort(order.begin(), order.begin() + static_cast<long>(starts), order.end(),
                      [&](std::size_t a, std::size_t b) {
                        return scores[Eigen::Index(a)] > scores[Eigen::Index(b)];
                      });
    Point best = pool[order[0]];
    double best_score = scores[Eigen::Index(order[0])];
    for (std::size_t s = 0; s < starts; ++s) {
      Point current = pool[order[s]];
      double current_score = scores[Eigen::Index(order[s])];
      for (int step = 0; step < 12; ++step) {
        std::vector<Point> moves;
        for (auto& q : codec().neighbours(current, rng)) {
          if (is_free(q)) moves.push_back(std::move(q));
        }
        if (moves.empty()) break;
        Eigen::VectorXd ms = acq.score(encode_all(codec(), moves));
        Eigen::Index arg;
        double top = ms.maxCoeff(&arg);
        if (!(top > current_score)) break;
        current = moves[static_cast<std::size_t>(arg)];
        current_score = top;
      }
      if (current_score > best_score) {
        best = current;
        best_score = current_score;
      }
    }
    acq.believe(codec().encode(best));
    take(std::move(best));
  }
  return out;
}

}  // namespace nictune

// Bayesian optimisation over the mixed space: one Gaussian process (gp.hpp) per objective on
// the encoded points (encoding.hpp), a Latin hypercube as the initial design, then on each ask:
// - one objective: noisy expected improvement, the incumbent being the best posterior mean
//   among the evaluated feasible points (so one lucky noisy measurement does not freeze it);
// - two or more objectives: exact expected hypervolume improvement (hypervolume_boxes.hpp) over
//   the front of posterior means at the evaluated feasible points (so a lucky measurement does
//   not set the bar), the reference being their nadir plus a tenth of each range;
// - "acquisition": "parego" instead: an augmented Chebyshev scalarisation with random weights
//   drawn per ask, modelled by one GP, with expected improvement;
// - outcome constraints "metric <= number" / ">=" (and < >): a GP per metric, multiplied in as
//   the probability of feasibility; with no feasible point yet, that probability alone;
// - pruned points (multi-fidelity screening): what their short trials measured joins the
//   training data with four times the noise of a full repetition, so a region screening found
//   poor is believed poor without being measured in full;
// - failed points: a GP on success (+1) / failure (-1) turns into a probability of success, so
//   the search steers away from regions that break.
// The acquisition is maximised over random valid candidates plus neighbours of the best points,
// then by local search (single-parameter moves). ask(n > 1) and points still pending are
// handled by the kriging believer: each chosen point is added to every model at its posterior
// mean before the next is chosen.
// With three or more objectives, by default, the objectives' GPs take the worst observed value
// as their prior mean, so that far from the data the model is pessimistic and uncertainty alone
// does not draw the search to the corners of the space, and every second ask scores the
// posterior mean without its uncertainty; one objective keeps the sample mean and exploits every
// third ask; two keep the sample mean and the plain EHVI (measured: docs/performance.md).
// Options: "initial_points" (design size), "acquisition" ("auto", "ei", "ehvi", "parego"),
// "candidates" (random candidates per choice), "restarts" (hyperparameter multi-start),
// "categorical_kernel" ("one-hot": a length scale per category, the default; "overlap": one per
// categorical parameter), "prior_mean" ("worst" or "average"), "exploit_every" (N: every N-th ask
// scores the posterior mean alone; 0 = never), "patience".
#pragma once

#include "strategies/gp.hpp"
#include "strategies/strategy_base.hpp"

namespace nictune {

class BayesStrategy : public StrategyBase {
 public:
  explicit BayesStrategy(const StrategyConfig& config);

  struct ModelledConstraint {
    std::string metric;
    bool below = true;  // metric <= threshold (else >=)
    double threshold = 0;
  };

 protected:
  std::vector<Point> propose(std::size_t n, std::mt19937_64& rng) override;

 private:
  std::vector<Point> design_;
  std::size_t initial_points_ = 0;
  std::string acquisition_;
  int candidates_ = 0;
  int exploit_every_ = 2;
  GpFitOptions fit_, objective_fit_;
  std::vector<ModelledConstraint> modelled_;
};

}  // namespace nictune

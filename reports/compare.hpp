// "Did this kernel / NIC / firmware get worse?": the same configurations measured in two
// experiments, per configuration and objective the change, its confidence interval and two
// significance tests over the repetitions (Welch's t-test decides, Mann-Whitney U is shown as a
// check that does not assume normal data). A regression is a significant change in the bad
// direction larger than a threshold relative to the first experiment's mean.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "reports/report.hpp"

namespace nictune::report {

struct CompareOptions {
  double threshold = 0.05;  // relative: 0.05 = 5 %
  double alpha = 0.05;      // significance level of the Welch t-test
};

// "5%" -> 0.05, "0.05" -> 0.05, "12.5 %" -> 0.125. Throws Error(kInvalid) for anything else,
// including bare numbers above 1 ("5": write 5% or 0.05).
double parse_threshold(const std::string& text);

struct ObjectiveComparison {
  std::string metric;
  Goal goal = Goal::kMaximize;
  stats::Summary a, b;             // first (reference) and second experiment
  double delta = 0;                // mean(b) - mean(a)
  double relative = 0;             // delta / |mean(a)|; NaN when mean(a) is 0
  double ci_low = 0, ci_high = 0;  // Welch CI of delta; NaN with fewer than 2 repetitions
  double welch_p = 0;              // NaN when untestable
  double mann_whitney_p = 0;
  bool mann_whitney_exact = false;
  // How much worse b is, relative to |mean(a)|, in the objective's direction (negative: better).
  double worse_by = 0;
  bool tested = false;       // both sides had >= 2 repetitions
  bool significant = false;  // tested and welch_p < alpha
  bool regression = false;   // significant and worse_by > threshold
  bool improvement = false;  // significant and -worse_by > threshold
};

// Compares two samples of one objective.
ObjectiveComparison compare_samples(const Objective& objective, const std::vector<double>& a,
                                    const std::vector<double>& b, const CompareOptions& options);

struct ConfigurationComparison {
  bool baseline = false;
  Json config = Json::object();
  std::string label;  // "(baseline)" or the configuration's values
  std::int64_t point_a = 0, point_b = 0;
  std::vector<ObjectiveComparison> objectives;  // objectives measured on both sides
  bool regression = false;
};

struct ComparisonResult {
  ExperimentRecord a, b;
  std::vector<HostContext> contexts_a, contexts_b;
  std::vector<Objective> objectives;
  CompareOptions options;
  std::vector<ConfigurationComparison> configurations;  // matched by canonical configuration
  std::size_t only_in_a = 0, only_in_b = 0;
  std::size_t unmeasured = 0;  // in both, but no objective measured on both sides (failed)
  bool any_significant_regression = false;
  std::vector<std::string> notes;
};

// Configurations are matched by their canonical values; the two baselines (each host's own
// settings) are matched with each other. Objectives come from the first experiment's spec.
ComparisonResult compare_experiments(const Report& a, const Report& b,
                                     const CompareOptions& options);

// Complete trials' values of `metric` for one configuration of a report.
std::vector<double> trial_values(const Report& report, const PointResult& point,
                                 const std::string& metric);

void render_comparison_text(const ComparisonResult& result, std::ostream& out);  // <= 100 columns
void render_comparison_json(const ComparisonResult& result, std::ostream& out);

}  // namespace nictune::report

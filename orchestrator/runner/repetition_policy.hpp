// How many repetitions a point gets: a fixed count, or adaptive - repeat until the 95 %
// confidence interval of every objective is within the spec's relative width of its mean, or
// the maximum count is reached.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "orchestrator/spec/experiment_spec.hpp"

namespace nictune {

class RepetitionPolicy {
 public:
  RepetitionPolicy(RepetitionSpec spec, std::vector<Objective> objectives)
      : spec_(spec), objectives_(std::move(objectives)) {}

  // After the planned repetitions: does this point need one more?
  bool wants_another(const std::vector<std::map<std::string, double>>& complete, int failed) const;
  // Relative CI half-width of one objective over the complete repetitions (inf when n < 2).
  double relative_half_width(const std::vector<std::map<std::string, double>>& complete,
                             const std::string& metric) const;

 private:
  RepetitionSpec spec_;
  std::vector<Objective> objectives_;
};

}  // namespace nictune

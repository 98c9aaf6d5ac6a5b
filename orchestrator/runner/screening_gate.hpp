// The decision of multi-fidelity screening: after a point's short screening trial, does it go
// on to full measurement? It does while fewer than min_points points have been screened, and
// afterwards when on at least one objective it ranks among the best `keep` fraction of every
// screening result so far (itself included). Decided as results arrive (asynchronous
// successive halving), so no point waits for a rung to fill.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "orchestrator/spec/experiment_spec.hpp"

namespace nictune {

class ScreeningGate {
 public:
  ScreeningGate(ScreeningSpec spec, std::vector<Objective> objectives)
      : spec_(spec), objectives_(std::move(objectives)) {}

  // A result screened in an earlier run (resume): counted, nothing decided.
  void remember(const std::map<std::string, double>& metrics) { screened_.push_back(metrics); }
  // Records this screening result; "" to go on, or why the point is pruned.
  std::string judge(const std::map<std::string, double>& metrics);
  std::size_t screened() const { return screened_.size(); }

 private:
  ScreeningSpec spec_;
  std::vector<Objective> objectives_;
  std::vector<std::map<std::string, double>> screened_;
};

}  // namespace nictune

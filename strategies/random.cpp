#include "strategies/random.hpp"

#include <algorithm>

namespace nictune {
namespace {

// A Latin hypercube larger than this is no longer an initial design.
constexpr std::size_t kMaxDesign = 1000;

}  // namespace

RandomStrategy::RandomStrategy(const StrategyConfig& config, const std::string& default_design)
    : StrategyBase(config, default_design == "lhs" ? "latin-hypercube" : "random", {"design"}) {
  if (options().choice("design", default_design, {"uniform", "lhs"}) == "lhs") {
    std::mt19937_64 rng(mix_seed(config.seed, 0x1a7));
    design_ = codec().latin_hypercube(std::min(budget(), kMaxDesign), rng);
  }
}

std::vector<Point> RandomStrategy::propose(std::size_t n, std::mt19937_64& rng) {
  std::vector<Point> out;
  for (const auto& p : design_) {
    if (out.size() >= n) return out;
    if (!history().known(canonical_text(p)) && std::find(out.begin(), out.end(), p) == out.end()) {
      out.push_back(p);
    }
  }
  while (out.size() < n) {
    auto p = random_unknown(rng, out);
    if (!p) break;
    out.push_back(std::move(*p));
  }
  return out;
}

}  // namespace nictune

// rss.queues: spread the RSS indirection table over the first N rx rings (ETHTOOL_GRXFHINDIR/
// SRXFHINDIR, `ethtool -X equal N`). The state is the whole table. A table equal to the
// driver's default is written back as "default" (an empty SRXFHINDIR), which also clears the
// user-configured flag that would otherwise block later channel changes.
#include <cerrno>
#include <map>

#include "agents/knobs/registry.hpp"
#include "core/errors.hpp"

namespace nictune::agent {
namespace {

bool is_equal_spread(const std::vector<std::uint32_t>& table, std::uint32_t n) {
  if (n == 0) return false;
  for (std::size_t i = 0; i < table.size(); ++i) {
    if (table[i] != i % n) return false;
  }
  return true;
}

class RssQueuesKnob final : public Knob {
 public:
  using Knob::Knob;

  Json read(const KnobEnv& env) const override { return table(env); }

  Json range(const KnobEnv& env) const override {
    Json r = int_range(1, rings(env));
    r["table_size"] = table(env).size();
    return r;
  }

  Json target(const KnobEnv& env, const Json& requested) const override {
    auto current = table(env);
    std::uint32_t available = rings(env);
    if (env.planned_channels)
      available = env.planned_channels->combined_count + env.planned_channels->rx_count;
    auto n = static_cast<std::uint32_t>(require_int(name(), requested, 1, available));
    std::vector<std::uint32_t> spread(current.size());
    for (std::size_t i = 0; i < spread.size(); ++i) spread[i] = static_cast<std::uint32_t>(i % n);
    return spread;
  }

  void write(const KnobEnv& env, const Json& state) const override {
    auto wanted = state.get<std::vector<std::uint32_t>>();
    std::uint32_t available = rings(env);
    std::vector<std::uint32_t> request =
        is_equal_spread(wanted, available) ? std::vector<std::uint32_t>() : wanted;
    if (int error = env.ethtool->set_rss_indir(env.interface, request)) {
      throw errno_error(error, name() + ": ETHTOOL_SRXFHINDIR");
    }
  }

  // An equal spread over every ring, which write() sends as "default" (clearing the
  // user-configured flag).
  std::optional<DriverDefault> driver_default(const KnobEnv& env) const override {
    return DriverDefault{target(env, range(env).at("max")), "ethtool -X $IFACE default"};
  }

  std::vector<std::string> commands(const KnobEnv&, const Json& state) const override {
    auto table = state.get<std::vector<std::uint32_t>>();
    std::uint32_t highest = 0;
    for (auto q : table) highest = std::max(highest, q);
    if (is_equal_spread(table, highest + 1))
      return {"ethtool -X $IFACE equal " + std::to_string(highest + 1)};
    // Not an equal spread: the same proportions as weights (ethtool cannot take a raw table).
    std::map<std::uint32_t, unsigned> weight;
    for (auto q : table) ++weight[q];
    std::string line = "ethtool -X $IFACE weight";
    for (std::uint32_t q = 0; q <= highest; ++q) line += " " + std::to_string(weight[q]);
    return {line};
  }

 private:
  std::vector<std::uint32_t> table(const KnobEnv& env) const {
    std::vector<std::uint32_t> out;
    if (int error = env.ethtool->get_rss_indir(env.interface, out)) {
      if (error == EOPNOTSUPP) {
        throw Error(ErrorCode::kUnsupported,
                    "ETHTOOL_GRXFHINDIR: EOPNOTSUPP from the driver (no RSS table)");
      }
      throw errno_error(error, "ETHTOOL_GRXFHINDIR");
    }
    return out;
  }

  std::uint32_t rings(const KnobEnv& env) const {
    std::uint32_t count = 0;
    if (int error = env.ethtool->get_rx_rings(env.interface, count)) {
      if (error == EOPNOTSUPP)
        throw Error(ErrorCode::kUnsupported, "ETHTOOL_GRXRINGS: EOPNOTSUPP from the driver");
      throw errno_error(error, "ETHTOOL_GRXRINGS");
    }
    if (count == 0) throw Error(ErrorCode::kUnsupported, "ETHTOOL_GRXRINGS reports no rx rings");
    return count;
  }
};

}  // namespace

std::unique_ptr<Knob> make_rss_queues_knob(const KnobInfo& info) {
  return std::make_unique<RssQueuesKnob>(info);
}

}  // namespace nictune::agent

// channels.combined / channels.rx / channels.tx: queue counts (ETHTOOL_GCHANNELS/SCHANNELS,
// `ethtool -L`). A field whose device maximum is 0 does not exist on that device (veth has
// rx and tx but no combined channels).
#include <cerrno>

#include "agents/knobs/registry.hpp"
#include "core/errors.hpp"

namespace nictune::agent {
namespace {

struct ChannelField {
  const char* ethtool_word;  // ethtool -L <word> N
  __u32 ethtool_channels::*count;
  __u32 ethtool_channels::*max;
};

class ChannelsKnob final : public Knob {
 public:
  ChannelsKnob(const KnobInfo& info, ChannelField field) : Knob(info), field_(field) {}

  Json read(const KnobEnv& env) const override { return current(env).*field_.count; }

  Json range(const KnobEnv& env) const override {
    auto c = current(env);
    // With combined channels, rx-only/tx-only may be 0; without, rx and tx need one each.
    long long min = (field_.count == &ethtool_channels::combined_count)
                        ? (c.max_rx && c.max_tx ? 0 : 1)
                        : (c.max_combined ? 0 : 1);
    return int_range(min, c.*field_.max);
  }

  Json target(const KnobEnv& env, const Json& requested) const override {
    auto c = planned(env);
    return require_int(name(), requested, 0, c.*field_.max);
  }

  void write(const KnobEnv& env, const Json& state) const override {
    auto c = current(env);
    c.*field_.count = state.get<__u32>();
    if (int error = env.ethtool->set_channels(env.interface, c)) {
      throw errno_error(error, name() + ": ETHTOOL_SCHANNELS " + std::string(field_.ethtool_word) +
                                   " " + std::to_string(state.get<long long>()));
    }
  }

  std::vector<std::string> commands(const KnobEnv&, const Json& state) const override {
    return {"ethtool -L $IFACE " + std::string(field_.ethtool_word) + " " +
            std::to_string(state.get<long long>())};
  }

  std::vector<std::string> affects() const override {
    return {"rss.queues", "irq_affinity", "rps", "rfs.flow_cnt", "xps", "xps_rxqs"};
  }

  // The kernel refuses fewer channels than a user-set RSS table uses (6.12: `-L combined 1`
  // while the table points at queue 1); a requested rss.queues follows the channels anyway.
  std::vector<std::string> resets_first() const override { return {"rss.queues"}; }

  void plan(KnobEnv& env, const Json& state) const override {
    auto c = planned(env);
    c.*field_.count = state.get<__u32>();
    env.planned_channels = c;
  }

 private:
  ethtool_channels current(const KnobEnv& env) const {
    ethtool_channels c{};
    if (int error = env.ethtool->get_channels(env.interface, c)) {
      if (error == EOPNOTSUPP) {
        throw Error(ErrorCode::kUnsupported,
                    "ETHTOOL_GCHANNELS: EOPNOTSUPP from the driver (no channel control)");
      }
      throw errno_error(error, "ETHTOOL_GCHANNELS");
    }
    if (c.*field_.max == 0) {
      throw Error(ErrorCode::kUnsupported, "the device has no " + std::string(field_.ethtool_word) +
                                               " channels (maximum 0 in ETHTOOL_GCHANNELS)");
    }
    return c;
  }

  ethtool_channels planned(const KnobEnv& env) const {
    auto c = current(env);
    if (env.planned_channels) {
      const auto& p = *env.planned_channels;
      c.combined_count = p.combined_count;
      c.rx_count = p.rx_count;
      c.tx_count = p.tx_count;
    }
    return c;
  }

  ChannelField field_;
};

}  // namespace

std::unique_ptr<Knob> make_channels_combined_knob(const KnobInfo& info) {
  return std::make_unique<ChannelsKnob>(
      info,
      ChannelField{"combined", &ethtool_channels::combined_count, &ethtool_channels::max_combined});
}

std::unique_ptr<Knob> make_channels_rx_knob(const KnobInfo& info) {
  return std::make_unique<ChannelsKnob>(
      info, ChannelField{"rx", &ethtool_channels::rx_count, &ethtool_channels::max_rx});
}

std::unique_ptr<Knob> make_channels_tx_knob(const KnobInfo& info) {
  return std::make_unique<ChannelsKnob>(
      info, ChannelField{"tx", &ethtool_channels::tx_count, &ethtool_channels::max_tx});
}

}  // namespace nictune::agent

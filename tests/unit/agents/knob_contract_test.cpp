// The contract every registered knob keeps, instantiated over the registry's names (made from
// core/knob_table.hpp), so a knob is tested the moment its row exists. On the fake host (fake
// sysfs/procfs roots, FakeEthtool with every operation, a fake systemctl):
//   - probe: supported, no reason, `current` is what read() gives, a range;
//   - read -> target: a scalar state requested again means the same state; a structured state
//     (per queue, a table) has no request form, so there the same request means the same
//     state once written;
//   - write -> read: a state that differs from the original is written and read back;
//   - restore: restore_states() (what a session and `--restore` use) gives back the original;
//   - unsupported: on a bare host (no interface, no sysctls, no systemctl) probe says why.
// The value written is found from the knob's own range(): the first candidate whose target
// differs from the current state. Knobs the fake host cannot hold are in not_on_the_fake_host()
// with the reason; a case skips them naming it (a name that is not registered fails).
#include <gtest/gtest.h>

#include <linux/ethtool.h>
#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <vector>

#include "agents/knobs/registry.hpp"
#include "agents/safety/knob_session.hpp"
#include "core/cpu_policy.hpp"
#include "core/errors.hpp"
#include "fake_host.hpp"
#include "fake_systemctl.hpp"

namespace nictune::agent {
namespace {

struct NotHosted {
  const char* knob;
  const char* reason;
};

// Registered knobs the fake host cannot hold, with the reason (none today; a knob whose kernel
// interface has no fake yet goes here rather than being skipped silently).
const std::vector<NotHosted>& not_on_the_fake_host() {
  static const std::vector<NotHosted> knobs = {};
  return knobs;
}

std::optional<std::string> not_hosted(const std::string& name) {
  for (const auto& entry : not_on_the_fake_host()) {
    if (name == entry.knob) return std::string(entry.reason);
  }
  return std::nullopt;
}

// Requests a range offers, in the order tried.
std::vector<Json> candidates(const Json& range) {
  std::vector<Json> out;
  if (range.contains("values")) {
    for (const Json& v : range["values"]) out.push_back(v);
  }
  if (range.contains("min") && range.contains("max")) {
    const long long min = range["min"].get<long long>();
    const long long max = range["max"].get<long long>();
    // The maximum first: the minimum is often a state the others refuse (no combined channels
    // without rx-only and tx-only ones).
    for (long long v : {max, min, min + 1, (min + max) / 2}) {
      if (v >= min && v <= max) out.push_back(v);
    }
  }
  if (range.contains("policies")) {
    for (const std::string& policy : CpuPolicy::names()) {
      out.push_back(policy);
      out.push_back(policy + ":0");
      out.push_back(policy + ":1");
    }
  }
  return out;
}

class KnobContract : public ::testing::TestWithParam<std::string> {
 protected:
  KnobContract() : host_(8) {
    testing::FakeNic nic = testing::ixgbe_like(4, 60);
    nic.xps_rxqs = true;
    host_.add_nic(nic);
    testing::give_full_ethtool(host_, "eth1", 4);
    // Every operation of the fake, wider than give_full_ethtool's: rx-only and tx-only channels
    // beside the combined ones, every feature changeable, an RSS hash per flow type.
    FakeEthtoolDevice& d = host_.ethtool.device("eth1");
    d.channels->max_rx = 4;
    d.channels->max_tx = 4;
    for (auto& feature : d.features) feature.changeable = true;
    d.rx_flow_hash = {{TCP_V4_FLOW, RXH_IP_SRC | RXH_IP_DST | RXH_L4_B_0_1 | RXH_L4_B_2_3},
                      {UDP_V4_FLOW, RXH_IP_SRC | RXH_IP_DST},
                      {TCP_V6_FLOW, RXH_IP_SRC | RXH_IP_DST | RXH_L4_B_0_1 | RXH_L4_B_2_3},
                      {UDP_V6_FLOW, RXH_IP_SRC | RXH_IP_DST}};
    files_ = std::make_unique<KernelFiles>(host_.files());
    topology_ = probe_topology(*files_);
    env_.files = files_.get();
    env_.ethtool = &host_.ethtool;
    env_.interface = "eth1";
    env_.topology = &topology_;
    env_.systemctl = systemctl_.path();
  }

  void SetUp() override {
    knob_ = registry_.find(GetParam());
    ASSERT_NE(knob_, nullptr) << GetParam();
    if (auto reason = not_hosted(GetParam()))
      GTEST_SKIP() << GetParam() << " is not on the fake host: " << *reason;
  }

  // A request whose state differs from the current one, from the knob's range.
  std::optional<Json> changing_request() const {
    const Json current = knob_->read(env_);
    for (const Json& request : candidates(knob_->range(env_))) {
      try {
        if (!knob_->matches(knob_->target(env_, request), current)) return request;
      } catch (const Error&) {
        // Not a value for this host (a policy without its argument, a CPU it lacks): next.
      }
    }
    return std::nullopt;
  }

  const Knob& knob() const { return *knob_; }

  testing::FakeHost host_;
  testing::FakeSystemctl systemctl_;
  std::unique_ptr<KernelFiles> files_;
  Topology topology_;
  KnobEnv env_;
  KnobRegistry registry_;
  const Knob* knob_ = nullptr;
};

TEST_P(KnobContract, ProbeIsSupportedAndSaysWhatReadSays) {
  KnobStatus status = knob().probe(env_);
  ASSERT_TRUE(status.supported) << status.reason;
  EXPECT_EQ(status.reason, "");
  EXPECT_EQ(status.current, knob().read(env_));
  EXPECT_TRUE(status.range.is_object()) << status.range.dump();
  EXPECT_FALSE(candidates(status.range).empty()) << "a range to choose from: " << status.range;
}

TEST_P(KnobContract, ReadThenTargetRoundTrips) {
  const Json current = knob().read(env_);
  if (!current.is_structured()) {
    Json state = knob().target(env_, current);
    EXPECT_TRUE(knob().matches(state, current))
        << "requesting the current " << current.dump() << " means " << state.dump();
    return;
  }
  auto request = changing_request();
  ASSERT_TRUE(request) << "no value in " << knob().range(env_) << " changes " << current;
  const Json planned = knob().target(env_, *request);
  knob().write(env_, planned);
  const Json again = knob().target(env_, *request);
  EXPECT_TRUE(knob().matches(again, knob().read(env_)))
      << *request << " meant " << planned.dump() << ", once written it means " << again.dump();
}

TEST_P(KnobContract, WriteThenReadMatches) {
  const Json original = knob().read(env_);
  auto request = changing_request();
  ASSERT_TRUE(request) << "no value in " << knob().range(env_) << " changes " << original;
  const Json state = knob().target(env_, *request);
  knob().write(env_, state);
  const Json found = knob().read(env_);
  EXPECT_TRUE(knob().matches(state, found)) << "wrote " << state.dump() << ", read " << found;
  EXPECT_FALSE(knob().matches(original, found)) << "the write changed nothing: " << found;
}

TEST_P(KnobContract, RestoreGivesBackTheOriginal) {
  const Json original = knob().read(env_);
  auto request = changing_request();
  ASSERT_TRUE(request) << "no value in " << knob().range(env_) << " changes " << original;
  knob().write(env_, knob().target(env_, *request));
  ASSERT_FALSE(knob().matches(original, knob().read(env_)));
  RestoreOutcome outcome = restore_states(registry_, env_, {{knob().name(), original}});
  EXPECT_TRUE(outcome.clean()) << outcome.to_json().dump();
  EXPECT_EQ(outcome.restored, std::vector<std::string>{knob().name()});
  const Json found = knob().read(env_);
  EXPECT_TRUE(knob().matches(original, found)) << "was " << original << ", now " << found;
}

TEST_P(KnobContract, ProbeSaysWhyWhenUnsupported) {
  testing::FakeHost bare(4);
  bare.remove("proc/sys");
  KernelFiles files = bare.files();
  Topology topology = probe_topology(files);
  KnobEnv env;
  env.files = &files;
  env.ethtool = &bare.ethtool;
  env.interface = "eth9";
  env.topology = &topology;
  env.systemctl = bare.root() + "/no-systemctl";
  KnobStatus status = knob().probe(env);
  EXPECT_FALSE(status.supported) << status.current;
  EXPECT_FALSE(status.reason.empty());
  EXPECT_TRUE(status.current.is_null()) << status.current;
}

INSTANTIATE_TEST_SUITE_P(Registered, KnobContract, ::testing::ValuesIn(KnobRegistry().names()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param;
                           std::replace_if(
                               name.begin(), name.end(),
                               [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); },
                               '_');
                           return name;
                         });

TEST(KnobContractExceptions, NameRegisteredKnobsWithAReason) {
  KnobRegistry registry;
  for (const auto& entry : not_on_the_fake_host()) {
    EXPECT_NE(registry.find(entry.knob), nullptr) << entry.knob << " is not registered";
    EXPECT_STRNE(entry.reason, "") << entry.knob;
  }
}

}  // namespace
}  // namespace nictune::agent

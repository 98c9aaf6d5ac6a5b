// service.irqbalance against a fake systemctl (this machine has no systemd): stop, start again
// on restore, unsupported without systemctl or without the unit, a failing stop and a failing
// later knob both leave the service as it was; and the bounded wait of run_program.
#include <gtest/gtest.h>

#include <chrono>
#include <sstream>

#include "agents/knobs/program_run.hpp"
#include "agents/knobs/registry.hpp"
#include "agents/safety/knob_session.hpp"
#include "core/errors.hpp"
#include "fake_host.hpp"
#include "fake_systemctl.hpp"

namespace nictune::agent {
namespace {

class IrqbalanceService : public ::testing::Test {
 protected:
  IrqbalanceService() : host_(8) {
    host_.add_nic(testing::ixgbe_like(4, 60));
    testing::give_full_ethtool(host_, "eth1", 4);
    files_ = std::make_unique<KernelFiles>(host_.files());
    topology_ = probe_topology(*files_);
    env_.files = files_.get();
    env_.ethtool = &host_.ethtool;
    env_.interface = "eth1";
    env_.topology = &topology_;
    env_.systemctl = systemctl_.path();
  }
  const Knob& knob() { return *registry_.find("service.irqbalance"); }
  std::unique_ptr<KnobSession> make_session() {
    KnobSessionOptions options;
    options.address_lookup = [](const std::string&) { return std::string(); };
    options.log = &log_;
    options.systemctl = systemctl_.path();
    return std::make_unique<KnobSession>(host_.files(), host_.ethtool,
                                         SnapshotStore(host_.state_dir()), options);
  }
  std::string irqs() {
    std::string out;
    for (int irq = 60; irq < 64; ++irq)
      out += host_.read("proc/irq/" + std::to_string(irq) + "/smp_affinity_list") + ";";
    return out;
  }

  testing::FakeHost host_;
  testing::FakeSystemctl systemctl_;
  std::unique_ptr<KernelFiles> files_;
  Topology topology_;
  KnobEnv env_;
  KnobRegistry registry_;
  std::ostringstream log_;
};

TEST_F(IrqbalanceService, StopsItAndRestoreStartsItAgain) {
  KnobStatus status = knob().probe(env_);
  ASSERT_TRUE(status.supported) << status.reason;
  EXPECT_EQ(status.current, true);
  Json state = knob().target(env_, false);
  EXPECT_EQ(state, false);
  knob().write(env_, state);
  EXPECT_EQ(systemctl_.state(), "inactive");
  EXPECT_EQ(knob().read(env_), false);
  EXPECT_NE(systemctl_.calls().find("stop irqbalance"), std::string::npos) << systemctl_.calls();
  EXPECT_EQ(systemctl_.calls().find("kill"), std::string::npos) << systemctl_.calls();
  RestoreOutcome outcome = restore_states(registry_, env_, {{"service.irqbalance", true}});
  EXPECT_TRUE(outcome.clean()) << outcome.to_json().dump();
  EXPECT_EQ(systemctl_.state(), "active");
}

TEST_F(IrqbalanceService, CommandsRangeAndOrder) {
  EXPECT_EQ(knob().commands(env_, false), std::vector<std::string>{"systemctl stop irqbalance"});
  EXPECT_EQ(knob().commands(env_, true), std::vector<std::string>{"systemctl start irqbalance"});
  EXPECT_EQ(knob().range(env_), bool_range());
  EXPECT_LT(registry_.order("service.irqbalance"), registry_.order("irq_affinity"));
  EXPECT_EQ(knob().info().scope, KnobScope::kGlobal);
  EXPECT_EQ(knob().info().type, KnobValueType::kBool);
  for (const Json& bad : {Json("off"), Json(0), Json(nullptr)}) {
    try {
      knob().target(env_, bad);
      ADD_FAILURE() << bad.dump() << " accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kInvalid) << e.what();
    }
  }
  EXPECT_EQ(systemctl_.state(), "active");
}

TEST_F(IrqbalanceService, UnsupportedWithoutSystemctlOrWithoutTheUnit) {
  KnobEnv env = env_;
  env.systemctl = host_.root() + "/no/such/systemctl";
  KnobStatus status = knob().probe(env);
  EXPECT_FALSE(status.supported);
  EXPECT_NE(status.reason.find("no service manager: cannot run " + env.systemctl + ": ENOENT"),
            std::string::npos)
      << status.reason;
  env.systemctl = "nictune-no-such-systemctl";
  status = knob().probe(env);
  EXPECT_FALSE(status.supported);
  EXPECT_NE(status.reason.find("(looked up in PATH)"), std::string::npos) << status.reason;
  EXPECT_NE(status.reason.find("--systemctl"), std::string::npos) << status.reason;

  systemctl_.forget_unit();
  status = knob().probe(env_);
  EXPECT_FALSE(status.supported);
  EXPECT_NE(status.reason.find("no irqbalance unit known to the service manager"),
            std::string::npos)
      << status.reason;
  EXPECT_NE(status.reason.find("No files found for irqbalance.service"), std::string::npos)
      << status.reason;
  try {
    knob().target(env_, false);
    ADD_FAILURE() << "target accepted without a unit";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUnsupported);
  }
}

TEST_F(IrqbalanceService, AFailingStopChangesNothing) {
  systemctl_.fail("stop");
  std::string irqs_before = irqs();
  auto session = make_session();
  try {
    session->apply({{"interface", "eth1"},
                    {"values", {{"service.irqbalance", false}, {"irq_affinity", "spread"}}}});
    ADD_FAILURE() << "apply succeeded";
  } catch (const Error& e) {
    std::string message = e.what();
    EXPECT_NE(message.find("service.irqbalance: "), std::string::npos) << message;
    EXPECT_NE(message.find("stop irqbalance: exit 1: Failed to stop irqbalance.service"),
              std::string::npos)
        << message;
  }
  EXPECT_EQ(systemctl_.state(), "active");
  EXPECT_EQ(irqs(), irqs_before);  // irq_affinity comes after and was never written
}

TEST_F(IrqbalanceService, ALaterFailureStartsItAgain) {
  host_.ethtool.device("eth1").fail["set_coalesce"] = EOPNOTSUPP;
  std::string irqs_before = irqs();
  auto session = make_session();
  try {
    session->apply(
        {{"interface", "eth1"},
         {"values",
          {{"service.irqbalance", false}, {"irq_affinity", "spread"}, {"coalesce.rx_usecs", 10}}}});
    ADD_FAILURE() << "apply succeeded";
  } catch (const Error& e) {
    std::string message = e.what();
    EXPECT_NE(message.find("rolled back"), std::string::npos) << message;
    EXPECT_NE(message.find("service.irqbalance"), std::string::npos) << message;
  }
  EXPECT_EQ(systemctl_.state(), "active");
  EXPECT_EQ(irqs(), irqs_before);
  std::string calls = systemctl_.calls();
  auto stop = calls.find("stop irqbalance");
  ASSERT_NE(stop, std::string::npos) << calls;
  EXPECT_NE(calls.find("start irqbalance", stop), std::string::npos) << calls;
}

TEST_F(IrqbalanceService, SessionSnapshotsRunningAndRestoresIt) {
  auto session = make_session();
  Json result =
      session->apply({{"interface", "eth1"},
                      {"values", {{"service.irqbalance", false}, {"irq_affinity", "all"}}}});
  EXPECT_EQ(result["applied"]["service.irqbalance"], false);
  EXPECT_EQ(result["commands"][0], "systemctl stop irqbalance");
  EXPECT_EQ(systemctl_.state(), "inactive");
  EXPECT_EQ(host_.read("proc/irq/61/smp_affinity_list"), "0-7");
  RestoreOutcome outcome = session->restore_all();
  EXPECT_TRUE(outcome.clean()) << outcome.to_json().dump();
  EXPECT_EQ(systemctl_.state(), "active");
  EXPECT_EQ(host_.read("proc/irq/61/smp_affinity_list"), "1");
}

TEST_F(IrqbalanceService, StartsAgainOnlyAfterTheIrqsAreBack) {
  systemctl_.watch(host_.root() + "/proc/irq/61/smp_affinity_list");
  auto session = make_session();
  session->apply({{"interface", "eth1"},
                  {"values", {{"service.irqbalance", false}, {"irq_affinity", "all"}}}});
  RestoreOutcome outcome = session->restore_all();
  EXPECT_TRUE(outcome.clean()) << outcome.to_json().dump();
  // irqbalance started while IRQ 61 still had the experiment's 0-7 would balance from there.
  EXPECT_NE(systemctl_.calls().find("start found 1\n"), std::string::npos) << systemctl_.calls();
}

TEST(ProgramRun, ExitStatusStderrAndABoundedWait) {
  ProgramRun run = run_program({"sh", "-c", "echo out; echo 'bad thing' >&2; exit 3"},
                               std::chrono::milliseconds(5000));
  EXPECT_EQ(run.exit_status, 3);
  EXPECT_EQ(run.first_error_line(), "bad thing");
  auto start = std::chrono::steady_clock::now();
  try {
    run_program({"sleep", "30"}, std::chrono::milliseconds(200));
    ADD_FAILURE() << "no timeout";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kIo);
    EXPECT_NE(std::string(e.what()).find("no answer within 200 ms"), std::string::npos) << e.what();
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_EQ(run_program({"sh", "-c", "kill -TERM $$"}, std::chrono::milliseconds(5000)).exit_status,
            128 + SIGTERM);
}

}  // namespace
}  // namespace nictune::agent

// Every knob against a fake sysfs/procfs root and FakeEthtool: read, target, write, read back,
// commands, and the exact reason when unsupported.
#include <gtest/gtest.h>

#include <algorithm>

#include "agents/knobs/registry.hpp"
#include "agents/knobs/sysctl_knob.hpp"
#include "agents/safety/knob_session.hpp"
#include "core/errors.hpp"
#include "fake_host.hpp"

namespace nictune::agent {
namespace {

using testing::FakeHost;

class Knobs : public ::testing::Test {
 protected:
  explicit Knobs(unsigned cpus = 8) : host_(cpus) {
    host_.add_nic(testing::ixgbe_like(4, 60));
    testing::give_full_ethtool(host_, "eth1", 4);
    files_ = std::make_unique<KernelFiles>(host_.files());
    topology_ = probe_topology(*files_);
    env_.files = files_.get();
    env_.ethtool = &host_.ethtool;
    env_.interface = "eth1";
    env_.topology = &topology_;
  }
  const Knob& knob(const std::string& name) {
    const Knob* k = registry_.find(name);
    EXPECT_NE(k, nullptr) << name;
    return *k;
  }
  // target + write + read back; returns what was read.
  Json set(const std::string& name, const Json& value) {
    const Knob& k = knob(name);
    Json state = k.target(env_, value);
    k.write(env_, state);
    Json found = k.read(env_);
    EXPECT_TRUE(k.matches(state, found))
        << name << ": wrote " << state.dump() << ", read " << found.dump();
    return found;
  }
  ErrorCode error_of(const std::function<void()>& f) {
    try {
      f();
    } catch (const Error& e) {
      return e.code();
    }
    ADD_FAILURE() << "no error";
    return ErrorCode::kInternal;
  }

  FakeHost host_;
  std::unique_ptr<KernelFiles> files_;
  Topology topology_;
  KnobEnv env_;
  KnobRegistry registry_;
};

TEST_F(Knobs, RegistryCoversTheCatalog) {
  for (const auto& info : knob_catalog()) {
    bool elsewhere = false;
    for (const auto& [name, why] : knobs_handled_elsewhere())
      elsewhere = elsewhere || name == info.name;
    EXPECT_TRUE(registry_.find(info.name) || elsewhere) << info.name << " has no knob";
  }
  EXPECT_EQ(registry_.order("channels.combined"), 0u);
  EXPECT_LT(registry_.order("channels.rx"), registry_.order("rps"));
  EXPECT_LT(registry_.order("rss.queues"), registry_.order("irq_affinity"));
  EXPECT_LT(registry_.order("channels.tx"), registry_.order("xps_rxqs"));
}

// core/knob_table.hpp is both lists: the catalog is the registry in apply order plus the
// knobs handled elsewhere; a row's restore attribute, not its name, puts services last.
TEST_F(Knobs, CatalogAndRegistryAreOneTable) {
  std::vector<std::string> catalog;
  for (const auto& info : knob_catalog()) {
    if (registry_.find(info.name)) catalog.push_back(info.name);
  }
  EXPECT_EQ(catalog, registry_.names());
  EXPECT_EQ(knob_catalog().size(), registry_.all().size() + knobs_handled_elsewhere().size());
  for (const auto& knob : registry_.all()) {
    const bool last = knob->info().restore == KnobRestore::kAfterEveryKnob;
    EXPECT_EQ(registry_.restore_order(knob->name()) > registry_.all().size(), last) << knob->name();
  }
  EXPECT_GT(registry_.restore_order("service.irqbalance"), registry_.restore_order("xps"));
  const KnobInfo* sysctl = find_knob("sysctl.net.core.dev_weight");
  ASSERT_NE(sysctl, nullptr);
  EXPECT_EQ(sysctl->description, "NAPI weight of the backlog device (net.core.dev_weight)");
  EXPECT_EQ(sysctl->scope, KnobScope::kGlobal);
  EXPECT_EQ(placement_knob_name(), "app.cpus");
  EXPECT_TRUE(is_placement_knob("app.cpus"));
  EXPECT_FALSE(is_placement_knob("lg:app.cpus"));
  EXPECT_FALSE(is_placement_knob("rps"));
}

TEST_F(Knobs, RpsWritesMasksPerQueue) {
  Json found = set("rps", "spread");
  EXPECT_EQ(found, (Json{{"rx-0", "0"}, {"rx-1", "1"}, {"rx-2", "2"}, {"rx-3", "3"}}));
  EXPECT_EQ(host_.read("sys/class/net/eth1/queues/rx-2/rps_cpus"), "4");
  set("rps", "all");
  EXPECT_EQ(host_.read("sys/class/net/eth1/queues/rx-0/rps_cpus"), "ff");
  auto lines = knob("rps").commands(env_, knob("rps").target(env_, "list:1-2"));
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0], "echo 6 > /sys/class/net/$IFACE/queues/rx-0/rps_cpus");
  EXPECT_EQ(set("rps", "none")["rx-3"], "");
  EXPECT_EQ(host_.read("sys/class/net/eth1/queues/rx-3/rps_cpus"), "0");
}

TEST_F(Knobs, RpsSameAsIrqFollowsTheQueueIrqs) {
  EXPECT_EQ(set("rps", "same-as-irq"),
            (Json{{"rx-0", "0"}, {"rx-1", "1"}, {"rx-2", "0"}, {"rx-3", "1"}}));
}

TEST_F(Knobs, RpsLeavesIsolatedCpusOutLikeTheKernel) {
  host_.write("sys/devices/system/cpu/isolated", "1\n");
  topology_ = probe_topology(*files_);
  EXPECT_EQ(knob("rps").target(env_, "list:0-1")["rx-0"], "0");
  EXPECT_EQ(error_of([&] { knob("rps").target(env_, "single:1"); }), ErrorCode::kInvalid);
}

TEST_F(Knobs, RpsRejectsBadValues) {
  EXPECT_EQ(error_of([&] { knob("rps").target(env_, 3); }), ErrorCode::kInvalid);
  EXPECT_EQ(error_of([&] { knob("rps").target(env_, "sprad"); }), ErrorCode::kInvalid);
  EXPECT_EQ(error_of([&] { knob("rps").target(env_, "mask:100"); }), ErrorCode::kInvalid);  // CPU 8
  EXPECT_EQ(error_of([&] { knob("rps").target(env_, "list:0-99999999"); }), ErrorCode::kInvalid);
}

TEST_F(Knobs, RpsUnsupportedWithoutTheFile) {
  host_.remove("sys/class/net/eth1/queues/rx-0/rps_cpus");
  KnobStatus status = knob("rps").probe(env_);
  EXPECT_FALSE(status.supported);
  EXPECT_NE(status.reason.find("no such file"), std::string::npos) << status.reason;
  EXPECT_NE(status.reason.find("CONFIG_RPS"), std::string::npos) << status.reason;
}

TEST_F(Knobs, RpsOnMoreThan64Cpus) {
  FakeHost big(80);
  testing::FakeNic nic;
  nic.device = false;
  nic.rx_queues = 1;
  big.add_nic(nic);
  KernelFiles files = big.files();
  Topology topology = probe_topology(files);
  KnobEnv env = env_;
  env.files = &files;
  env.topology = &topology;
  const Knob& rps = knob("rps");
  EXPECT_EQ(rps.read(env)["rx-0"], "");
  rps.write(env, rps.target(env, "all"));
  EXPECT_EQ(big.read("sys/class/net/eth1/queues/rx-0/rps_cpus"), "ffff,ffffffff,ffffffff");
  rps.write(env, rps.target(env, "single:70"));
  EXPECT_EQ(rps.read(env)["rx-0"], "70");
  EXPECT_EQ(big.read("sys/class/net/eth1/queues/rx-0/rps_cpus"), "40,00000000,00000000");
}

TEST_F(Knobs, XpsAndItsAbsenceOnSingleQueueDevices) {
  EXPECT_EQ(set("xps", "spread")["tx-3"], "3");
  EXPECT_EQ(host_.read("sys/class/net/eth1/queues/tx-3/xps_cpus"), "8");
  testing::FakeNic lo;
  lo.name = "lo";
  lo.device = false;
  lo.rx_queues = 1;
  lo.tx_queues = 1;
  lo.xps = false;
  host_.add_nic(lo);
  KnobEnv env = env_;
  env.interface = "lo";
  KnobStatus status = knob("xps").probe(env);
  EXPECT_FALSE(status.supported);
  EXPECT_NE(status.reason.find("single-queue"), std::string::npos) << status.reason;
  EXPECT_TRUE(knob("rps").probe(env).supported);
}

class XpsRxqs : public Knobs {
 protected:
  XpsRxqs() {
    for (int q = 0; q < 4; ++q) host_.write(file(q), "0\n");  // 4 rx queues: one hex digit
  }
  static std::string file(int tx) {
    return "sys/class/net/eth1/queues/tx-" + std::to_string(tx) + "/xps_rxqs";
  }
};

TEST_F(XpsRxqs, SameIndexMapsEachTxQueueToItsRxQueueAndRestores) {
  const Knob& k = knob("xps_rxqs");
  Json original = k.read(env_);
  EXPECT_EQ(original, (Json{{"tx-0", ""}, {"tx-1", ""}, {"tx-2", ""}, {"tx-3", ""}}));
  EXPECT_EQ(set("xps_rxqs", "same-index"),
            (Json{{"tx-0", "0"}, {"tx-1", "1"}, {"tx-2", "2"}, {"tx-3", "3"}}));
  EXPECT_EQ(host_.read(file(1)), "2");
  EXPECT_EQ(host_.read(file(3)), "8");
  EXPECT_EQ(set("xps_rxqs", "all")["tx-2"], "0-3");
  EXPECT_EQ(host_.read(file(2)), "f");
  EXPECT_EQ(set("xps_rxqs", "list:1-2")["tx-0"], "1-2");
  EXPECT_EQ(host_.read(file(0)), "6");
  RestoreOutcome outcome = restore_states(registry_, env_, {{"xps_rxqs", original}});
  EXPECT_TRUE(outcome.clean()) << outcome.to_json().dump();
  for (int q = 0; q < 4; ++q) EXPECT_EQ(host_.read(file(q)), "0") << q;
  EXPECT_EQ(set("xps_rxqs", "none"), original);
}

TEST_F(XpsRxqs, CommandsRangeAndPlannedChannels) {
  const Knob& k = knob("xps_rxqs");
  auto lines = k.commands(env_, k.target(env_, "same-index"));
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0], "echo 1 > /sys/class/net/$IFACE/queues/tx-0/xps_rxqs");
  EXPECT_EQ(lines[3], "echo 8 > /sys/class/net/$IFACE/queues/tx-3/xps_rxqs");
  EXPECT_EQ(k.commands(env_, k.target(env_, "none"))[1],
            "echo 0 > /sys/class/net/$IFACE/queues/tx-1/xps_rxqs");
  Json range = k.range(env_);
  EXPECT_EQ(range["rx_queues"], 4);
  EXPECT_EQ(range["values"][1], "same-index");
  KnobEnv plan = env_;
  knob("channels.combined").plan(plan, 2);
  EXPECT_EQ(k.target(plan, "same-index"), (Json{{"tx-0", "0"}, {"tx-1", "1"}}));
  EXPECT_EQ(error_of([&] { k.target(plan, "list:3"); }), ErrorCode::kInvalid);
  // Channels renumber queues: their snapshot carries this knob too.
  auto affected = knob("channels.combined").affects();
  EXPECT_NE(std::find(affected.begin(), affected.end(), "xps_rxqs"), affected.end());
}

TEST_F(XpsRxqs, MoreTxThanRxQueuesWrapAround) {
  host_.remove("sys/class/net/eth1/queues/rx-2");
  host_.remove("sys/class/net/eth1/queues/rx-3");
  EXPECT_EQ(knob("xps_rxqs").target(env_, "same-index"),
            (Json{{"tx-0", "0"}, {"tx-1", "1"}, {"tx-2", "0"}, {"tx-3", "1"}}));
  EXPECT_EQ(knob("xps_rxqs").target(env_, "all")["tx-3"], "0-1");
}

TEST_F(XpsRxqs, RxQueuesThatDoNotExistAndBadValuesAreRefusedBeforeWriting) {
  const Knob& k = knob("xps_rxqs");
  try {
    k.target(env_, "list:2-4");
    ADD_FAILURE() << "list:2-4 accepted with 4 rx queues";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalid);
    EXPECT_NE(std::string(e.what()).find("rx queue 4, but eth1 has 4 rx queues (rx-0..rx-3)"),
              std::string::npos)
        << e.what();
  }
  for (const Json& bad : {Json("same"), Json(3), Json(true), Json("list:x"), Json("list:"),
                          Json("list:0-99999999"), Json("spread")}) {
    EXPECT_EQ(error_of([&] { k.target(env_, bad); }), ErrorCode::kInvalid) << bad.dump();
  }
  for (int q = 0; q < 4; ++q) EXPECT_EQ(host_.read(file(q)), "0") << q;
}

TEST_F(XpsRxqs, UnsupportedWithoutTheFileSaysWhy) {
  for (int q = 0; q < 4; ++q) host_.remove(file(q));
  KnobStatus status = knob("xps_rxqs").probe(env_);
  EXPECT_FALSE(status.supported);
  EXPECT_NE(
      status.reason.find("no such file: " + host_.sysfs() + "/class/net/eth1/queues/tx-0/xps_rxqs"),
      std::string::npos)
      << status.reason;
  EXPECT_NE(status.reason.find("CONFIG_XPS"), std::string::npos) << status.reason;
  EXPECT_EQ(error_of([&] { knob("xps_rxqs").target(env_, "same-index"); }),
            ErrorCode::kUnsupported);
  EXPECT_TRUE(knob("xps").probe(env_).supported);
}

TEST_F(Knobs, RfsFlowCountRoundsToPowersOfTwoLikeTheKernel) {
  Json state = knob("rfs.flow_cnt").target(env_, 3000);
  EXPECT_EQ(state["rx-0"], 4096);
  knob("rfs.flow_cnt").write(env_, state);
  EXPECT_EQ(host_.read("sys/class/net/eth1/queues/rx-3/rps_flow_cnt"), "4096");
  EXPECT_EQ(knob("rfs.flow_cnt").target(env_, 0)["rx-1"], 0);
  EXPECT_EQ(error_of([&] { knob("rfs.flow_cnt").target(env_, -1); }), ErrorCode::kInvalid);
  EXPECT_EQ(error_of([&] { knob("rfs.flow_cnt").target(env_, 1LL << 40); }), ErrorCode::kInvalid);
  EXPECT_EQ(error_of([&] { knob("rfs.flow_cnt").target(env_, 1.5); }), ErrorCode::kInvalid);
  EXPECT_EQ(error_of([&] { knob("rfs.flow_cnt").target(env_, "4096"); }), ErrorCode::kInvalid);
  EXPECT_EQ(error_of([&] { knob("rfs.flow_cnt").target(env_, true); }), ErrorCode::kInvalid);
  EXPECT_EQ(knob("rfs.flow_cnt").commands(env_, state)[3],
            "echo 4096 > /sys/class/net/$IFACE/queues/rx-3/rps_flow_cnt");
}

TEST_F(Knobs, SockFlowEntriesAndSysctls) {
  EXPECT_EQ(set("rfs.sock_flow_entries", 30000), 32768);
  EXPECT_EQ(host_.read("proc/sys/net/core/rps_sock_flow_entries"), "32768");
  EXPECT_EQ(error_of([&] { knob("rfs.sock_flow_entries").target(env_, (1LL << 29) + 1); }),
            ErrorCode::kInvalid);
  EXPECT_EQ(set("sysctl.net.core.busy_poll", 50), 50);
  EXPECT_EQ(host_.read("proc/sys/net/core/busy_poll"), "50");
  EXPECT_EQ(knob("sysctl.net.core.busy_poll").commands(env_, 50)[0],
            "sysctl -w net.core.busy_poll=50");
  EXPECT_EQ(set("sysctl.net.core.netdev_budget", 600), 600);
  EXPECT_EQ(error_of([&] { knob("sysctl.net.core.dev_weight").target(env_, 0); }),
            ErrorCode::kInvalid);
  EXPECT_EQ(error_of([&] { knob("sysctl.net.core.rmem_max").target(env_, 4294967296LL); }),
            ErrorCode::kInvalid);
  for (const char* name : {"sysctl.net.core.busy_read", "sysctl.net.core.netdev_budget_usecs",
                           "sysctl.net.core.netdev_max_backlog", "sysctl.net.core.rmem_max",
                           "sysctl.net.core.wmem_max", "sysctl.net.core.rmem_default",
                           "sysctl.net.core.wmem_default"}) {
    EXPECT_TRUE(knob(name).probe(env_).supported) << name;
    set(name, 4096);
  }
}

TEST_F(Knobs, SysctlsOutsideTheRootNamespace) {
  host_.remove("proc/sys/net/core/busy_poll");
  host_.remove("proc/sys/net/core/netdev_max_backlog");
  host_.write("proc/sys/net/core/somaxconn", "4096\n");
  EXPECT_TRUE(outside_root_netns(*files_));
  KnobStatus status = knob("sysctl.net.core.busy_poll").probe(env_);
  EXPECT_FALSE(status.supported);
  EXPECT_NE(status.reason.find("not in the root network namespace"), std::string::npos)
      << status.reason;
  EXPECT_EQ(error_of([&] { knob("sysctl.net.core.busy_poll").target(env_, 50); }),
            ErrorCode::kUnsupported);
}

TEST_F(Knobs, ChannelsThroughEthtool) {
  EXPECT_EQ(knob("channels.combined").read(env_), 4);
  EXPECT_EQ(knob("channels.combined").range(env_), (Json{{"min", 1}, {"max", 16}}));
  EXPECT_EQ(set("channels.combined", 8), 8);
  EXPECT_EQ(host_.ethtool.device("eth1").channels->combined_count, 8u);
  EXPECT_EQ(knob("channels.combined").commands(env_, 8)[0], "ethtool -L $IFACE combined 8");
  EXPECT_EQ(error_of([&] { knob("channels.combined").target(env_, 17); }), ErrorCode::kInvalid);
  KnobStatus rx = knob("channels.rx").probe(env_);
  EXPECT_FALSE(rx.supported);
  EXPECT_NE(rx.reason.find("no rx channels"), std::string::npos) << rx.reason;
  // The kernel refuses 0 combined without rx and tx: an errno error, not a crash.
  EXPECT_EQ(error_of([&] { knob("channels.combined").write(env_, 0); }), ErrorCode::kInvalid);
}

TEST_F(Knobs, ChannelsPlanTheQueuesOfLaterKnobs) {
  KnobEnv plan = env_;
  knob("channels.combined").plan(plan, 2);
  Json rps = knob("rps").target(plan, "spread");
  EXPECT_EQ(rps, (Json{{"rx-0", "0"}, {"rx-1", "1"}}));
  knob("channels.combined").plan(plan, 6);
  EXPECT_EQ(knob("rps").target(plan, "all").size(), 6u);
}

TEST_F(Knobs, OffloadsThroughFeatures) {
  EXPECT_EQ(knob("offload.gro").read(env_), true);
  EXPECT_EQ(set("offload.gro", false), false);
  EXPECT_EQ(knob("offload.gro").commands(env_, false)[0], "ethtool -K $IFACE gro off");
  // tso is a group: tx-tcp-segmentation, tx-tcp-ecn-segmentation, tx-tcp6-segmentation.
  EXPECT_EQ(knob("offload.tso").read(env_), (Json{{"tx-tcp-ecn-segmentation", false},
                                                  {"tx-tcp-segmentation", true},
                                                  {"tx-tcp6-segmentation", true}}));
  EXPECT_EQ(set("offload.tso", true), true);
  EXPECT_EQ(knob("offload.tso").commands(env_, true)[0], "ethtool -K $IFACE tso on");
  Json mixed = {{"tx-tcp-ecn-segmentation", false},
                {"tx-tcp-segmentation", true},
                {"tx-tcp6-segmentation", true}};
  knob("offload.tso").write(env_, mixed);
  EXPECT_EQ(knob("offload.tso").read(env_), mixed);
  KnobStatus hw = knob("offload.rx_gro_hw").probe(env_);
  EXPECT_FALSE(hw.supported);
  EXPECT_EQ(hw.reason, "fixed by the driver (rx-gro-hw off [fixed])");
  EXPECT_EQ(set("offload.lro", true), true);
  EXPECT_EQ(set("offload.ntuple", true), true);
  EXPECT_EQ(set("offload.gso", false), false);
  EXPECT_EQ(error_of([&] { knob("offload.gro").target(env_, "on"); }), ErrorCode::kInvalid);
}

TEST_F(Knobs, OffloadKeptOffByTheKernelIsAProblem) {
  auto& features = host_.ethtool.device("eth1").features;
  features[1].active = false;  // rx-lro requested on below but kept off
  knob("offload.lro").write(env_, true);
  features[1].active = false;
  EXPECT_NE(knob("offload.lro").effect_problem(env_, true).find("keeps rx-lro off"),
            std::string::npos);
}

TEST_F(Knobs, CoalescePauseRings) {
  EXPECT_EQ(knob("coalesce.rx_usecs").read(env_), 3);
  EXPECT_EQ(set("coalesce.rx_usecs", 50), 50);
  EXPECT_EQ(set("coalesce.tx_usecs", 20), 20);
  EXPECT_EQ(set("coalesce.rx_frames", 64), 64);
  EXPECT_EQ(set("coalesce.tx_frames", 32), 32);
  EXPECT_EQ(set("coalesce.adaptive_rx", false), false);
  EXPECT_EQ(set("coalesce.adaptive_tx", true), true);
  const auto& co = *host_.ethtool.device("eth1").coalesce;
  EXPECT_EQ(co.rx_coalesce_usecs, 50u);
  EXPECT_EQ(co.use_adaptive_rx_coalesce, 0u);
  EXPECT_EQ(knob("coalesce.rx_usecs").commands(env_, 50)[0], "ethtool -C $IFACE rx-usecs 50");
  EXPECT_EQ(knob("coalesce.adaptive_rx").commands(env_, true)[0],
            "ethtool -C $IFACE adaptive-rx on");
  EXPECT_EQ(error_of([&] { knob("coalesce.rx_usecs").target(env_, 2000000); }),
            ErrorCode::kInvalid);

  EXPECT_EQ(set("pause.rx", false), false);
  EXPECT_EQ(set("pause.tx", false), false);
  EXPECT_EQ(set("pause.autoneg", true), true);
  EXPECT_EQ(knob("pause.rx").commands(env_, false)[0], "ethtool -A $IFACE rx off");

  EXPECT_EQ(knob("rings.rx").range(env_), (Json{{"min", 1}, {"max", 4096}}));
  EXPECT_EQ(set("rings.rx", 2048), 2048);
  EXPECT_EQ(set("rings.tx", 1024), 1024);
  EXPECT_EQ(knob("rings.tx").commands(env_, 1024)[0], "ethtool -G $IFACE tx 1024");
  EXPECT_EQ(error_of([&] { knob("rings.rx").target(env_, 8192); }), ErrorCode::kInvalid);
  EXPECT_EQ(error_of([&] { knob("rings.rx").target(env_, 0); }), ErrorCode::kInvalid);
}

TEST_F(Knobs, DriverRefusalsKeepTheirErrno) {
  host_.ethtool.device("eth1").fail["set_coalesce"] = EOPNOTSUPP;
  try {
    knob("coalesce.tx_frames").write(env_, 5);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUnsupported);
    EXPECT_NE(std::string(e.what()).find("EOPNOTSUPP from the driver"), std::string::npos)
        << e.what();
  }
}

TEST_F(Knobs, EthtoolKnobsOnADeviceWithoutThem) {
  testing::FakeNic veth;
  veth.name = "veth0";
  veth.device = false;
  host_.add_nic(veth);
  KnobEnv env = env_;
  env.interface = "veth0";
  for (const char* name : {"coalesce.rx_usecs", "pause.rx", "rings.rx", "rss.queues",
                           "channels.combined", "offload.gro"}) {
    KnobStatus status = knob(name).probe(env);
    EXPECT_FALSE(status.supported) << name;
    EXPECT_NE(status.reason.find("EOPNOTSUPP"), std::string::npos) << name << ": " << status.reason;
  }
  KnobStatus irq = knob("irq_affinity").probe(env);
  EXPECT_FALSE(irq.supported);
  EXPECT_NE(irq.reason.find("no IRQs: virtual device"), std::string::npos) << irq.reason;
}

TEST_F(Knobs, RssIndirection) {
  Json table = knob("rss.queues").read(env_);
  EXPECT_EQ(table.size(), 128u);
  Json two = set("rss.queues", 2);
  EXPECT_EQ(two[3], 1);
  EXPECT_EQ(two[4], 0);
  EXPECT_TRUE(host_.ethtool.device("eth1").rss_user_configured);
  EXPECT_EQ(knob("rss.queues").commands(env_, two)[0], "ethtool -X $IFACE equal 2");
  // Writing the default table back resets it, so channel changes are not blocked.
  knob("rss.queues").write(env_, table);
  EXPECT_FALSE(host_.ethtool.device("eth1").rss_user_configured);
  EXPECT_EQ(knob("rss.queues").read(env_), table);
  EXPECT_EQ(error_of([&] { knob("rss.queues").target(env_, 5); }), ErrorCode::kInvalid);
  EXPECT_EQ(error_of([&] { knob("rss.queues").target(env_, 0); }), ErrorCode::kInvalid);
  Json weighted = table;
  weighted[0] = 3;
  EXPECT_EQ(knob("rss.queues").commands(env_, weighted)[0].rfind("ethtool -X $IFACE weight ", 0),
            0u);
}

TEST_F(Knobs, IrqAffinity) {
  KnobStatus status = knob("irq_affinity").probe(env_);
  ASSERT_TRUE(status.supported) << status.reason;
  EXPECT_EQ(status.current, (Json{{"60", "0"}, {"61", "1"}, {"62", "0"}, {"63", "1"}}));
  EXPECT_EQ(set("irq_affinity", "spread"),
            (Json{{"60", "0"}, {"61", "1"}, {"62", "2"}, {"63", "3"}}));
  EXPECT_EQ(host_.read("proc/irq/62/smp_affinity_list"), "2");
  EXPECT_EQ(host_.read("proc/irq/64/smp_affinity_list"), "0");  // the link IRQ is left alone
  EXPECT_EQ(knob("irq_affinity").commands(env_, Json{{"60", "0-3"}})[0],
            "echo 0-3 > /proc/irq/60/smp_affinity_list");
  EXPECT_EQ(error_of([&] { knob("irq_affinity").target(env_, "none"); }), ErrorCode::kInvalid);
  // The kernel has not moved IRQ 61 yet: effective affinity outside the request.
  host_.write("proc/irq/61/effective_affinity_list", "7\n");
  auto warnings = knob("irq_affinity").warnings(env_, Json{{"61", "1"}});
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("IRQ 61 still runs on 7"), std::string::npos) << warnings[0];
  // same-as-irq follows the effective affinity where the kernel has one.
  EXPECT_EQ(knob("rps").target(env_, "same-as-irq")["rx-1"], "7");
}

TEST_F(Knobs, IrqbalanceIsReported) {
  host_.write("proc/4242/comm", "irqbalance\n");
  EXPECT_EQ(find_irqbalance(*files_), 4242);
  auto warnings = knob("irq_affinity").warnings(env_, Json::object());
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("pid 4242"), std::string::npos);
  EXPECT_EQ(knob("irq_affinity").probe(env_).extra["irqbalance_pid"], 4242);
}

TEST(FakeEthtoolState, SurvivesAReload) {
  FakeHost host(2);
  std::string file = host.state_dir() + "/fake-ethtool.json";
  {
    FakeEthtool fake(file);
    testing::give_full_ethtool(host, "eth1");
    fake.device("eth1") = host.ethtool.device("eth1");
    ethtool_coalesce c{};
    ASSERT_EQ(fake.get_coalesce("eth1", c), 0);
    c.rx_coalesce_usecs = 77;
    ASSERT_EQ(fake.set_coalesce("eth1", c), 0);
  }
  FakeEthtool again(file);
  ethtool_coalesce c{};
  ASSERT_EQ(again.get_coalesce("eth1", c), 0);
  EXPECT_EQ(c.rx_coalesce_usecs, 77u);
  EXPECT_EQ(again.device("eth1").features.size(), 8u);
  EXPECT_EQ(again.get_coalesce("nope", c), ENODEV);
}

}  // namespace
}  // namespace nictune::agent

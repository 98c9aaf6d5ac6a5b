// The knobs a first real driver showed missing, on a fake root shaped like the VM lab's drivers
// (docs: /work/shared notes → docs/knobs.md): coalescing probed per field (virtio-net takes
// tx-frames, e1000e rx-usecs), the RSS hash fields per flow type (ETHTOOL_GRXFH/SRXFH), and
// queue IRQs whose affinity the kernel manages (EIO), each through probe, apply, read back,
// restore and the unsupported reason.
#include <gtest/gtest.h>

#include <cerrno>
#include <sstream>

#include "agents/knobs/registry.hpp"
#include "agents/safety/knob_session.hpp"
#include "agents/topology/managed_irqs.hpp"
#include "core/errors.hpp"
#include "fake_host.hpp"

namespace nictune::agent {
namespace {

using testing::FakeHost;

std::uint32_t bits(std::initializer_list<unsigned> attributes) {
  std::uint32_t mask = 0;
  for (unsigned a : attributes) mask |= coalesce_bit(a);
  return mask;
}

class DriverKnobs : public ::testing::Test {
 protected:
  DriverKnobs() : host_(2) {
    host_.add_nic(testing::ixgbe_like(2, 60));
    testing::give_full_ethtool(host_, "eth1", 2);
    host_.write(
        "proc/net/route",
        "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
        "eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n");
    rebuild_env();
  }
  void rebuild_env() {
    files_ = std::make_unique<KernelFiles>(host_.files());
    topology_ = probe_topology(*files_);
    env_.files = files_.get();
    env_.ethtool = &host_.ethtool;
    env_.interface = "eth1";
    env_.topology = &topology_;
  }
  std::unique_ptr<KnobSession> session() {
    KnobSessionOptions options;
    options.log = &log_;
    return std::make_unique<KnobSession>(host_.files(), host_.ethtool,
                                         SnapshotStore(host_.state_dir()), options);
  }
  const Knob& knob(const std::string& name) {
    const Knob* k = registry_.find(name);
    EXPECT_NE(k, nullptr) << name;
    return *k;
  }
  // virtio-net as the 6.1 guest showed it: GCOALESCE answers rx-frames 1 and tx-frames 1
  // (napi tx); the driver declares rx/tx usecs and frames, not adaptive; the device (QEMU 7.2)
  // has not negotiated VIRTIO_NET_F_NOTF_COAL (bit 53 of the virtio device's features).
  void make_virtio_coalesce(bool notf_coal = false) {
    FakeEthtoolDevice& d = host_.ethtool.device("eth1");
    d.driver = "virtio_net";
    ethtool_coalesce co{};
    co.rx_max_coalesced_frames = 1;
    co.tx_max_coalesced_frames = 1;
    d.coalesce = co;
    d.coalesce_supported =
        bits({ETHTOOL_A_COALESCE_RX_USECS, ETHTOOL_A_COALESCE_TX_USECS,
              ETHTOOL_A_COALESCE_RX_MAX_FRAMES, ETHTOOL_A_COALESCE_TX_MAX_FRAMES});
    const std::string dev = "sys/devices/pci0000:00/0000:3b:00.0/";
    std::filesystem::create_directories(host_.root() + "/sys/bus/virtio/drivers/virtio_net");
    std::filesystem::remove(host_.root() + "/" + dev + "driver");
    std::filesystem::create_directory_symlink("../../../bus/virtio/drivers/virtio_net",
                                              host_.root() + "/" + dev + "driver");
    std::string features(64, '0');
    features[0] = features[5] = features[16] = features[22] = '1';
    if (notf_coal) features[53] = '1';
    host_.write(dev + "features", features + "\n");
  }
  // e1000e: rx-usecs only (its ITR); 3 is the driver's "dynamic conservative" mode.
  void make_e1000e_coalesce() {
    FakeEthtoolDevice& d = host_.ethtool.device("eth1");
    d.driver = "e1000e";
    ethtool_coalesce co{};
    co.rx_coalesce_usecs = 3;
    d.coalesce = co;
    d.coalesce_supported = bits({ETHTOOL_A_COALESCE_RX_USECS});
  }
  ErrorCode error_of(const std::function<void()>& f, std::string* message = nullptr) {
    try {
      f();
    } catch (const Error& e) {
      if (message) *message = e.what();
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
  std::ostringstream log_;
};

TEST_F(DriverKnobs, CoalesceFieldsOfVirtioAreProbedOneByOne) {
  make_virtio_coalesce();
  KnobStatus tx_frames = knob("coalesce.tx_frames").probe(env_);
  EXPECT_TRUE(tx_frames.supported) << tx_frames.reason;
  EXPECT_EQ(tx_frames.current, 1);
  EXPECT_EQ(tx_frames.extra["field_check"], "per field (the driver's supported_coalesce_params)");
  const std::pair<const char*, const char*> lacking[] = {{"coalesce.adaptive_rx", "adaptive-rx"},
                                                         {"coalesce.adaptive_tx", "adaptive-tx"}};
  for (const auto& [name, field] : lacking) {
    KnobStatus status = knob(name).probe(env_);
    EXPECT_FALSE(status.supported) << name;
    EXPECT_EQ(status.reason, std::string("the driver does not take ") + field +
                                 " (not in its supported_coalesce_params: the kernel refuses "
                                 "the field)")
        << name;
    EXPECT_TRUE(status.current.is_null());
  }
  // Declared, but the device cannot: the reason names the feature bit and the field.
  for (const char* field : {"rx-usecs", "tx-usecs"}) {
    std::string name = std::string("coalesce.") + (field[0] == 'r' ? "rx_usecs" : "tx_usecs");
    KnobStatus status = knob(name).probe(env_);
    EXPECT_FALSE(status.supported) << name;
    EXPECT_EQ(status.reason,
              "the virtio-net device has no notification coalescing "
              "(VIRTIO_NET_F_NOTF_COAL, bit 53 of " +
                  host_.sysfs() + "/class/net/eth1/device/features, is 0): " +
                  "virtio_net declares " + field + " but refuses it with EOPNOTSUPP")
        << status.reason;
  }
  EXPECT_TRUE(knob("coalesce.rx_frames").probe(env_).supported);
}

TEST_F(DriverKnobs, VirtioWithNotificationCoalescingTakesUsecs) {
  make_virtio_coalesce(true);
  KnobStatus status = knob("coalesce.rx_usecs").probe(env_);
  EXPECT_TRUE(status.supported) << status.reason;
  EXPECT_EQ(status.current, 0);
}

TEST_F(DriverKnobs, E1000eTakesOnlyRxUsecsAndAnApplyOfAnotherFieldWritesNothing) {
  make_e1000e_coalesce();
  EXPECT_TRUE(knob("coalesce.rx_usecs").probe(env_).supported);
  for (const char* name :
       {"coalesce.tx_usecs", "coalesce.rx_frames", "coalesce.tx_frames", "coalesce.adaptive_rx"}) {
    EXPECT_FALSE(knob(name).probe(env_).supported) << name;
  }
  auto s = session();
  std::string message;
  EXPECT_EQ(error_of(
                [&] {
                  s->apply({{"interface", "eth1"},
                            {"values", {{"coalesce.rx_usecs", 100}, {"coalesce.tx_frames", 8}}}});
                },
                &message),
            ErrorCode::kUnsupported);
  EXPECT_NE(message.find("tx-frames"), std::string::npos) << message;
  EXPECT_EQ(host_.ethtool.set_calls(), 0);
  EXPECT_EQ(host_.ethtool.device("eth1").coalesce->rx_coalesce_usecs, 3u);

  // rx-usecs alone: applied, read back, restored.
  s->apply({{"interface", "eth1"}, {"values", {{"coalesce.rx_usecs", 1000}}}});
  EXPECT_EQ(host_.ethtool.device("eth1").coalesce->rx_coalesce_usecs, 1000u);
  EXPECT_EQ(knob("coalesce.rx_usecs").read(env_), 1000);
  Json restored = s->restore(Json::object());
  EXPECT_TRUE(restored["mismatches"].empty()) << restored.dump();
  EXPECT_EQ(host_.ethtool.device("eth1").coalesce->rx_coalesce_usecs, 3u);
}

TEST_F(DriverKnobs, TheSetRefusesANonZeroFieldTheDriverDoesNotDeclare) {
  // The ioctl path since 5.7: the whole structure fails when any non-zero field is undeclared.
  make_e1000e_coalesce();
  ethtool_coalesce co = *host_.ethtool.device("eth1").coalesce;
  co.tx_max_coalesced_frames = 4;
  EXPECT_EQ(host_.ethtool.set_coalesce("eth1", co), EOPNOTSUPP);
  co.tx_max_coalesced_frames = 0;
  co.rx_coalesce_usecs = 50;
  EXPECT_EQ(host_.ethtool.set_coalesce("eth1", co), 0);
}

TEST_F(DriverKnobs, AKernelThatCannotTellLeavesTheFieldToTheSet) {
  // give_full_ethtool has no supported mask: a kernel before 5.7 (or without ethtool netlink).
  KnobStatus status = knob("coalesce.tx_usecs").probe(env_);
  EXPECT_TRUE(status.supported);
  EXPECT_NE(status.extra["field_check"].get<std::string>().find("none: the kernel cannot tell"),
            std::string::npos);
  // The state file keeps the mask, so `--restore` in a second process sees the same driver.
  make_virtio_coalesce();
  FakeEthtool again = FakeEthtool::from_json(host_.ethtool.to_json());
  std::uint32_t mask = 0;
  ASSERT_EQ(again.get_coalesce_supported("eth1", mask), 0);
  EXPECT_EQ(mask, *host_.ethtool.device("eth1").coalesce_supported);
}

class FlowHash : public DriverKnobs {
 protected:
  FlowHash() {
    FakeEthtoolDevice& d = host_.ethtool.device("eth1");
    d.rx_flow_hash = {{TCP_V4_FLOW, RXH_IP_SRC | RXH_IP_DST | RXH_L4_B_0_1 | RXH_L4_B_2_3},
                      {UDP_V4_FLOW, RXH_IP_SRC | RXH_IP_DST},
                      {TCP_V6_FLOW, RXH_IP_SRC | RXH_IP_DST | RXH_L4_B_0_1 | RXH_L4_B_2_3},
                      {UDP_V6_FLOW, RXH_IP_SRC | RXH_IP_DST}};
  }
  std::uint64_t udp4() { return host_.ethtool.device("eth1").rx_flow_hash.at(UDP_V4_FLOW); }
};

TEST_F(FlowHash, ProbeApplyReadBackAndRestore) {
  KnobStatus status = knob("rx_flow_hash.udp4").probe(env_);
  ASSERT_TRUE(status.supported) << status.reason;
  EXPECT_EQ(status.current, "sd");
  EXPECT_EQ(status.range["values"], (Json{"sd", "sdfn"}));
  EXPECT_EQ(knob("rx_flow_hash.tcp6").read(env_), "sdfn");
  EXPECT_EQ(knob("rx_flow_hash.udp4").commands(env_, "sdfn")[0],
            "ethtool -N $IFACE rx-flow-hash udp4 sdfn");
  // Letters in any order mean the same fields; the state is ethtool's order.
  EXPECT_EQ(knob("rx_flow_hash.udp4").target(env_, "nfds"), "sdfn");

  auto s = session();
  s->apply({{"interface", "eth1"},
            {"values", {{"rx_flow_hash.udp4", "sdfn"}, {"rx_flow_hash.udp6", "sdfn"}}}});
  EXPECT_EQ(udp4(), RXH_IP_SRC | RXH_IP_DST | RXH_L4_B_0_1 | RXH_L4_B_2_3);
  EXPECT_EQ(knob("rx_flow_hash.udp6").read(env_), "sdfn");
  Json restored = s->restore(Json::object());
  EXPECT_TRUE(restored["mismatches"].empty()) << restored.dump();
  EXPECT_EQ(udp4(), RXH_IP_SRC | RXH_IP_DST);
  EXPECT_EQ(knob("rx_flow_hash.udp6").read(env_), "sd");
  // The state file keeps the hash fields, so `--restore` in a second process sees them.
  FakeEthtool again = FakeEthtool::from_json(host_.ethtool.to_json());
  std::uint64_t fields = 0;
  ASSERT_EQ(again.get_rx_flow_hash("eth1", TCP_V6_FLOW, fields), 0);
  EXPECT_EQ(fields, RXH_IP_SRC | RXH_IP_DST | RXH_L4_B_0_1 | RXH_L4_B_2_3);
  EXPECT_EQ(again.set_rx_flow_hash("eth1", TCP_V6_FLOW, RXH_L2DA), EINVAL);
}

// virtio_net only sends hash fields to the device with its RSS command (the table): the knob
// writes the table in use again after SRXFH there, and nowhere else.
TEST_F(FlowHash, VirtioGetsItsRssTableWrittenAgain) {
  FakeEthtoolDevice& d = host_.ethtool.device("eth1");
  d.rx_rings = 4;
  d.rss_indir = {0, 1, 2, 3, 0, 1, 2, 3};
  knob("rx_flow_hash.udp4").write(env_, "sdfn");
  EXPECT_EQ(host_.ethtool.calls("set_rss_indir"), 0) << "driver \"fake\": SRXFH alone";

  d.driver = "virtio_net";
  knob("rx_flow_hash.udp4").write(env_, "sd");
  EXPECT_EQ(udp4(), RXH_IP_SRC | RXH_IP_DST);
  EXPECT_EQ(host_.ethtool.calls("set_rss_indir"), 1);
  // The default table goes back as "default": the user-configured flag stays clear.
  EXPECT_FALSE(d.rss_user_configured);
  EXPECT_EQ(d.rss_indir, (std::vector<std::uint32_t>{0, 1, 2, 3, 0, 1, 2, 3}));
  EXPECT_EQ(knob("rx_flow_hash.udp4").commands(env_, "sd").size(), 2u);

  // A table of the user's is written back as it is.
  ASSERT_EQ(host_.ethtool.set_rss_indir("eth1", {1, 1, 1, 1, 1, 1, 1, 1}), 0);
  knob("rx_flow_hash.udp4").write(env_, "sdfn");
  EXPECT_EQ(host_.ethtool.calls("set_rss_indir"), 3);
  EXPECT_TRUE(d.rss_user_configured);
  EXPECT_EQ(d.rss_indir, (std::vector<std::uint32_t>(8, 1)));

  // Without an RSS table the hash fields cannot be sent: an error, not a silent no-op.
  d.rss_indir.clear();
  EXPECT_THROW(knob("rx_flow_hash.udp4").write(env_, "sd"), Error);
}

TEST_F(FlowHash, BadValuesAreInvalidBeforeAnyWrite) {
  for (const Json& bad : {Json("sdx"), Json("ss"), Json(""), Json("rs"), Json(5), Json("0xzz")}) {
    std::string message;
    EXPECT_EQ(error_of([&] { knob("rx_flow_hash.udp4").target(env_, bad); }, &message),
              ErrorCode::kInvalid)
        << bad.dump();
    EXPECT_NE(message.find("rx_flow_hash.udp4: expected RSS hash fields"), std::string::npos)
        << message;
  }
  EXPECT_EQ(host_.ethtool.set_calls(), 0);
  // Fields the driver cannot hash on: its EINVAL, reported as invalid with the command.
  std::string message;
  EXPECT_EQ(error_of([&] { knob("rx_flow_hash.udp4").write(env_, "mvsd"); }, &message),
            ErrorCode::kInvalid);
  EXPECT_NE(message.find("ETHTOOL_SRXFH udp4 mvsd: EINVAL"), std::string::npos) << message;
  EXPECT_EQ(udp4(), RXH_IP_SRC | RXH_IP_DST);
}

TEST_F(FlowHash, BitsWithoutALetterRoundTripAsHex) {
  constexpr std::uint64_t kUnnamed = 1u << 12;
  auto& d = host_.ethtool.device("eth1");
  d.rx_flow_hash_settable |= kUnnamed;
  d.rx_flow_hash[UDP_V4_FLOW] = RXH_IP_SRC | RXH_IP_DST | kUnnamed;
  Json state = knob("rx_flow_hash.udp4").read(env_);
  EXPECT_EQ(state, "0x1030");
  knob("rx_flow_hash.udp4").write(env_, "sd");
  knob("rx_flow_hash.udp4").write(env_, state);
  EXPECT_EQ(udp4(), RXH_IP_SRC | RXH_IP_DST | kUnnamed);
  // No field at all (e1000e's answer on 6.1): "none", and it writes back.
  d.rx_flow_hash[UDP_V4_FLOW] = 0;
  EXPECT_EQ(knob("rx_flow_hash.udp4").read(env_), "none");
  knob("rx_flow_hash.udp4").write(env_, "sd");
  knob("rx_flow_hash.udp4").write(env_, "none");
  EXPECT_EQ(udp4(), 0u);
}

TEST_F(FlowHash, UnsupportedReasons) {
  auto& d = host_.ethtool.device("eth1");
  d.rx_flow_hash.erase(UDP_V6_FLOW);
  KnobStatus udp6 = knob("rx_flow_hash.udp6").probe(env_);
  EXPECT_FALSE(udp6.supported);
  EXPECT_EQ(udp6.reason, "ETHTOOL_GRXFH udp6: EINVAL (the driver does not hash udp6 flows)");
  d.rx_flow_hash.clear();
  KnobStatus udp4 = knob("rx_flow_hash.udp4").probe(env_);
  EXPECT_FALSE(udp4.supported);
  EXPECT_EQ(udp4.reason,
            "ETHTOOL_GRXFH udp4: EOPNOTSUPP from the driver (no RSS hash field "
            "control)");
  EXPECT_EQ(error_of([&] { knob("rx_flow_hash.udp4").target(env_, "sdfn"); }),
            ErrorCode::kUnsupported);
}

TEST_F(DriverKnobs, ManagedIrqFoundByItsEioIsRefusedBeforeAnyWrite) {
  host_.fail_writes("proc/irq/61/smp_affinity_list", EIO);
  rebuild_env();
  std::string before60 = host_.read("proc/irq/60/smp_affinity_list");
  KnobStatus status = knob("irq_affinity").probe(env_);
  EXPECT_FALSE(status.supported);
  EXPECT_EQ(status.reason.rfind("IRQ 61 (eth1-TxRx-1): the kernel manages the affinity "
                                "(writing its own affinity \"1\" back to ",
                                0),
            0u)
      << status.reason;
  EXPECT_NE(status.reason.find("gives EIO)"), std::string::npos) << status.reason;
  ASSERT_EQ(status.extra["managed_irqs"].size(), 1u);
  EXPECT_EQ(status.extra["managed_irqs"][0]["irq"], 61);

  std::string message;
  EXPECT_EQ(error_of([&] { knob("irq_affinity").target(env_, "single:1"); }, &message),
            ErrorCode::kUnsupported);
  EXPECT_EQ(message.rfind("irq_affinity: IRQ 61", 0), 0u) << message;

  // Through the session: refused with the reason, IRQ 60 (writable) untouched, no snapshot.
  auto s = session();
  EXPECT_EQ(error_of([&] {
              s->apply({{"interface", "eth1"}, {"values", {{"irq_affinity", "single:1"}}}});
            }),
            ErrorCode::kUnsupported);
  EXPECT_EQ(host_.read("proc/irq/60/smp_affinity_list"), before60);

  // The write itself, should it ever be reached: EIO named as a managed interrupt.
  EXPECT_EQ(error_of(
                [&] {
                  knob("irq_affinity").write(env_, {{"61", "0"}});
                },
                &message),
            ErrorCode::kUnsupported);
  EXPECT_NE(message.find("EIO (a managed interrupt"), std::string::npos) << message;
}

TEST_F(DriverKnobs, DebugfsNamesManagedIrqsWithoutWriting) {
  const std::string dstate =
      "handler:  handle_edge_irq\ndevice:   0000:3b:00.0\nstatus:   0x00000000\n"
      "dstate:   0x31600200\n            IRQD_ACTIVATED\n            IRQD_IRQ_STARTED\n";
  host_.write(
      "sys/kernel/debug/irq/irqs/60",
      dstate + "            IRQD_AFFINITY_MANAGED\n            IRQD_AFFINITY_ON_ACTIVATE\n");
  host_.write("sys/kernel/debug/irq/irqs/61", dstate);
  // Debugfs answers for IRQ 61, so its write-back (which would say EIO) is never tried.
  host_.fail_writes("proc/irq/61/smp_affinity_list", EIO);
  rebuild_env();
  NicDevice nic = probe_nic_device(*files_, "eth1");
  auto managed = find_managed_irqs(*files_, nic.queue_irqs());
  ASSERT_EQ(managed.size(), 1u);
  EXPECT_EQ(managed[0].irq, 60u);
  EXPECT_EQ(managed[0].evidence,
            "IRQD_AFFINITY_MANAGED in " + host_.sysfs() + "/kernel/debug/irq/irqs/60");
  EXPECT_FALSE(knob("irq_affinity").probe(env_).supported);
}

TEST_F(DriverKnobs, UnmanagedIrqsStayPlaceable) {
  KnobStatus status = knob("irq_affinity").probe(env_);
  EXPECT_TRUE(status.supported) << status.reason;
  EXPECT_TRUE(status.extra["managed_irqs"].empty());
  auto s = session();
  s->apply({{"interface", "eth1"}, {"values", {{"irq_affinity", "single:1"}}}});
  EXPECT_EQ(host_.read("proc/irq/60/smp_affinity_list"), "1");
  s->restore(Json::object());
  EXPECT_EQ(host_.read("proc/irq/60/smp_affinity_list"), "0");
}

}  // namespace
}  // namespace nictune::agent

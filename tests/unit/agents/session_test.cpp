// Snapshot, apply (all-or-nothing), restore, the management guard and hostile requests, on a
// fake root.
#include "agents/safety/knob_session.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "agents/safety/interface_name.hpp"
#include "core/errors.hpp"
#include "fake_host.hpp"

namespace nictune::agent {
namespace {

using testing::FakeHost;

class Session : public ::testing::Test {
 protected:
  Session() : host_(8) {
    host_.add_nic(testing::ixgbe_like(4, 60));
    testing::give_full_ethtool(host_, "eth1", 4);
    testing::FakeNic mgmt;
    mgmt.name = "eth0";
    mgmt.device = false;
    host_.add_nic(mgmt);
    host_.write(
        "proc/net/route",
        "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
        "eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n"
        "eth1\t000212C6\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n");
    session_ = make_session();
  }
  std::unique_ptr<KnobSession> make_session(const std::string& ssh = "") {
    KnobSessionOptions options;
    options.ssh_connection = ssh;
    options.address_lookup = [](const std::string& address) {
      return address == "192.0.2.7" ? std::string("eth1") : std::string();
    };
    options.log = &log_;
    return std::make_unique<KnobSession>(host_.files(), host_.ethtool,
                                         SnapshotStore(host_.state_dir()), options);
  }
  // Every value a test may change, to compare before/after.
  std::string host_state() {
    std::string out;
    // Masks as CPU lists: the kernel prints "00" for the "0" we write on 8 CPUs.
    auto mask = [&](const std::string& file) {
      return CpuSet::parse_mask(host_.read(file)).to_list();
    };
    for (unsigned q = 0; q < 4; ++q) {
      out += mask("sys/class/net/eth1/queues/rx-" + std::to_string(q) + "/rps_cpus") + " ";
      out +=
          host_.read("sys/class/net/eth1/queues/rx-" + std::to_string(q) + "/rps_flow_cnt") + " ";
      out += mask("sys/class/net/eth1/queues/tx-" + std::to_string(q) + "/xps_cpus") + " ";
      out += host_.read("proc/irq/" + std::to_string(60 + q) + "/smp_affinity_list") + " ";
    }
    out += host_.read("proc/sys/net/core/busy_poll") + " " +
           host_.read("proc/sys/net/core/rps_sock_flow_entries") + " ";
    out += host_.ethtool.to_json().dump();
    return out;
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
  std::string snapshot_path() const { return host_.state_dir() + "/eth1.snapshot.json"; }

  FakeHost host_;
  std::ostringstream log_;
  std::unique_ptr<KnobSession> session_;
};

TEST_F(Session, ProbeDescribesHostNicAndEveryKnob) {
  Json probe = session_->probe({{"interface", "eth1"}});
  EXPECT_EQ(probe["host"]["cpus_online"], 8);
  EXPECT_EQ(probe["host"]["cpu_model"], "Fake CPU @ 2.00GHz");
  EXPECT_EQ(probe["nic"]["driver"], "ixgbe");
  EXPECT_EQ(probe["nic"]["bus_info"], "0000:3b:00.0");
  EXPECT_EQ(probe["nic"]["pci_id"], "8086:1572");           // the model half of the NIC's identity
  EXPECT_EQ(probe["nic"]["address"], "0c:42:a1:3b:00:01");  // exports match the interface by it
  EXPECT_EQ(probe["nic"]["speed_mbps"], 10000);
  EXPECT_EQ(probe["nic"]["numa_node"], 0);
  EXPECT_EQ(probe["topology"]["rx_queues"], 4);
  EXPECT_EQ(probe["management"]["interfaces"], Json::array({"eth0"}));
  EXPECT_FALSE(probe["guarded"].get<bool>());
  for (const auto& info : knob_catalog()) {
    ASSERT_TRUE(probe["knobs"].contains(info.name)) << info.name;
    EXPECT_TRUE(probe["knobs"][info.name].contains("supported"));
  }
  EXPECT_TRUE(probe["knobs"]["rps"]["supported"].get<bool>());
  EXPECT_EQ(probe["knobs"]["channels.combined"]["current"], 4);
  EXPECT_EQ(probe["knobs"]["channels.combined"]["range"]["max"], 16);
  EXPECT_FALSE(probe["knobs"]["channels.rx"]["supported"].get<bool>());
}

TEST_F(Session, ApplySnapshotsFirstThenWritesAndReportsCommands) {
  std::string before = host_state();
  Json result = session_->apply({{"interface", "eth1"},
                                 {"values",
                                  {{"rps", "all"},
                                   {"rfs.flow_cnt", 4096},
                                   {"xps", "spread"},
                                   {"sysctl.net.core.busy_poll", 50},
                                   {"coalesce.rx_usecs", 30},
                                   {"irq_affinity", "spread"}}}});
  EXPECT_EQ(result["applied"]["rps"]["rx-0"], "0-7");
  EXPECT_EQ(result["applied"]["sysctl.net.core.busy_poll"], 50);
  Json commands = result["commands"];
  EXPECT_NE(std::find(commands.begin(), commands.end(),
                      "echo ff > /sys/class/net/$IFACE/queues/rx-0/rps_cpus"),
            commands.end());
  EXPECT_NE(std::find(commands.begin(), commands.end(), "sysctl -w net.core.busy_poll=50"),
            commands.end());
  EXPECT_NE(std::find(commands.begin(), commands.end(), "ethtool -C $IFACE rx-usecs 30"),
            commands.end());
  EXPECT_EQ(host_.read("proc/sys/net/core/busy_poll"), "50");
  EXPECT_NE(host_state(), before);

  Json snapshot = load_json_file(snapshot_path());
  EXPECT_EQ(snapshot["format"], kSnapshotFormat);
  EXPECT_EQ(snapshot["knobs"]["sysctl.net.core.busy_poll"], 0);
  EXPECT_EQ(snapshot["knobs"]["rps"]["rx-0"], "");
  EXPECT_EQ(snapshot["knobs"]["coalesce.rx_usecs"], 3);

  Json restored = session_->restore(Json::object());
  EXPECT_TRUE(restored["mismatches"].empty()) << restored.dump();
  EXPECT_EQ(restored["restored"].size(), 6u);
  EXPECT_EQ(host_state(), before);
  EXPECT_FALSE(host_.exists("state/eth1.snapshot.json"));
}

TEST_F(Session, FirstSnapshotWins) {
  session_->snapshot({{"interface", "eth1"}, {"knobs", {"sysctl.net.core.busy_poll"}}});
  host_.write("proc/sys/net/core/busy_poll", "99\n");
  Json again =
      session_->snapshot({{"interface", "eth1"}, {"knobs", {"sysctl.net.core.busy_poll", "rps"}}});
  EXPECT_EQ(again["values"]["sysctl.net.core.busy_poll"], 0);
  EXPECT_EQ(again["path"], snapshot_path());
  session_->apply({{"interface", "eth1"}, {"values", {{"sysctl.net.core.busy_poll", 10}}}});
  session_->restore(Json::object());
  EXPECT_EQ(host_.read("proc/sys/net/core/busy_poll"), "0");
}

TEST_F(Session, ChannelsSnapshotTheQueueKnobsTheyRenumber) {
  session_->apply({{"interface", "eth1"}, {"values", {{"channels.combined", 2}}}});
  Json snapshot = load_json_file(snapshot_path());
  for (const char* name :
       {"channels.combined", "rps", "xps", "rfs.flow_cnt", "irq_affinity", "rss.queues"}) {
    EXPECT_TRUE(snapshot["knobs"].contains(name)) << name;
  }
  EXPECT_EQ(snapshot["knobs"]["channels.combined"], 4);
}

TEST_F(Session, FailureMidwayRollsBackEverythingWrittenInThatCall) {
  host_.ethtool.device("eth1").fail["set_pause"] = EIO;
  std::string before = host_state();
  std::string message;
  EXPECT_EQ(error_of(
                [&] {
                  session_->apply({{"interface", "eth1"},
                                   {"values",
                                    {{"rps", "all"},
                                     {"xps", "spread"},
                                     {"coalesce.rx_usecs", 30},
                                     {"sysctl.net.core.busy_poll", 50},
                                     {"pause.rx", false}}}});
                },
                &message),
            ErrorCode::kIo);
  EXPECT_NE(message.find("pause.rx"), std::string::npos) << message;
  EXPECT_NE(message.find("EIO"), std::string::npos) << message;
  EXPECT_NE(message.find("rolled back"), std::string::npos) << message;
  EXPECT_EQ(host_state(), before);
}

TEST_F(Session, AWriteTheKernelIgnoresRollsBackToo) {
  // IRQ 63's affinity file swallows writes (like a kernel that keeps its own placement): the
  // read-back differs, the apply fails, and the rings written before it go back.
  std::filesystem::remove(host_.root() + "/proc/irq/63/smp_affinity_list");
  std::filesystem::create_symlink("/dev/null", host_.root() + "/proc/irq/63/smp_affinity_list");
  std::string before = host_state();
  std::string message;
  EXPECT_EQ(error_of(
                [&] {
                  session_->apply({{"interface", "eth1"},
                                   {"values", {{"rings.rx", 1024}, {"irq_affinity", "single:5"}}}});
                },
                &message),
            ErrorCode::kIo);
  EXPECT_NE(message.find("irq_affinity: wrote"), std::string::npos) << message;
  EXPECT_NE(message.find("rolled back"), std::string::npos) << message;
  EXPECT_EQ(host_state(), before);
  EXPECT_EQ(host_.ethtool.device("eth1").rings->rx_pending, 512u);
}

TEST_F(Session, InvalidValuesChangeNothing) {
  std::string before = host_state();
  int writes = host_.ethtool.set_calls();
  std::vector<Json> bad = {
      {{"interface", "eth1"}, {"values", {{"rps", "all"}, {"rfs.flow_cnt", "lots"}}}},
      {{"interface", "eth1"}, {"values", {{"rps", "all"}, {"xps", "list:0-99"}}}},
      {{"interface", "eth1"}, {"values", {{"rps", "all"}, {"coalesce.rx_usecs", 1e300}}}},
      {{"interface", "eth1"},
       {"values", {{"rps", "all"}, {"rfs.flow_cnt", 18446744073709551615ULL}}}},
      {{"interface", "eth1"}, {"values", {{"rps", "all"}, {"bogus.knob", 1}}}},
      {{"interface", "eth1"},
       {"values", {{"rps", "all"}, {"channels.rx", 2}}}},  // unsupported here
      {{"interface", "eth1"}, {"values", {{"rps", "all"}, {"lg:rps", "all"}}}},
      {{"interface", "eth1"}, {"values", "rps=all"}},
      {{"interface", "eth1"}},
      {{"interface", "../eth1"}, {"values", {{"rps", "all"}}}},
      {{"interface", "eth1/../../x"}, {"values", {{"rps", "all"}}}},
      {{"interface", std::string(300, 'a')}, {"values", {{"rps", "all"}}}},
      {{"interface", "nosuch0"}, {"values", {{"rps", "all"}}}},
      {{"interface", 7}, {"values", {{"rps", "all"}}}},
      {{"interface", "eth1"}, {"values", {{"rps", "all"}}}, {"allow_management", "yes"}},
  };
  for (const auto& params : bad) {
    std::string message;
    ErrorCode code = error_of([&] { session_->apply(params); }, &message);
    EXPECT_TRUE(code == ErrorCode::kInvalid || code == ErrorCode::kUnsupported)
        << params.dump() << ": " << message;
  }
  EXPECT_EQ(host_state(), before);
  EXPECT_EQ(host_.ethtool.set_calls(), writes);
  EXPECT_FALSE(host_.exists("state/eth1.snapshot.json"));
}

TEST_F(Session, ManagementInterfaceIsGuarded) {
  std::string message;
  EXPECT_EQ(error_of(
                [&] {
                  session_->apply({{"interface", "eth0"}, {"values", {{"rps", "all"}}}});
                },
                &message),
            ErrorCode::kGuarded);
  EXPECT_NE(message.find("default route"), std::string::npos) << message;
  Json ok = session_->apply(
      {{"interface", "eth0"}, {"values", {{"rps", "all"}}}, {"allow_management", true}});
  EXPECT_EQ(ok["applied"]["rps"]["rx-0"], "0-7");
  session_->restore(Json::object());

  // Over SSH the guard follows the session's local address, here on eth1.
  auto over_ssh = make_session("198.51.100.9 50000 192.0.2.7 22");
  EXPECT_EQ(error_of(
                [&] {
                  over_ssh->apply({{"interface", "eth1"}, {"values", {{"rps", "all"}}}});
                },
                &message),
            ErrorCode::kGuarded);
  EXPECT_NE(message.find("SSH_CONNECTION 192.0.2.7"), std::string::npos) << message;
  // Global sysctls do not touch the interface.
  EXPECT_NO_THROW(
      over_ssh->apply({{"interface", "eth1"}, {"values", {{"sysctl.net.core.busy_poll", 5}}}}));
  over_ssh->restore(Json::object());
}

TEST_F(Session, AnotherAgentHoldsTheInterface) {
  session_->apply({{"interface", "eth1"}, {"values", {{"rps", "all"}}}});
  auto second = make_session();
  EXPECT_EQ(error_of([&] {
              second->apply({{"interface", "eth1"}, {"values", {{"xps", "all"}}}});
            }),
            ErrorCode::kBusy);
  session_->restore(Json::object());
  EXPECT_NO_THROW(second->apply({{"interface", "eth1"}, {"values", {{"xps", "all"}}}}));
  second->restore(Json::object());
}

TEST_F(Session, ANewSessionAdoptsALeftoverSnapshot) {
  std::string before = host_state();
  session_->apply(
      {{"interface", "eth1"}, {"values", {{"rps", "all"}, {"sysctl.net.core.busy_poll", 9}}}});
  session_.reset();  // as if the agent died: nothing restored, the snapshot stays
  ASSERT_TRUE(host_.exists("state/eth1.snapshot.json"));
  auto next = make_session();
  next->apply({{"interface", "eth1"},
               {"values", {{"rps", "single:1"}, {"sysctl.net.core.busy_poll", 20}}}});
  Json restored = next->restore(Json::object());
  EXPECT_TRUE(restored["mismatches"].empty()) << restored.dump();
  EXPECT_EQ(host_state(), before);
  EXPECT_NE(log_.str().find("adopting snapshot"), std::string::npos);
}

TEST_F(Session, RestoreFromStoreAfterACrash) {
  std::string before = host_state();
  session_->apply(
      {{"interface", "eth1"},
       {"values",
        {{"rps", "all"}, {"channels.combined", 2}, {"rss.queues", 2}, {"pause.tx", false}}}});
  session_.reset();
  std::ostringstream log;
  KernelFiles files = host_.files();
  RestoreOutcome outcome =
      restore_from_store(SnapshotStore(host_.state_dir()), files, host_.ethtool, std::nullopt, log);
  EXPECT_TRUE(outcome.clean()) << outcome.to_json().dump();
  EXPECT_EQ(host_state(), before);
  EXPECT_FALSE(host_.exists("state/eth1.snapshot.json"));
}

TEST_F(Session, RestoreSaysExactlyWhichValueIsOff) {
  session_->apply({{"interface", "eth1"}, {"values", {{"rps", "all"}, {"coalesce.rx_usecs", 40}}}});
  host_.ethtool.device("eth1").fail["set_coalesce"] = EBUSY;
  Json result = session_->restore(Json::object());
  ASSERT_EQ(result["mismatches"].size(), 1u) << result.dump();
  EXPECT_EQ(result["mismatches"][0]["knob"], "coalesce.rx_usecs");
  EXPECT_EQ(result["mismatches"][0]["expected"], 3);
  EXPECT_EQ(result["mismatches"][0]["found"], 40);
  EXPECT_NE(result["mismatches"][0]["error"].get<std::string>().find("EBUSY"), std::string::npos);
  EXPECT_EQ(result["restored"], Json::array({"rps"}));
  // The snapshot stays for a later restore, which then succeeds.
  EXPECT_TRUE(host_.exists("state/eth1.snapshot.json"));
  host_.ethtool.device("eth1").fail.clear();
  EXPECT_TRUE(session_->restore(Json::object())["mismatches"].empty());
}

TEST_F(Session, CommandsWithoutApplying) {
  std::string before = host_state();
  Json result = session_->commands(
      {{"interface", "eth1"},
       {"values", {{"channels.combined", 2}, {"rps", "spread"}, {"app.cpus", "single:1"}}}});
  EXPECT_EQ(result["commands"],
            Json::array({"ethtool -L $IFACE combined 2",
                         "echo 1 > /sys/class/net/$IFACE/queues/rx-0/rps_cpus",
                         "echo 2 > /sys/class/net/$IFACE/queues/rx-1/rps_cpus"}));
  EXPECT_TRUE(result["ignored"].contains("app.cpus"));
  EXPECT_EQ(host_state(), before);
}

TEST_F(Session, ReadAndResolve) {
  Json read = session_->read(
      {{"interface", "eth1"}, {"knobs", {"rps", "channels.combined", "channels.rx"}}});
  EXPECT_EQ(read["values"]["channels.combined"], 4);
  EXPECT_TRUE(read["unsupported"].contains("channels.rx"));
  EXPECT_THROW(session_->read({{"interface", "eth1"}, {"knobs", {"rps", 3}}}), Error);
  EXPECT_THROW(session_->read({{"interface", "eth1"}, {"knobs", "rps"}}), Error);

  EXPECT_EQ(session_->resolve({{"interface", "eth1"}, {"policy", "single:1"}}),
            (Json{{"cpus", "1"}, {"policy", "single:1"}}));
  Json spread = session_->resolve({{"interface", "eth1"}, {"policy", "spread"}});
  EXPECT_EQ(spread["per_queue"], Json::array({"0", "1", "2", "3"}));
  EXPECT_EQ(spread["cpus"], "0-3");
  EXPECT_EQ(session_->resolve({{"interface", "eth1"}, {"policy", "same-as-irq"}})["per_queue"],
            Json::array({"0", "1", "0", "1"}));
  EXPECT_EQ(session_->resolve({{"policy", "spread"}, {"queues", 2}})["per_queue"],
            Json::array({"0", "1"}));
  EXPECT_EQ(session_->resolve({{"policy", "list:2-3"}})["cpus"], "2-3");
  EXPECT_THROW(session_->resolve({{"policy", "single:99"}}), Error);
  EXPECT_THROW(session_->resolve({{"policy", 5}}), Error);
}

TEST(InterfaceName, LikeTheKernel) {
  EXPECT_NO_THROW(check_interface_name("eth0"));
  EXPECT_NO_THROW(check_interface_name("enp59s0f0np0"));
  EXPECT_NO_THROW(check_interface_name("veth-a.100"));
  for (const std::string& bad : std::vector<std::string>{
           "", ".", "..", "../eth0", "a/b", "eth0:1", "eth 0", "sixteen-chars-xx",
           std::string("e\0x", 3), std::string("tab\there")}) {
    EXPECT_THROW(check_interface_name(bad), Error) << bad;
  }
}

TEST(SnapshotStoreFiles, AtomicAndRejectsForeignFiles) {
  FakeHost host(1);
  SnapshotStore store(host.state_dir() + "/deeper/dir");
  Json doc = {{"format", kSnapshotFormat}, {"knobs", {{"rps", {{"rx-0", ""}}}}}};
  store.save("eth9", doc);
  EXPECT_EQ(*store.load("eth9"), doc);
  EXPECT_EQ(store.interfaces(), std::vector<std::string>{"eth9"});
  // No temporary files left behind.
  EXPECT_EQ(list_directory(host.state_dir() + "/deeper/dir"),
            std::vector<std::string>{"eth9.snapshot.json"});
  host.write("state/deeper/dir/eth8.snapshot.json", "{\"not\": \"ours\"}");
  EXPECT_THROW(store.load("eth8"), Error);
  host.write("state/deeper/dir/eth7.snapshot.json", "{truncated");
  EXPECT_THROW(store.load("eth7"), Error);
  EXPECT_FALSE(store.load("eth6"));
}

}  // namespace
}  // namespace nictune::agent

// The check script reads back the RSS indirection table (`ethtool -x`) and a flow hash
// (`ethtool -n IF rx-flow-hash FLOW`) from ethtool's text output. tests/data/reports/
// ethtool-{x,n}.virtio-6.12.* are captured from the VM lab's virtio guest (Debian's ethtool 6.1,
// kernel 6.12, printed by vm_export_test); the others are written to the same printf formats
// (rows "%5u: " + " %5u", a hash key that begins like a row, discard, "None"). A fake
// `ethtool` on PATH prints them; the script runs under the host's sh and under busybox sh with
// busybox's own awk/sed/head/tr (the guest's tools), and must say 0, 1 naming the difference, or
// 2 naming what ethtool refused.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "reports/export.hpp"
#include "tests/support/command_line.hpp"

namespace nictune::report {
namespace {

namespace fs = std::filesystem;

struct Target {
  fs::path root;
  Target() {
    std::string pattern =
        (fs::temp_directory_path() / ("nictune-rsscheck-" + std::to_string(getpid()) + "-XXXXXX"))
            .string();
    root = mkdtemp(pattern.data());
    fs::create_directories(root / "sys/class/net/eth1");
    fs::create_directories(root / "proc");
    fs::create_directories(root / "bin");
    fs::create_directories(root / "answers");
    // ethtool ARGS prints answers/<ARGS joined by _>, else fails like ethtool on a driver
    // without the operation.
    std::ofstream(root / "bin/ethtool")
        << "#!/bin/sh\n"
           "f=\""
        << (root / "answers").string()
        << "/$(echo \"$*\" | tr ' ' _)\"\n"
           "if [ -f \"$f\" ]; then cat \"$f\"; exit 0; fi\n"
           "echo 'Cannot get RX ring count: Operation not supported' >&2\n"
           "exit 95\n";
    fs::permissions(root / "bin/ethtool", fs::perms::owner_all);
  }
  ~Target() {
    std::error_code ec;
    fs::remove_all(root, ec);
  }
  Target(const Target&) = delete;
  Target& operator=(const Target&) = delete;

  void answer(const std::string& args, const std::string& data_file) {
    fs::copy_file(fs::path(NICTUNE_SOURCE_DIR) / "tests/data/reports" / data_file,
                  root / "answers" / args, fs::copy_options::overwrite_existing);
  }
  void forget(const std::string& args) { fs::remove(root / "answers" / args); }

  // The check script for `commands` on eth1, under `shell` ("sh" or "busybox").
  testing::CommandResult check(const std::vector<std::string>& commands, const std::string& shell) {
    ExportInput in;
    in.experiment.id = 1;
    in.experiment.name = "rss";
    in.point_id = 4;
    in.interface = "eth1";
    in.nic.name = "eth1";
    in.commands = commands;
    const fs::path script = root / "check.sh";
    std::ofstream(script) << export_point("check", in).at(0).content;
    std::string path = (root / "bin").string();
    std::string sh = "sh";
    if (shell == "busybox") {
      // busybox's applets ahead of the host's tools, as in a busybox guest.
      fs::create_directories(root / "busybox");
      for (const char* applet : {"awk", "sed", "head", "tr", "cat", "sh"}) {
        std::error_code ec;
        fs::create_symlink(busybox(), root / "busybox" / applet, ec);
      }
      path += ":" + (root / "busybox").string();
      sh = (root / "busybox/sh").string();
    }
    return testing::run_command(
        "env PATH=" + path + ":/usr/bin:/bin NICTUNE_SYSFS=" + (root / "sys").string() +
        " NICTUNE_PROCFS=" + (root / "proc").string() + " " + sh + " " + script.string() + " eth1");
  }

  static std::string busybox() {
    for (const char* p : {"/usr/bin/busybox", "/bin/busybox"})
      if (fs::exists(p)) return p;
    return "";
  }
};

class CheckRss : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "busybox" && Target::busybox().empty())
      GTEST_SKIP() << "no busybox here (Debian package busybox-static): the guest's shell untested";
  }
};

TEST_P(CheckRss, EqualSpreadMatchesAndAnotherSpreadDiffers) {
  Target t;
  t.answer("-x_eth1", "ethtool-x.equal4.txt");
  auto r = t.check({"ethtool -X $IFACE equal 4"}, GetParam());
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("matches point 4 (1 settings checked)"), std::string::npos) << r.output;

  r = t.check({"ethtool -X $IFACE equal 2"}, GetParam());
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_NE(r.output.find("differs: ethtool -X equal 2: expected queue:entries 0:64 1:64, found "
                          "queue:entries 0:32 1:32 2:32 3:32"),
            std::string::npos)
      << r.output;
}

TEST_P(CheckRss, WeightsAsEthtoolLaysThemOut) {
  Target t;
  t.answer("-x_eth1", "ethtool-x.weight13.txt");
  auto r = t.check({"ethtool -X $IFACE weight 1 3"}, GetParam());
  EXPECT_EQ(r.code, 0) << r.output;
  // Scaled weights give the same table (32 of 128 entries on queue 0, then 96 on queue 1).
  r = t.check({"ethtool -X $IFACE weight 2 6"}, GetParam());
  EXPECT_EQ(r.code, 0) << r.output;
  r = t.check({"ethtool -X $IFACE weight 3 1"}, GetParam());
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_NE(r.output.find("expected queue:entries 0:96 1:32, found queue:entries 0:32 1:96"),
            std::string::npos)
      << r.output;
  // The same entries per queue in another order is another table.
  t.answer("-x_eth1", "ethtool-x.equal4.txt");
  r = t.check({"ethtool -X $IFACE weight 1 1 1 1"}, GetParam());
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_NE(r.output.find("found queue:entries 0:32 1:32 2:32 3:32 in another order"),
            std::string::npos)
      << r.output;
}

TEST_P(CheckRss, NoTableIsCannotTell) {
  Target t;
  t.answer("-x_eth1", "ethtool-x.unsupported.txt");
  auto r = t.check({"ethtool -X $IFACE equal 2"}, GetParam());
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("cannot check: ethtool -X equal 2: ethtool -x eth1 shows no indirection "
                          "table"),
            std::string::npos)
      << r.output;
  t.forget("-x_eth1");
  r = t.check({"ethtool -X $IFACE equal 2"}, GetParam());
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("cannot check: ethtool -X equal 2: ethtool -x eth1: Cannot get RX ring "
                          "count: Operation not supported"),
            std::string::npos)
      << r.output;
}

TEST_P(CheckRss, FlowHashFieldsReadBack) {
  Target t;
  t.answer("-n_eth1_rx-flow-hash_udp4", "ethtool-n.udp4.sdfn.txt");
  t.answer("-n_eth1_rx-flow-hash_tcp4", "ethtool-n.tcp4.none.txt");
  auto r = t.check(
      {"ethtool -N $IFACE rx-flow-hash udp4 sdfn", "ethtool -N $IFACE rx-flow-hash tcp4 none"},
      GetParam());
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("(2 settings checked)"), std::string::npos) << r.output;
  // Letters in another order than ethtool prints them are the same fields.
  r = t.check({"ethtool -N $IFACE rx-flow-hash udp4 nfds"}, GetParam());
  EXPECT_EQ(r.code, 0) << r.output;

  t.answer("-n_eth1_rx-flow-hash_udp4", "ethtool-n.udp4.sd.txt");
  r = t.check({"ethtool -N $IFACE rx-flow-hash udp4 sdfn"}, GetParam());
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_NE(r.output.find("differs: ethtool -N rx-flow-hash udp4 sdfn: expected sdfn, found sd"),
            std::string::npos)
      << r.output;
  t.answer("-n_eth1_rx-flow-hash_udp4", "ethtool-n.udp4.discard.txt");
  r = t.check({"ethtool -N $IFACE rx-flow-hash udp4 r"}, GetParam());
  EXPECT_EQ(r.code, 0) << r.output;
  r = t.check({"ethtool -N $IFACE rx-flow-hash udp4 sd"}, GetParam());
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_NE(r.output.find("expected sd, found r"), std::string::npos) << r.output;

  r = t.check({"ethtool -N $IFACE rx-flow-hash sctp4 sd"}, GetParam());
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("cannot check: ethtool -N rx-flow-hash sctp4 sd: ethtool -n eth1 "
                          "rx-flow-hash sctp4: Cannot get"),
            std::string::npos)
      << r.output;
}

TEST_P(CheckRss, CapturedFromTheVirtioGuest) {
  Target t;
  t.answer("-x_eth1", "ethtool-x.virtio-6.12.txt");
  t.answer("-n_eth1_rx-flow-hash_udp4", "ethtool-n.virtio-6.12.udp4.txt");
  auto r = t.check({"ethtool -X $IFACE equal 2", "ethtool -N $IFACE rx-flow-hash udp4 sdfn"},
                   GetParam());
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("(2 settings checked)"), std::string::npos) << r.output;
  r = t.check({"ethtool -X $IFACE equal 1", "ethtool -N $IFACE rx-flow-hash udp4 sd"}, GetParam());
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_NE(r.output.find("differs: ethtool -X equal 1: expected queue:entries 0:128, found "
                          "queue:entries 0:64 1:64"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("expected sd, found sdfn"), std::string::npos) << r.output;
}

INSTANTIATE_TEST_SUITE_P(Shells, CheckRss, ::testing::Values("sh", "busybox"));

}  // namespace
}  // namespace nictune::report

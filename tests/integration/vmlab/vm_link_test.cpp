// The exported .link file and udev rule applied by a real udev: Debian 12's systemd-udevd (252,
// in the guest because the program boots it with `lab up --vm --udev`) reads them from where the
// export says to install them, and `udevadm trigger --action=add` on each NIC makes it run
// 80-net-setup-link's net_setup_link for real, as at boot. Three points, as the runner would
// store them (the agent's own commands for the values): virtio channels/offloads plus a sysctl
// (which goes to the companion script, run as the unit's ExecStart would), matched by name;
// e1000e rings, coalescing, an offload and pause, matched by PCI path; a vmxnet3 offload matched
// by MAC. The guest's own ethtool reads every setting back, the exported check script says 0,
// udev's log names none of the files (a control .link with an unknown key shows that the log
// would), and the rule's properties are on the devices. Then the guest is put back by the
// agent's snapshot and compared with what it was (also when an assertion fails).
#include <cstdint>
#include <functional>
#include <iostream>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "reports/export.hpp"
#include "vm_lab_fixture.hpp"

namespace nictune::lab::vmtest {
namespace {

using namespace std::chrono_literals;

constexpr const char* kLog = "/tmp/nictune-udevd.log";
// A .link that matches no device and carries a key udev does not know: its warning in the log
// shows that the log catches what udev rejects.
constexpr const char* kControlLink = "/etc/systemd/network/11-nictune-control.link";

struct LinkPoint {
  std::string kind;
  std::string iface;
  std::int64_t point = 0;
  report::MatchBy match = report::MatchBy::kName;
  Json values;
  std::vector<report::ExportFile> files;  // .link, .rules, unit, companion script
  std::string check;
  std::string check_arg;  // "" = the script's default (the measured PCI address)
};

class VmLink : public VmLab {
 protected:
  // FIELD's value in the "Current hardware settings" block of `ethtool ARGS` ("?" when absent).
  std::string current(const std::string& args, const std::string& field) {
    std::string out = guest("ethtool " + args);
    auto at = out.find("Current hardware settings");
    std::string tail = at == std::string::npos ? "" : out.substr(at);
    std::smatch m;
    if (!std::regex_search(tail, m, std::regex("\\n" + field + ":\\s+(\\S+)"))) return "?";
    return m[1];
  }
  std::set<std::string> altnames(const std::string& iface) {
    std::istringstream in(guest("/usr/sbin/ip -o link show dev " + iface));
    std::set<std::string> out;
    for (std::string word, prev; in >> word; prev = word)
      if (prev == "altname") out.insert(word);
    return out;
  }
  // Every setting the points touch, as the guest's ethtool prints them, and the sysctl.
  std::string settings(const std::string& iface) {
    return guest("for a in -l -g -k -c -a -x; do ethtool $a " + iface +
                 " 2>&1; done; cat /proc/sys/net/core/netdev_budget");
  }
  void wait_link_up(const std::string& iface) {
    for (int i = 0; i < 30 && guest("cat /sys/class/net/" + iface + "/operstate") != "up\n"; ++i)
      std::this_thread::sleep_for(1s);
    // A ring change resets e1000e's link; the flow control it reports is resolved again
    // after link-up (docs/lab.md, findings).
    if (iface == "dut-e1000e") std::this_thread::sleep_for(3s);
  }
};

TEST_F(VmLink, ExportedLinkFileAppliedByTheGuestsUdevReadsBack) {
  ASSERT_TRUE(lab().udev) << "the program boots the guest with udev (vm_lab_fixture.cpp)";
  int status = -1;
  guest("test -x /bin/udevadm && test -L /lib/systemd/systemd-udevd", &status);
  ASSERT_EQ(status, 0) << "no udev in the guest";
  guest("pidof systemd-udevd", &status);
  ASSERT_NE(status, 0) << "udevd runs in the guest as found; the lab does not start it";
  const std::string version = guest("udevadm --version");
  std::cerr << "[vmlab] guest udevadm --version: " << version;
  EXPECT_EQ(version.substr(0, 3), "252") << "Debian 12's udev";

  const int combined = current_combined("dut-virtio");
  ASSERT_GE(combined, 1);
  const int budget = std::stoi(guest("cat /proc/sys/net/core/netdev_budget"));
  std::vector<LinkPoint> points(3);
  points[0].kind = "virtio";
  points[0].iface = "dut-virtio";
  points[0].point = 3;
  points[0].match = report::MatchBy::kName;
  points[0].values = {{"channels.combined", combined == 3 ? 2 : 3},
                      {"offload.gro", false},
                      {"offload.gso", false},
                      {"sysctl.net.core.netdev_budget", budget == 600 ? 500 : 600}};
  points[0].check_arg = "dut-virtio";
  points[1].kind = "e1000e";
  points[1].iface = "dut-e1000e";
  points[1].point = 4;
  points[1].match = report::MatchBy::kPci;
  // rx-usecs 1000: e1000e keeps 1e6/usecs, which reads back exactly for this value.
  points[1].values = {{"rings.rx", 512},      {"rings.tx", 512},        {"coalesce.rx_usecs", 1000},
                      {"offload.gro", false}, {"pause.autoneg", false}, {"pause.rx", false},
                      {"pause.tx", false}};
  points[2].kind = "vmxnet3";
  points[2].iface = "dut-vmxnet3";
  points[2].point = 5;
  points[2].match = report::MatchBy::kMac;
  points[2].values = {{"offload.gro", false}};

  // The names stay (NamePolicy keep): only a name userspace gave is kept, so check it is one.
  for (const auto& p : points) {
    const std::string type = guest("cat /sys/class/net/" + p.iface + "/name_assign_type");
    ASSERT_TRUE(type == "3\n" || type == "4\n")
        << p.iface << ": name_assign_type " << type << "(udev would rename it)";
  }

  // Directories the installation creates, removed again at the end.
  const std::string created = guest(
      "for d in /etc/systemd/system /usr/local; do test -e $d || echo $d; done | tr '\\n' ' '");
  auto client = dut("virtio");
  std::map<std::string, std::string> before;
  std::map<std::string, std::set<std::string>> altnames_before;
  for (auto& p : points) {
    wait_link_up(p.iface);
    before[p.iface] = settings(p.iface);
    altnames_before[p.iface] = altnames(p.iface);
    Json probe = client->call("probe", {{"interface", p.iface}}, 60s);
    const Json& nic = probe.at("nic");
    Json commands = client->call("commands", {{"interface", p.iface}, {"values", p.values}}, 60s);
    std::cerr << "[vmlab] " << p.iface << " commands: " << commands.at("commands").dump() << "\n";
    Json knobs = Json::array();
    for (const auto& item : p.values.items()) knobs.push_back(item.key());
    // The agent's snapshot is how the guest is put back at the end.
    client->call("snapshot", {{"interface", p.iface}, {"knobs", knobs}}, 60s);

    report::ExportInput in;
    in.experiment.id = 1;
    in.experiment.name = "vm-link";
    in.point_id = p.point;
    in.status = "front";
    in.config = p.values;
    in.interface = p.iface;
    in.nic.name = p.iface;
    in.nic.mac = nic.value("address", "");
    in.nic.bus_info = nic.value("bus_info", "");
    in.nic.driver = nic.value("driver", "");
    in.commands = commands.at("commands").get<std::vector<std::string>>();
    in.match = p.match;
    p.files = report::export_point("link", in);
    ASSERT_EQ(p.files.size(), 4u);
    p.check = report::export_point("check", in).at(0).content;
    std::cerr << "[vmlab] " << p.files[0].name << ":\n" << p.files[0].content;
  }

  // Everything put back: udevd stopped, the agent's snapshot restored, the altnames udev added
  // removed, the files removed. Run at the end and when an assertion returns early.
  auto put_back = [&] {
    int s = -1;
    guest("udevadm control --exit", &s);
    guest("pidof systemd-udevd", &s);
    EXPECT_NE(s, 0) << "udevd still runs in the guest";
    Json restored = client->call("restore", Json::object(), 120s);
    EXPECT_TRUE(restored.at("mismatches").empty()) << restored.dump();
    client->close();
    std::string command;
    for (const auto& p : points) {
      for (const auto& name : altnames(p.iface))
        if (!altnames_before[p.iface].count(name))
          command += "/usr/sbin/ip link property del dev " + p.iface + " altname " + name + "; ";
      command += "rm -f /etc/systemd/network/" + p.files[0].name + " /etc/udev/rules.d/" +
                 p.files[1].name + " /etc/systemd/system/" + p.files[2].name +
                 " /usr/local/lib/nictune/" + p.files[3].name + "; ";
    }
    command += std::string("rm -rf /run/udev ") + kControlLink + " " + kLog +
               " /tmp/nictune-link-check-*.sh " + created + "; rmdir /usr/local/lib/nictune";
    guest(command, &s);
  };
  struct Guard {
    std::function<void()> undo;
    ~Guard() {
      if (undo) undo();
    }
  } guard{put_back};

  // The guest as found is not the points.
  for (const auto& p : points) {
    upload("/tmp/nictune-link-check-" + p.kind + ".sh", p.check);
    std::string out = guest(
        "busybox sh /tmp/nictune-link-check-" + p.kind + ".sh " + p.check_arg + " 2>&1", &status);
    EXPECT_EQ(status, 1) << p.iface << " as found matches the point:\n" << out;
  }

  // Installed where the export says, then udevd started (logging to a file) and told the NICs
  // were added, as at boot.
  guest(
      "mkdir -p /etc/systemd/network /etc/udev/rules.d /etc/systemd/system /usr/local/lib/nictune");
  for (const auto& p : points) {
    upload("/etc/systemd/network/" + p.files[0].name, p.files[0].content);
    upload("/etc/udev/rules.d/" + p.files[1].name, p.files[1].content);
    upload("/etc/systemd/system/" + p.files[2].name, p.files[2].content);
    upload("/usr/local/lib/nictune/" + p.files[3].name, p.files[3].content);
  }
  upload(kControlLink, "[Match]\nOriginalName=nictune-none0\n\n[Link]\nNictuneBogus=1\n");
  guest(std::string("SYSTEMD_LOG_TARGET=console SYSTEMD_LOG_LEVEL=info setsid ") +
        "/lib/systemd/systemd-udevd </dev/null >" + kLog + " 2>&1 &");
  bool running = false;
  for (int i = 0; i < 30 && !running; ++i) {
    guest("udevadm control --ping", &status);
    running = status == 0;
    if (!running) std::this_thread::sleep_for(1s);
  }
  ASSERT_TRUE(running) << "systemd-udevd did not answer: " << guest(std::string("cat ") + kLog);
  const auto started = std::chrono::steady_clock::now();
  std::string trigger = guest(
      "udevadm trigger --action=add --settle /sys/class/net/dut-virtio /sys/class/net/dut-e1000e "
      "/sys/class/net/dut-vmxnet3 2>&1",
      &status);
  ASSERT_EQ(status, 0) << trigger;
  std::cerr << "[vmlab] udev applied the three .link files in "
            << std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()
            << " s\n";

  // The names stayed, and each device got its own .link and the rule's properties.
  for (const auto& p : points) {
    const std::string props =
        guest("udevadm info --query=property /sys/class/net/" + p.iface + " 2>&1", &status);
    ASSERT_EQ(status, 0) << p.iface << " is gone (renamed?): " << props;
    EXPECT_NE(props.find("ID_NET_LINK_FILE=/etc/systemd/network/" + p.files[0].name + "\n"),
              std::string::npos)
        << props;
    EXPECT_NE(props.find("SYSTEMD_WANTS=nictune-point-" + std::to_string(p.point) + "@" + p.iface +
                         ".service"),
              std::string::npos)
        << "the rule did not match " << p.iface << ":\n"
        << props;
    EXPECT_NE(props.find("ID_NET_NAME=" + p.iface + "\n"), std::string::npos) << props;
  }

  // The companion script, as the unit runs it (no systemd in the guest to start it).
  for (const auto& p : points) {
    std::smatch m;
    ASSERT_TRUE(std::regex_search(p.files[2].content, m, std::regex("\\nExecStart=([^\\n]+)")));
    std::string exec = std::regex_replace(std::string(m[1]), std::regex("%I"), p.iface);
    std::string out = guest(exec + " 2>&1", &status);
    EXPECT_EQ(status, 0) << exec << ":\n" << out;
  }

  // Read back with the guest's own ethtool.
  wait_link_up("dut-e1000e");
  EXPECT_EQ(current_combined("dut-virtio"), points[0].values["channels.combined"].get<int>());
  EXPECT_EQ(ethtool_value("-k dut-virtio", "generic-receive-offload"), "off");
  EXPECT_EQ(ethtool_value("-k dut-virtio", "generic-segmentation-offload"), "off");
  EXPECT_EQ(guest("cat /proc/sys/net/core/netdev_budget"),
            std::to_string(points[0].values["sysctl.net.core.netdev_budget"].get<int>()) + "\n");
  EXPECT_EQ(current("-g dut-e1000e", "RX"), "512");
  EXPECT_EQ(current("-g dut-e1000e", "TX"), "512");
  EXPECT_EQ(ethtool_value("-c dut-e1000e", "rx-usecs"), "1000");
  EXPECT_EQ(ethtool_value("-k dut-e1000e", "generic-receive-offload"), "off");
  EXPECT_EQ(ethtool_value("-a dut-e1000e", "Autonegotiate"), "off");
  EXPECT_EQ(ethtool_value("-a dut-e1000e", "RX"), "off");
  EXPECT_EQ(ethtool_value("-a dut-e1000e", "TX"), "off");
  EXPECT_EQ(ethtool_value("-k dut-vmxnet3", "generic-receive-offload"), "off");

  // The exported check agrees (e1000e's finds the NIC by its PCI address, vmxnet3's by its MAC:
  // the scripts' defaults).
  for (const auto& p : points) {
    std::string out = guest(
        "busybox sh /tmp/nictune-link-check-" + p.kind + ".sh " + p.check_arg + " 2>&1", &status);
    EXPECT_EQ(status, 0) << p.iface << " after udev:\n" << out;
    EXPECT_NE(out.find("matches point " + std::to_string(p.point)), std::string::npos) << out;
  }

  // udev's own word: nothing about the exported files (at info level it names a file only to
  // warn about it) and no setting it could not apply; the control file's unknown key is there.
  guest("udevadm control --exit", &status);
  const std::string log = guest(std::string("cat ") + kLog);
  std::cerr << "[vmlab] systemd-udevd's log:\n" << log;
  EXPECT_TRUE(std::regex_search(
      log, std::regex("11-nictune-control\\.link:5: Unknown key 'NictuneBogus' in section")))
      << "udev's warnings do not reach the log, so the checks below would prove nothing";
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    EXPECT_EQ(line.find("nictune-point"), std::string::npos)
        << "udev about an exported file: " << line;
    EXPECT_EQ(line.find("Could not"), std::string::npos) << "udev could not apply: " << line;
  }

  // The guest as found.
  guard.undo = nullptr;
  put_back();
  for (const auto& p : points) {
    wait_link_up(p.iface);
    EXPECT_EQ(settings(p.iface), before[p.iface]) << p.iface;
    EXPECT_EQ(altnames(p.iface), altnames_before[p.iface]) << p.iface;
  }
  EXPECT_EQ(guest("find /etc/systemd/network /etc/udev/rules.d -type f; ls -d " + created +
                  " /run/udev 2>/dev/null; true"),
            "");
}

}  // namespace
}  // namespace nictune::lab::vmtest

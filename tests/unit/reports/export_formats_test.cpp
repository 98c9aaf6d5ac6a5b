// The queue-named IRQ lines, the .link export's files (parsed back: sections and keys, every key
// one that systemd 252's udev knows) and the check script's content, for an input like the
// runner stores: the agent's commands plus the DUT's probe (which IRQ served which queue).
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>

#include "core/errors.hpp"
#include "core/json_util.hpp"
#include "reports/export.hpp"
#include "reports/export_commands.hpp"

namespace nictune::report {
namespace {

ExportInput input() {
  ExportInput in;
  in.experiment.id = 1;
  in.experiment.name = "mlx";
  in.point_id = 7;
  in.status = "front";
  in.interface = "ens1f0";
  in.nic.name = "ens1f0";
  in.nic.mac = "0c:42:a1:00:00:01";
  in.nic.bus_info = "0000:3b:00.0";
  in.nic.driver = "mlx5_core";
  in.nic.irqs[99] = {0, IrqDirection::kBoth, "mlx5_comp0@pci:0000:3b:00.0"};
  in.nic.irqs[100] = {1, IrqDirection::kBoth, "mlx5_comp1@pci:0000:3b:00.0"};
  in.nic.irqs[62] = {0, IrqDirection::kRx, "ens1f0-rx-0"};
  in.commands = {"ethtool -L $IFACE combined 2",
                 "ethtool -G $IFACE rx 4096",
                 "ethtool -K $IFACE gro off",
                 "ethtool -K $IFACE tso on",
                 "ethtool -C $IFACE rx-usecs 8",
                 "ethtool -C $IFACE adaptive-rx off",
                 "ethtool -A $IFACE rx off",
                 "ethtool -X $IFACE equal 2",
                 "echo 2 > /proc/irq/99/smp_affinity_list",
                 "echo 3 > /proc/irq/100/smp_affinity_list",
                 "echo 2 > /proc/irq/62/smp_affinity_list",
                 "echo 1 > /proc/irq/140/smp_affinity_list",
                 "echo f > /sys/class/net/$IFACE/queues/rx-0/rps_cpus",
                 "sysctl -w net.core.busy_poll=50"};
  return in;
}

// [Section] -> key -> values, comments and blank lines skipped, as systemd reads unit files.
std::map<std::string, std::multimap<std::string, std::string>> parse_ini(const std::string& text) {
  std::map<std::string, std::multimap<std::string, std::string>> out;
  std::istringstream in(text);
  std::string section, line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[' && line.back() == ']') {
      section = line.substr(1, line.size() - 2);
      out[section];
      continue;
    }
    auto eq = line.find('=');
    EXPECT_NE(eq, std::string::npos) << "not key=value: " << line;
    EXPECT_FALSE(section.empty()) << "key outside a section: " << line;
    out[section].insert({line.substr(0, eq), line.substr(eq + 1)});
  }
  return out;
}

TEST(ExportCommands, IrqLinesNameTheQueue) {
  auto commands = parse_export_commands(input().commands, input().nic);
  std::vector<std::string> irq_lines;
  for (const auto& c : commands) {
    if (c.kind == CommandKind::kIrqQueue || c.kind == CommandKind::kIrqNumber)
      irq_lines.push_back(shell_line(c));
  }
  EXPECT_EQ(irq_lines,
            (std::vector<std::string>{
                "nictune_irq_affinity 0 rxtx 2", "nictune_irq_affinity 1 rxtx 3",
                "nictune_irq_affinity 0 rx 2", "echo 1 > /proc/irq/140/smp_affinity_list"}));
  EXPECT_EQ(commands[0].kind, CommandKind::kEthtool);
  EXPECT_EQ(commands[0].ethtool_option, 'L');
  EXPECT_EQ(commands[12].kind, CommandKind::kFile);
  EXPECT_EQ(commands[13].kind, CommandKind::kSysctl);
}

TEST(ExportSh, ResolvesIrqsOnTheTargetAndWarnsAboutNumbers) {
  auto files = export_point("sh", input());
  ASSERT_EQ(files.size(), 1u);
  const std::string& sh = files[0].content;
  EXPECT_NE(sh.find("\nnictune_irq_affinity 1 rxtx 3\n"), std::string::npos) << sh;
  EXPECT_EQ(sh.find("/proc/irq/99/"), std::string::npos);
  // IRQ 140 was in no probe: kept, with the warning.
  EXPECT_NE(sh.find("\necho 1 > /proc/irq/140/smp_affinity_list\n"), std::string::npos);
  EXPECT_NE(sh.find("WARNING: the probe recorded no queue"), std::string::npos);
  EXPECT_NE(sh.find("measured on driver mlx5_core"), std::string::npos);
}

TEST(ExportMatch, DefaultArgumentAndRefusalWithoutTheFact) {
  ExportInput in = input();
  in.match = MatchBy::kMac;
  auto sh = export_point("sh", in)[0].content;
  EXPECT_NE(sh.find("nictune_find_iface \"${1:-${IFACE:-mac=0c:42:a1:00:00:01}}\""),
            std::string::npos);
  in.nic.mac.clear();
  try {
    export_point("check", in);
    FAIL() << "exported without a MAC";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalid);
    EXPECT_NE(std::string(e.what()).find("--match mac"), std::string::npos) << e.what();
  }
  EXPECT_EQ(parse_match_by("pci"), MatchBy::kPci);
  EXPECT_THROW(parse_match_by("path"), Error);
}

TEST(ExportLink, LinkFileHoldsWhatSystemdCanSet) {
  ExportInput in = input();
  in.match = MatchBy::kPci;
  auto files = export_point("link", in);
  ASSERT_EQ(files.size(), 4u);
  EXPECT_EQ(files[0].name, "10-nictune-point-7.link");
  EXPECT_EQ(files[1].name, "90-nictune-point-7.rules");
  EXPECT_EQ(files[2].name, "nictune-point-7@.service");
  EXPECT_EQ(files[3].name, "nictune-point-7-rest.sh");
  EXPECT_TRUE(files[3].executable);

  auto link = parse_ini(files[0].content);
  EXPECT_EQ(link.size(), 2u);
  ASSERT_TRUE(link.count("Match") && link.count("Link")) << files[0].content;
  EXPECT_EQ(link["Match"].size(), 1u);
  EXPECT_EQ(link["Match"].find("Path")->second, "pci-0000:3b:00.0");
  // The [Link] keys of systemd 252's udev (Debian 12): `strings` of its udevadm lists them.
  const std::set<std::string> known = {"NamePolicy",
                                       "AlternativeNamesPolicy",
                                       "MACAddressPolicy",
                                       "RxChannels",
                                       "TxChannels",
                                       "OtherChannels",
                                       "CombinedChannels",
                                       "RxBufferSize",
                                       "TxBufferSize",
                                       "RxMiniBufferSize",
                                       "RxJumboBufferSize",
                                       "GenericReceiveOffload",
                                       "GenericSegmentationOffload",
                                       "LargeReceiveOffload",
                                       "GenericReceiveOffloadHardware",
                                       "NTupleFilter",
                                       "RxCoalesceSec",
                                       "TxCoalesceSec",
                                       "RxMaxCoalescedFrames",
                                       "TxMaxCoalescedFrames",
                                       "UseAdaptiveRxCoalesce",
                                       "UseAdaptiveTxCoalesce",
                                       "RxFlowControl",
                                       "TxFlowControl",
                                       "AutoNegotiationFlowControl"};
  std::map<std::string, std::string> keys;
  for (const auto& [key, value] : link["Link"]) {
    EXPECT_TRUE(known.count(key)) << "not a systemd 252 [Link] key: " << key;
    EXPECT_FALSE(keys.count(key)) << "twice: " << key;
    keys[key] = value;
  }
  EXPECT_EQ(keys["CombinedChannels"], "2");
  EXPECT_EQ(keys["RxBufferSize"], "4096");
  EXPECT_EQ(keys["GenericReceiveOffload"], "no");
  EXPECT_EQ(keys["RxCoalesceSec"], "8us");
  EXPECT_EQ(keys["UseAdaptiveRxCoalesce"], "no");
  // Pause goes to the script, after the link is back from the ring change.
  EXPECT_FALSE(keys.count("RxFlowControl"));
  EXPECT_EQ(keys["NamePolicy"], "keep kernel database onboard slot path");
  EXPECT_FALSE(keys.count("TCPSegmentationOffload"));  // systemd's covers only part of "tso"

  // The udev rule starts the unit for the device it matches.
  const std::string& rules = files[1].content;
  EXPECT_NE(rules.find("ACTION==\"add\", SUBSYSTEM==\"net\", ENV{ID_PATH}==\"pci-0000:3b:00.0\", "
                       "TAG+=\"systemd\", ENV{SYSTEMD_WANTS}+=\"nictune-point-7@$name.service\"\n"),
            std::string::npos)
      << rules;
  auto unit = parse_ini(files[2].content);
  EXPECT_EQ(unit["Service"].find("Type")->second, "oneshot");
  EXPECT_EQ(unit["Service"].find("ExecStart")->second,
            "/bin/sh /usr/local/lib/nictune/nictune-point-7-rest.sh %I");
  EXPECT_EQ(unit["Unit"].find("BindsTo")->second, "sys-subsystem-net-devices-%i.device");

  // The script has exactly what the .link does not.
  const std::string& rest = files[3].content;
  for (const char* line :
       {"\nethtool -K $IFACE tso on\n", "\nethtool -X $IFACE equal 2\n",
        "\nnictune_irq_affinity 0 rxtx 2\n", "\nsysctl -w net.core.busy_poll=50\n",
        "\necho f > /sys/class/net/$IFACE/queues/rx-0/rps_cpus\n"}) {
    EXPECT_NE(rest.find(line), std::string::npos) << line << rest;
  }
  const auto wait = rest.find("\n_w=0; while [ \"$(cat /sys/class/net/$IFACE/operstate)\" != up ]");
  ASSERT_NE(wait, std::string::npos) << rest;
  EXPECT_GT(rest.find("\nethtool -A $IFACE rx off\n"), wait) << rest;
  for (const char* gone :
       {"\nethtool -L", "\nethtool -G", "\nethtool -C", "\nethtool -K $IFACE gro"}) {
    EXPECT_EQ(rest.find(gone), std::string::npos) << gone;
  }
}

TEST(ExportLink, MatchByNameOrMac) {
  ExportInput in = input();
  auto named = export_point("link", in);
  auto by_name = parse_ini(named[0].content);
  EXPECT_EQ(by_name["Match"].find("OriginalName")->second, "ens1f0");
  EXPECT_NE(named[1].content.find(", KERNEL==\"ens1f0\", "), std::string::npos) << named[1].content;
  in.match = MatchBy::kMac;
  auto files = export_point("link", in);
  EXPECT_EQ(parse_ini(files[0].content)["Match"].find("MACAddress")->second, "0c:42:a1:00:00:01");
  EXPECT_NE(files[1].content.find("ATTR{address}==\"0c:42:a1:00:00:01\""), std::string::npos);
}

// udev 252 refuses a channel count or ring size of 0 ("Invalid OtherChannels= value,
// ignoring"), so such a command stays in the script, where ethtool applies it.
TEST(ExportLink, ZeroCountsStayInTheScript) {
  ExportInput in = input();
  in.commands = {"ethtool -L $IFACE other 0", "ethtool -G $IFACE rx-mini 0",
                 "ethtool -L $IFACE combined 4", "ethtool -C $IFACE rx-frames 0"};
  auto files = export_point("link", in);
  auto link = parse_ini(files[0].content);
  EXPECT_FALSE(link["Link"].count("OtherChannels")) << files[0].content;
  EXPECT_FALSE(link["Link"].count("RxMiniBufferSize")) << files[0].content;
  EXPECT_EQ(link["Link"].find("CombinedChannels")->second, "4");
  EXPECT_EQ(link["Link"].find("RxMaxCoalescedFrames")->second, "0");  // frames may be 0
  const std::string& rest = files[3].content;
  EXPECT_NE(rest.find("\nethtool -L $IFACE other 0\n"), std::string::npos) << rest;
  EXPECT_NE(rest.find("\nethtool -G $IFACE rx-mini 0\n"), std::string::npos) << rest;
  EXPECT_EQ(rest.find("combined 4"), std::string::npos) << rest;
}

// Without a ring change the .link holds flow control itself.
TEST(ExportLink, PauseStaysInTheLinkWithoutARingChange) {
  ExportInput in = input();
  in.commands = {"ethtool -A $IFACE autoneg off", "ethtool -A $IFACE rx off",
                 "ethtool -C $IFACE rx-usecs 8"};
  auto files = export_point("link", in);
  auto link = parse_ini(files[0].content);
  EXPECT_EQ(link["Link"].find("AutoNegotiationFlowControl")->second, "no");
  EXPECT_EQ(link["Link"].find("RxFlowControl")->second, "no");
  EXPECT_EQ(files[3].content.find("ethtool -A"), std::string::npos) << files[3].content;
  EXPECT_EQ(files[3].content.find("operstate"), std::string::npos) << files[3].content;
}

TEST(ExportTuned, QueueIrqsInTheScript) {
  auto files = export_point("tuned", input());
  ASSERT_EQ(files.size(), 2u);
  const std::string& sh = files[1].content;
  EXPECT_NE(sh.find("    nictune_irq_affinity 1 rxtx 3 || exit 1\n"), std::string::npos) << sh;
  EXPECT_NE(sh.find("\nnictune_irq_affinity() {\n"), std::string::npos);
  EXPECT_NE(files[0].content.find("\n[sysctl]\nnet.core.busy_poll=50\n"), std::string::npos);
}

TEST(ExportJson, CarriesTheInterfaceAndItsQueueIrqs) {
  const Json doc = Json::parse(export_point("json", input())[0].content);
  const Json& nic = doc.at("nic_measured");
  EXPECT_EQ(nic["mac"], "0c:42:a1:00:00:01");
  EXPECT_EQ(nic["bus_info"], "0000:3b:00.0");
  EXPECT_EQ(nic["irqs"]["62"]["queue"], 0);
  EXPECT_EQ(nic["irqs"]["62"]["direction"], "rx");
  EXPECT_EQ(nic["irqs"]["100"]["name"], "mlx5_comp1@pci:0000:3b:00.0");
}

TEST(ExportCheck, ReadsBackEverySetting) {
  auto files = export_point("check", input());
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].name, "nictune-check-7.sh");
  const std::string& s = files[0].content;
  for (const char* line :
       {"\nnictune_check_ethtool 'ethtool -L combined' -l 'Combined' '2'\n",
        "\nnictune_check_ethtool 'ethtool -K gro' -k 'generic-receive-offload' 'off'\n",
        "\nnictune_check_ethtool 'ethtool -C adaptive-rx' -c 'Adaptive RX' 'off'\n",
        "\nnictune_check_ethtool 'ethtool -A rx' -a 'RX' 'off'\n",
        "\nnictune_check_rss 'ethtool -X equal 2' equal 2\n", "\nnictune_check_irqs 1 rxtx '3'\n",
        "\nnictune_check_file 'sysctl net.core.busy_poll' '/proc/sys/net/core/busy_poll' '50' "
        "words\n",
        "\nnictune_check_file \"/sys/class/net/$IFACE/queues/rx-0/rps_cpus\" "
        "\"/sys/class/net/$IFACE/queues/rx-0/rps_cpus\" 'f' mask\n"}) {
    EXPECT_NE(s.find(line), std::string::npos) << line;
  }
}

}  // namespace
}  // namespace nictune::report

// Knobs applied by the agent in the guest and read back with the guest's own tools, then
// restored: offloads on virtio (`ethtool -k`), RFS (rps_sock_flow_entries, rps_flow_cnt), and
// vmxnet3's RSS table (`ethtool -x`) or, where the driver refuses it, the probe's reason.
#include <regex>

#include "vm_lab_fixture.hpp"

namespace nictune::lab::vmtest {
namespace {

using namespace std::chrono_literals;

class VmReadback : public VmLab {
 protected:
  // "generic-receive-offload: on" of `ethtool -k`: "on"/"off" ("[fixed]" dropped).
  std::string feature(const std::string& interface, const std::string& name) {
    std::string out = guest("ethtool -k " + interface);
    std::smatch m;
    if (!std::regex_search(out, m, std::regex("(^|\\n)" + name + ": (on|off)"))) return "?";
    return m[2];
  }
};

TEST_F(VmReadback, VirtioOffloadsAndRfsReadBackAndRestore) {
  const std::string sock_path = "/proc/sys/net/core/rps_sock_flow_entries";
  const std::string flow_path = "/sys/class/net/dut-virtio/queues/rx-0/rps_flow_cnt";
  std::string gro = feature("dut-virtio", "generic-receive-offload");
  std::string gso = feature("dut-virtio", "generic-segmentation-offload");
  std::string tso = feature("dut-virtio", "tcp-segmentation-offload");
  std::string sock_before = guest("cat " + sock_path);
  std::string flow_before = guest("cat " + flow_path);
  ASSERT_EQ(gro, "on");
  ASSERT_EQ(gso, "on");

  auto client = dut("virtio");
  Json probe = client->call("probe", {{"interface", "dut-virtio"}}, 60s);
  const Json& knobs = probe.at("knobs");
  Json values = {{"offload.gro", false},
                 {"offload.gso", false},
                 {"rfs.sock_flow_entries", 4096},
                 {"rfs.flow_cnt", 2048}};
  bool tso_settable = knobs.at("offload.tso").at("supported").get<bool>();
  if (tso_settable) values["offload.tso"] = tso != "on";
  std::cerr << "[vmlab] virtio tso " << tso << ", "
            << (tso_settable ? "settable" : knobs.at("offload.tso").value("reason", "?")) << "\n";
  client->call("apply", {{"interface", "dut-virtio"}, {"values", values}}, 120s);
  EXPECT_EQ(feature("dut-virtio", "generic-receive-offload"), "off");
  EXPECT_EQ(feature("dut-virtio", "generic-segmentation-offload"), "off");
  if (tso_settable) {
    EXPECT_EQ(feature("dut-virtio", "tcp-segmentation-offload"), tso == "on" ? "off" : "on");
  }
  EXPECT_EQ(guest("cat " + sock_path), "4096\n");
  EXPECT_EQ(guest("cat " + flow_path), "2048\n");

  Json restored = client->call("restore", {{"interface", "dut-virtio"}}, 120s);
  EXPECT_TRUE(restored.at("mismatches").empty()) << restored.dump();
  client->close();
  EXPECT_EQ(feature("dut-virtio", "generic-receive-offload"), gro);
  EXPECT_EQ(feature("dut-virtio", "generic-segmentation-offload"), gso);
  EXPECT_EQ(feature("dut-virtio", "tcp-segmentation-offload"), tso);
  EXPECT_EQ(guest("cat " + sock_path), sock_before);
  EXPECT_EQ(guest("cat " + flow_path), flow_before);
}

TEST_F(VmReadback, Vmxnet3RssTableReadsBackOrTheProbeSaysWhy) {
  std::string table_before = guest("ethtool -x dut-vmxnet3 2>&1; true");
  auto client = dut("vmxnet3");
  Json probe = client->call("probe", {{"interface", "dut-vmxnet3"}}, 60s);
  const Json& rss = probe.at("knobs").at("rss.queues");
  if (!rss.at("supported").get<bool>()) {
    // The driver refuses the table: the probe must say why, and the guest's ethtool agrees.
    std::string reason = rss.value("reason", "");
    std::cerr << "[vmlab] vmxnet3 rss.queues unsupported: " << reason << "\n";
    EXPECT_FALSE(reason.empty());
    int status = -1;
    guest("ethtool -X dut-vmxnet3 equal 1", &status);
    EXPECT_NE(status, 0) << "the guest's ethtool writes the table the probe said it cannot";
    if (status == 0) guest("ethtool -X dut-vmxnet3 default");
    client->close();
    return;
  }
  std::cerr << "[vmlab] vmxnet3 table before:\n" << table_before;
  client->call("apply", {{"interface", "dut-vmxnet3"}, {"values", {{"rss.queues", 1}}}}, 120s);
  // One queue: every entry of the table is 0.
  std::string table = guest("ethtool -x dut-vmxnet3");
  std::string rows;
  const std::regex row("\\n\\s*\\d+:(([ \\t]+\\d+)+)");
  for (auto it = std::sregex_iterator(table.begin(), table.end(), row);
       it != std::sregex_iterator(); ++it)
    rows += (*it)[1];
  EXPECT_FALSE(rows.empty()) << table;
  EXPECT_FALSE(std::regex_search(rows, std::regex("[1-9]"))) << table;
  Json restored = client->call("restore", {{"interface", "dut-vmxnet3"}}, 120s);
  EXPECT_TRUE(restored.at("mismatches").empty()) << restored.dump();
  client->close();
  EXPECT_EQ(guest("ethtool -x dut-vmxnet3 2>&1; true"), table_before);
}

}  // namespace
}  // namespace nictune::lab::vmtest

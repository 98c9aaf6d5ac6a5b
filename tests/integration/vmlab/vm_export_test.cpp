// The exported scripts on real IRQs: the virtio guest's queue IRQs (per-queue MSI-X), found by
// queue by the script itself, as the `sh` export applies them and the `check` export reads them
// back, both run by the guest's busybox sh over ssh. The export is built from the agent's own
// probe of the guest, with every IRQ number shifted as if measured on another boot, so only the
// lookup by queue can find the guest's IRQs. Read back with the guest's own cat and ethtool,
// then the guest is put back as it was found (also when an assertion fails).
#include <functional>
#include <iostream>
#include <regex>
#include <sstream>

#include "reports/export.hpp"
#include "vm_lab_fixture.hpp"

namespace nictune::lab::vmtest {
namespace {

using namespace std::chrono_literals;

constexpr unsigned kOtherBoot = 1000;  // the IRQ numbers "as measured", on another boot

class VmExport : public VmLab {
 protected:
  // A script in the guest under its busybox sh: exit status and what it printed.
  std::string run(const std::string& script, int& status) {
    return guest("busybox sh " + script + " dut-virtio 2>&1", &status);
  }
  // The guest's files through its own cat, in one ssh (TCG makes every round trip slow).
  std::map<std::string, std::string> cat_all(const std::vector<std::string>& paths) {
    std::string command;
    for (const auto& path : paths) command += "printf '%s=' " + path + "; cat " + path + "; ";
    std::map<std::string, std::string> out;
    std::istringstream in(guest(command));
    for (std::string line; std::getline(in, line);) {
      auto eq = line.find('=');
      if (eq != std::string::npos) out[line.substr(0, eq)] = line.substr(eq + 1) + "\n";
    }
    return out;
  }
};

// What the guest had before: every file the test writes, and the RSS table.
struct GuestState {
  std::map<std::string, std::string> files;
  std::string table;
};

TEST_F(VmExport, QueueIrqsRpsAndRssTableApplyAndCheckInTheGuest) {
  auto client = dut("virtio");
  Json probe = client->call("probe", {{"interface", "dut-virtio"}}, 60s);
  client->close();
  const Json& probed_irqs = probe.at("topology").at("irqs");
  ASSERT_GE(probed_irqs.size(), 4u) << probe.at("topology").dump();
  const int cpus = std::stoi(guest("grep -c ^processor /proc/cpuinfo"));
  ASSERT_GE(cpus, 2) << "the lab boots the guest with 2 CPUs";
  const int combined = current_combined("dut-virtio");
  ASSERT_GE(combined, 2);

  report::ExportInput in;
  in.experiment.id = 1;
  in.experiment.name = "vm-export";
  in.point_id = 3;
  in.interface = "dut-virtio";
  in.nic.name = "dut-virtio";
  in.nic.driver = probe.at("nic").value("driver", "");
  std::map<unsigned, int> guest_irq_cpu;  // the guest's IRQ number -> the CPU the export sets
  std::map<unsigned, std::pair<int, std::string>> guest_irq_queue;  // -> queue, direction
  for (const auto& irq : probed_irqs) {
    const int queue = irq.value("queue", -1);
    if (queue < 0) continue;
    const unsigned number = irq.at("irq").get<unsigned>();
    const bool rx = irq.value("rx", false), tx = irq.value("tx", false);
    report::QueueIrq q;
    q.queue = queue;
    q.direction = rx == tx ? report::IrqDirection::kBoth
                  : rx     ? report::IrqDirection::kRx
                           : report::IrqDirection::kTx;
    q.name = irq.value("name", "");
    in.nic.irqs[number + kOtherBoot] = q;
    const int cpu = (queue + (rx ? 1 : 0)) % cpus;  // rx and tx of one queue on different CPUs
    guest_irq_cpu[number] = cpu;
    guest_irq_queue[number] = {queue, report::to_string(q.direction)};
    in.commands.push_back("echo " + std::to_string(cpu) + " > /proc/irq/" +
                          std::to_string(number + kOtherBoot) + "/smp_affinity_list");
  }
  ASSERT_GE(guest_irq_cpu.size(), 4u) << probed_irqs.dump();
  in.commands.push_back("ethtool -X $IFACE equal 2");
  const std::string rps0 = "/sys/class/net/dut-virtio/queues/rx-0/rps_cpus";
  const std::string rps1 = "/sys/class/net/dut-virtio/queues/rx-1/rps_cpus";
  in.commands.push_back("echo 2 > /sys/class/net/$IFACE/queues/rx-0/rps_cpus");
  in.commands.push_back("echo 1 > /sys/class/net/$IFACE/queues/rx-1/rps_cpus");

  // The flow hash only where the guest's driver shows one.
  int hash_status = -1;
  std::string hash = guest("ethtool -n dut-virtio rx-flow-hash udp4 2>&1", &hash_status);
  std::cerr << "[vmlab] guest ethtool -n dut-virtio rx-flow-hash udp4 (exit " << hash_status
            << "):\n"
            << hash;
  bool flow_hash = hash_status == 0 && hash.find("use these fields") != std::string::npos;

  auto affinity_path = [](unsigned irq) {
    return "/proc/irq/" + std::to_string(irq) + "/smp_affinity_list";
  };
  std::vector<std::string> paths = {rps0, rps1};
  for (const auto& [irq, cpu] : guest_irq_cpu) paths.push_back(affinity_path(irq));
  GuestState before;
  before.files = cat_all(paths);
  ASSERT_EQ(before.files.size(), paths.size());
  before.table = guest("ethtool -x dut-virtio");
  std::cerr << "[vmlab] guest ethtool -x dut-virtio before:\n" << before.table;
  const std::string hash_before = hash;
  // The management NIC is virtio0 with the same queue numbers: the lookup must not touch it.
  std::vector<std::string> mgmt_paths;
  for (const auto& [irq, name] : irqs("virtio0-")) mgmt_paths.push_back(affinity_path(irq));
  ASSERT_FALSE(mgmt_paths.empty());
  const auto mgmt_before = cat_all(mgmt_paths);

  std::string hash_fields_before;
  if (flow_hash) {
    for (const auto& [line, letter] :
         std::vector<std::pair<std::string, std::string>>{{"\nL2DA", "m"},
                                                          {"\nVLAN tag", "v"},
                                                          {"\nL3 proto", "t"},
                                                          {"\nIP SA", "s"},
                                                          {"\nIP DA", "d"},
                                                          {"\nL4 bytes 0 & 1", "f"},
                                                          {"\nL4 bytes 2 & 3", "n"}})
      if (hash.find(line) != std::string::npos) hash_fields_before += letter;
  }
  // Put the guest back: at the end, checked, and also when an assertion returns early.
  auto quiet = [this](const std::string& command) {
    int status = -1;
    guest(command, &status);
    return status;
  };
  auto put_back = [&] {
    std::string command;
    for (const auto& [path, value] : before.files) {
      std::string v = value;
      while (!v.empty() && v.back() == '\n') v.pop_back();
      command += "echo " + v + " > " + path + "; ";
    }
    command += "ethtool -X dut-virtio default";
    if (flow_hash && !hash_fields_before.empty())
      command += "; ethtool -N dut-virtio rx-flow-hash udp4 " + hash_fields_before;
    quiet(command);
  };
  struct Guard {
    std::function<void()> undo;
    ~Guard() {
      if (undo) undo();
    }
  } guard{put_back};
  // The flow hash part only where the guest's driver takes "sd" for udp4 and the fields it had
  // can be written back (its own ethtool says so).
  if (flow_hash && hash_fields_before.empty()) flow_hash = false;
  if (flow_hash && hash_fields_before != "sd") {
    flow_hash = quiet("ethtool -N dut-virtio rx-flow-hash udp4 sd") == 0;
    if (flow_hash) {
      quiet("ethtool -N dut-virtio rx-flow-hash udp4 " + hash_fields_before);
    } else {
      std::cerr << "[vmlab] the guest's driver refuses udp4 sd: flow hash not exported\n";
    }
  }
  if (flow_hash) in.commands.push_back("ethtool -N $IFACE rx-flow-hash udp4 sd");

  const std::string apply_script = report::export_point("sh", in).at(0).content;
  const std::string check_script = report::export_point("check", in).at(0).content;
  for (const auto& [irq, cpu] : guest_irq_cpu)
    ASSERT_EQ(apply_script.find("/proc/irq/" + std::to_string(irq + kOtherBoot)), std::string::npos)
        << "the export kept a measured IRQ number";
  upload("/tmp/nictune-apply.sh", apply_script);
  upload("/tmp/nictune-check.sh", check_script);

  int status = -1;
  std::string out = run("/tmp/nictune-check.sh", status);
  EXPECT_EQ(status, 1) << "the guest as found is not the point:\n" << out;

  out = run("/tmp/nictune-apply.sh", status);
  ASSERT_EQ(status, 0) << out;
  auto applied = cat_all(paths);
  for (const auto& [irq, cpu] : guest_irq_cpu) {
    EXPECT_EQ(applied[affinity_path(irq)], std::to_string(cpu) + "\n")
        << "IRQ " << irq << " (queue " << guest_irq_queue[irq].first << " "
        << guest_irq_queue[irq].second << ")";
  }
  EXPECT_EQ(applied[rps0], "2\n");
  EXPECT_EQ(applied[rps1], "1\n");
  EXPECT_EQ(cat_all(mgmt_paths), mgmt_before) << "the management NIC's IRQs moved";
  const std::string table = guest("ethtool -x dut-virtio");
  std::cerr << "[vmlab] guest ethtool -x dut-virtio after equal 2:\n" << table;
  EXPECT_TRUE(std::regex_search(table, std::regex("\\n\\s*0:\\s+0\\s+1\\s+0\\s+1"))) << table;
  if (flow_hash) {
    std::string now = guest("ethtool -n dut-virtio rx-flow-hash udp4");
    std::cerr << "[vmlab] guest ethtool -n dut-virtio rx-flow-hash udp4 after sd:\n" << now;
  }

  out = run("/tmp/nictune-check.sh", status);
  EXPECT_EQ(status, 0) << out;
  const std::size_t settings = guest_irq_cpu.size() + 3 + (flow_hash ? 1 : 0);
  EXPECT_NE(out.find("matches point 3 (" + std::to_string(settings) + " settings checked)"),
            std::string::npos)
      << out;

  // One IRQ moved by hand: 1, naming its queue.
  const auto& [moved, moved_cpu] = *guest_irq_cpu.rbegin();
  const auto& [moved_queue, moved_direction] = guest_irq_queue[moved];
  const int other = (moved_cpu + 1) % cpus;
  guest("echo " + std::to_string(other) + " > " + affinity_path(moved));
  out = run("/tmp/nictune-check.sh", status);
  EXPECT_EQ(status, 1) << out;
  EXPECT_NE(out.find("differs: irq_affinity queue " + std::to_string(moved_queue) + " (" +
                     moved_direction + "), IRQ " + std::to_string(moved) + ": expected " +
                     std::to_string(moved_cpu) + ", found " + std::to_string(other)),
            std::string::npos)
      << out;
  guest("echo " + std::to_string(moved_cpu) + " > " + affinity_path(moved));

  // The RSS table changed by hand: 1, naming it.
  guest("ethtool -X dut-virtio equal 1");
  out = run("/tmp/nictune-check.sh", status);
  EXPECT_EQ(status, 1) << out;
  EXPECT_NE(out.find("differs: ethtool -X equal 2: expected queue:entries 0:"), std::string::npos)
      << out;
  EXPECT_NE(out.find("in 1 of " + std::to_string(settings) + " settings"), std::string::npos)
      << out;

  // The guest as found, read back with its own tools.
  guard.undo = nullptr;
  put_back();
  EXPECT_EQ(cat_all(paths), before.files);
  EXPECT_EQ(guest("ethtool -x dut-virtio"), before.table);
  if (flow_hash) {
    EXPECT_EQ(guest("ethtool -n dut-virtio rx-flow-hash udp4 2>&1"), hash_before);
  }
}

}  // namespace
}  // namespace nictune::lab::vmtest

// The exported scripts find a queue's IRQs on the target with POSIX sh (export_shell.cpp). They
// must find exactly the IRQs the agent's topology discovery (probe_nic_device) finds, or an
// export would pin other IRQs than the ones measured. Both run here on the same fake sysfs/procfs
// trees built around the captured and driver-format /proc/interrupts files of tests/data/agents
// (mlx5 and virtio with msi_irqs, igb/ixgbe/e1000e/vmxnet3/virtio by name), and every
// (queue, direction) the agent reports is resolved by the script and compared.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "agents/knobs/kernel_files.hpp"
#include "agents/topology/nic_device.hpp"
#include "reports/export_commands.hpp"
#include "reports/export_shell.hpp"
#include "tests/support/command_line.hpp"

namespace nictune::report {
namespace {

namespace fs = std::filesystem;

struct Tree {
  fs::path root;
  Tree() {
    std::string pattern =
        (fs::temp_directory_path() / ("nictune-irqs-" + std::to_string(getpid()) + "-XXXXXX"))
            .string();
    root = mkdtemp(pattern.data());
    fs::create_directories(root / "sys/class/net");
    fs::create_directories(root / "proc");
  }
  ~Tree() {
    std::error_code ec;
    fs::remove_all(root, ec);
  }
  Tree(const Tree&) = delete;
  Tree& operator=(const Tree&) = delete;

  void interrupts(const std::string& data_file) {
    fs::copy_file(fs::path(NICTUNE_SOURCE_DIR) / "tests/data/agents" / data_file,
                  root / "proc/interrupts", fs::copy_options::overwrite_existing);
  }
  // An interface whose device is the PCI function `pci` (or its virtio child `virtio`), with
  // msi_irqs on the PCI function when `msi` is not empty.
  void device(const std::string& name, const std::string& pci, const std::string& virtio,
              const std::vector<unsigned>& msi) {
    fs::path function = root / "sys/devices/pci0000:00" / pci;
    fs::path device = virtio.empty() ? function : function / virtio;
    fs::create_directories(device);
    if (!msi.empty()) {
      fs::create_directories(function / "msi_irqs");
      for (unsigned irq : msi) std::ofstream(function / "msi_irqs" / std::to_string(irq)) << "msix";
    }
    fs::create_directories(root / "sys/class/net" / name);
    fs::create_directory_symlink(device, root / "sys/class/net" / name / "device");
  }
};

std::string direction_of(const agent::InterfaceIrq& irq) {
  return to_string(irq.rx == irq.tx ? IrqDirection::kBoth
                   : irq.rx         ? IrqDirection::kRx
                                    : IrqDirection::kTx);
}

// Every (queue, direction) the agent found -> its IRQs, from the agent and from the script.
void expect_same_irqs(const Tree& tree, const std::string& interface, std::size_t expected_queues) {
  agent::KernelFiles files((tree.root / "sys").string(), (tree.root / "proc").string());
  agent::NicDevice nic = agent::probe_nic_device(files, interface);
  std::map<std::pair<int, std::string>, std::set<unsigned>> agent_irqs;
  for (const auto& irq : nic.queue_irqs())
    agent_irqs[{irq.queue, direction_of(irq)}].insert(irq.irq);
  ASSERT_EQ(agent_irqs.size(), expected_queues) << interface << ": " << nic.to_json().dump();

  const fs::path script = tree.root / "lookup.sh";
  std::string body = shell_functions() + "IFACE=" + interface + "\n";
  for (const auto& [key, irqs] : agent_irqs) {
    body += "echo \"" + std::to_string(key.first) + " " + key.second + ": $(nictune_queue_irqs " +
            std::to_string(key.first) + " " + key.second + " | tr '\\n' ' ')\"\n";
  }
  body += "echo \"99 rxtx: $(nictune_queue_irqs 99 rxtx)\"\n";
  std::ofstream(script) << body;
  auto r = nictune::testing::run_command("env NICTUNE_SYSFS=" + (tree.root / "sys").string() +
                                         " NICTUNE_PROCFS=" + (tree.root / "proc").string() +
                                         " sh " + script.string());
  ASSERT_EQ(r.code, 0) << r.output;
  std::string expected;
  for (const auto& [key, irqs] : agent_irqs) {
    expected += std::to_string(key.first) + " " + key.second + ": ";
    for (unsigned irq : irqs) expected += std::to_string(irq) + " ";
    expected += "\n";
  }
  expected += "99 rxtx: \n";
  EXPECT_EQ(r.output, expected) << interface;
}

TEST(ExportIrqLookup, Mlx5ByMsiIrqs) {
  Tree tree;
  tree.interrupts("interrupts.mlx5.5.15.txt");
  tree.device("ens1f0np0", "0000:3b:00.0", "", {98, 99, 100, 101, 102});
  expect_same_irqs(tree, "ens1f0np0", 4);
}

TEST(ExportIrqLookup, VirtioMultiqueueByMsiIrqsOfTheParent) {
  Tree tree;
  tree.interrupts("interrupts.qemu-q35.6.12.txt");
  tree.device("eth1", "0000:00:03.0", "virtio1", {27, 28, 29, 30, 31, 32, 33, 34, 35});
  expect_same_irqs(tree, "eth1", 8);  // input.N rx and output.N tx, 4 queues
}

TEST(ExportIrqLookup, E1000eAndVmxnet3ByName) {
  Tree tree;
  tree.interrupts("interrupts.qemu-q35.6.12.txt");
  tree.device("eth2", "0000:00:04.0", "", {});
  tree.device("eth3", "0000:00:05.0", "", {});
  expect_same_irqs(tree, "eth2", 2);  // rx-0, tx-0 (the bare "eth2" vector serves no queue)
  expect_same_irqs(tree, "eth3", 2);  // rxtx-0, rxtx-1 (event-2 is not a queue)
}

TEST(ExportIrqLookup, IgbAndIxgbeByName) {
  Tree igb;
  igb.interrupts("interrupts.igb.3.10.txt");
  igb.device("eth1", "0000:01:00.0", "", {});
  expect_same_irqs(igb, "eth1", 4);
  Tree ixgbe;
  ixgbe.interrupts("interrupts.ixgbe.5.4.txt");
  ixgbe.device("ens1f0", "0000:01:00.0", "", {});
  ixgbe.device("ens1f1", "0000:01:00.1", "", {});
  expect_same_irqs(ixgbe, "ens1f0", 2);
  expect_same_irqs(ixgbe, "ens1f1", 2);  // split rx-0 / tx-0
}

// Measured on one driver, run on another: a direction the target does not split into its own
// vector falls back to every IRQ of the queue (the agent places a queue's IRQs together).
TEST(ExportIrqLookup, OtherVectorLayoutFallsBackToTheQueuesIrqs) {
  Tree tree;
  tree.interrupts("interrupts.ixgbe.5.4.txt");
  tree.device("ens1f0", "0000:01:00.0", "", {});  // ens1f0-TxRx-N
  tree.device("ens1f1", "0000:01:00.1", "", {});  // ens1f1-rx-0, ens1f1-tx-0
  const fs::path script = tree.root / "lookup.sh";
  std::ofstream(script)
      << "set -eu\n"
      << shell_functions()
      << "IFACE=ens1f0\necho \"rx: $(nictune_queue_irqs 1 rx)\"\n"
         "IFACE=ens1f1\necho \"rxtx: $(nictune_queue_irqs 0 rxtx | tr '\\n' ' ')\"\n"
         "echo \"tx: $(nictune_queue_irqs 0 tx)\"\n"
         "echo \"none: $(nictune_queue_irqs 1 rx)\"\n";
  auto r = nictune::testing::run_command("env NICTUNE_SYSFS=" + (tree.root / "sys").string() +
                                         " NICTUNE_PROCFS=" + (tree.root / "proc").string() +
                                         " sh " + script.string());
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_EQ(r.output, "rx: 60\nrxtx: 62 63 \ntx: 63\nnone: \n");
}

TEST(ExportIrqLookup, VirtioByName) {
  Tree tree;
  tree.interrupts("interrupts.virtio.4.19.txt");
  tree.device("eth0", "0000:00:03.0", "virtio0", {});
  expect_same_irqs(tree, "eth0", 4);
}

// The apply function writes the CPUs to every IRQ of the queue, and fails naming the queue when
// the target has no such queue.
TEST(ExportIrqLookup, AffinityIsWrittenByQueue) {
  Tree tree;
  tree.interrupts("interrupts.qemu-q35.6.12.txt");
  tree.device("eth1", "0000:00:03.0", "virtio1", {27, 28, 29, 30, 31, 32, 33, 34, 35});
  for (unsigned irq = 27; irq <= 35; ++irq) {
    fs::create_directories(tree.root / "proc/irq" / std::to_string(irq));
    std::ofstream(tree.root / "proc/irq" / std::to_string(irq) / "smp_affinity_list") << "0-1\n";
  }
  const fs::path script = tree.root / "apply.sh";
  // set -eu as in the exported scripts: nothing in the lookup may trip it.
  std::ofstream(script) << "set -eu\n"
                        << shell_functions()
                        << "IFACE=eth1\nnictune_irq_affinity 2 rx 1\nnictune_irq_affinity 7 rx 1\n"
                        << "echo not reached\n";
  auto r = nictune::testing::run_command("env NICTUNE_SYSFS=" + (tree.root / "sys").string() +
                                         " NICTUNE_PROCFS=" + (tree.root / "proc").string() +
                                         " sh " + script.string());
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.output.find("no IRQ of eth1 serves queue 7 (rx) here"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("IRQ 32 (queue 2 rx) -> CPUs 1"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("not reached"), std::string::npos) << r.output;
  auto read = [&](unsigned irq) {
    std::ifstream in(tree.root / "proc/irq" / std::to_string(irq) / "smp_affinity_list");
    std::string s;
    in >> s;
    return s;
  };
  EXPECT_EQ(read(32), "1");    // virtio1-input.2
  EXPECT_EQ(read(33), "0-1");  // virtio1-output.2: tx, not touched
  EXPECT_EQ(read(28), "0-1");
}

// The interface by MAC or PCI address; several matches or none stop the script (exit 2).
TEST(ExportIrqLookup, InterfaceByMacOrPciAddress) {
  Tree tree;
  tree.interrupts("interrupts.qemu-q35.6.12.txt");
  tree.device("eth1", "0000:00:03.0", "virtio1", {});
  tree.device("eth2", "0000:00:04.0", "", {});
  std::ofstream(tree.root / "sys/class/net/eth1/address") << "52:54:00:12:34:01\n";
  std::ofstream(tree.root / "sys/class/net/eth2/address") << "52:54:00:12:34:02\n";
  // A VLAN on eth2 shares its MAC but has no device: the device wins.
  fs::create_directories(tree.root / "sys/class/net/eth2.7");
  std::ofstream(tree.root / "sys/class/net/eth2.7/address") << "52:54:00:12:34:02\n";
  auto find = [&](const std::string& arg) {
    const fs::path script = tree.root / "find.sh";
    std::ofstream(script) << shell_functions() << "nictune_find_iface '" << arg
                          << "'\necho \"found $IFACE\"\n";
    return nictune::testing::run_command("env NICTUNE_SYSFS=" + (tree.root / "sys").string() +
                                         " sh " + script.string());
  };
  EXPECT_EQ(find("mac=52:54:00:12:34:01").output, "found eth1\n");
  EXPECT_EQ(find("mac=52:54:00:12:34:02").output, "found eth2\n");
  EXPECT_EQ(find("MAC=52").code, 2);
  EXPECT_EQ(find("pci=0000:00:03.0").output, "found eth1\n");  // virtio: its PCI parent
  EXPECT_EQ(find("pci=0000:00:04.0").output, "found eth2\n");
  EXPECT_EQ(find("eth2.7").output, "found eth2.7\n");
  auto none = find("mac=52:54:00:12:34:99");
  EXPECT_EQ(none.code, 2);
  EXPECT_NE(none.output.find("no network interface with mac=52:54:00:12:34:99"), std::string::npos)
      << none.output;
  EXPECT_EQ(find("pci=0000:00:09.0").code, 2);
  EXPECT_EQ(find("-x").code, 2);
}

}  // namespace
}  // namespace nictune::report

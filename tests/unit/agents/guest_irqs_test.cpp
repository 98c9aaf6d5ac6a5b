// Queue-IRQ discovery on the VM lab's guests: /proc/interrupts captured on a 2-CPU q35 TCG
// guest with virtio-net (4 queue pairs), e1000e and vmxnet3, Debian 6.1.0-57 ("PCI-MSI
// 49153-edge") and 6.12.117 (per-device "PCI-MSIX-0000:00:03.0 1-edge"), found through msi_irqs
// and, without it, by name.
#include <gtest/gtest.h>

#include <fstream>

#include "agents/topology/nic_device.hpp"
#include "fake_host.hpp"

namespace nictune::agent {
namespace {

using testing::FakeHost;

std::string captured(const std::string& name) {
  std::ifstream in(std::string(NICTUNE_SOURCE_DIR) + "/tests/data/agents/" + name);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

class GuestIrqs : public ::testing::TestWithParam<const char*> {
 protected:
  GuestIrqs() : host_(2) {
    testing::FakeNic virtio;
    virtio.name = "eth1";
    virtio.device = false;
    host_.add_nic(virtio);
    for (const char* name : {"eth2", "eth3"}) {
      testing::FakeNic nic;
      nic.name = name;
      nic.rx_queues = nic.tx_queues = 1;
      nic.bus = name == std::string("eth2") ? "0000:00:04.0" : "0000:00:05.0";
      nic.driver = name == std::string("eth2") ? "e1000e" : "vmxnet3";
      nic.numa_node = -1;
      host_.add_nic(nic);
    }
    // virtio-net: the net device's parent is virtio1, whose parent PCI function holds msi_irqs.
    host_.write(pci("0000:00:03.0") + "virtio1/vendor", "0x1af4\n");
    host_.write(pci("0000:00:03.0") + "numa_node", "-1\n");
    std::filesystem::create_directory_symlink("../../../devices/pci0000:00/0000:00:03.0/virtio1",
                                              host_.root() + "/sys/class/net/eth1/device");
    msi("0000:00:03.0", 27, 35);
    msi("0000:00:04.0", 36, 38);
    msi("0000:00:05.0", 39, 41);
    host_.write("proc/interrupts",
                captured(std::string("interrupts.qemu-q35.") + GetParam() + ".txt"));
  }
  static std::string pci(const std::string& bus) { return "sys/devices/pci0000:00/" + bus + "/"; }
  void msi(const std::string& bus, unsigned first, unsigned last) {
    for (unsigned irq = first; irq <= last; ++irq)
      host_.write(pci(bus) + "msi_irqs/" + std::to_string(irq), "msix\n");
  }
  void drop_msi_irqs() {
    for (const char* bus : {"0000:00:03.0", "0000:00:04.0", "0000:00:05.0"})
      host_.remove(pci(bus) + "msi_irqs");
  }
  void expect_queue_mapping(const std::string& source) {
    NicDevice virtio = probe_nic_device(host_.files(), "eth1");
    EXPECT_EQ(virtio.irq_source, source);
    EXPECT_EQ(virtio.bus_info, "0000:00:03.0");
    ASSERT_EQ(virtio.irqs.size(), 9u);
    EXPECT_EQ(virtio.queue_irqs().size(), 8u);
    for (unsigned q = 0; q < 4; ++q) {
      ASSERT_NE(virtio.irq_for_queue(q, true), nullptr) << q;
      EXPECT_EQ(virtio.irq_for_queue(q, true)->irq, 28 + 2 * q);
      EXPECT_EQ(virtio.irq_for_queue(q, true)->name, "virtio1-input." + std::to_string(q));
      EXPECT_FALSE(virtio.irq_for_queue(q, true)->tx);
      EXPECT_EQ(virtio.irq_for_queue(q, false)->irq, 29 + 2 * q);
    }
    EXPECT_EQ(virtio.irqs.back().name, "virtio1-config");
    EXPECT_EQ(virtio.irqs.back().queue, -1);

    NicDevice e1000e = probe_nic_device(host_.files(), "eth2");
    EXPECT_EQ(e1000e.irq_source, source);
    EXPECT_EQ(e1000e.driver, "e1000e");
    ASSERT_EQ(e1000e.irqs.size(), 3u);
    ASSERT_EQ(e1000e.queue_irqs().size(), 2u);
    EXPECT_EQ(e1000e.irq_for_queue(0, true)->irq, 36u);
    EXPECT_EQ(e1000e.irq_for_queue(0, false)->irq, 37u);
    EXPECT_EQ(e1000e.irq_for_queue(1, true), nullptr);
    EXPECT_EQ(e1000e.irqs.back().name, "eth2");  // link and other causes: no queue
    EXPECT_EQ(e1000e.irqs.back().queue, -1);

    NicDevice vmxnet3 = probe_nic_device(host_.files(), "eth3");
    EXPECT_EQ(vmxnet3.irq_source, source);
    ASSERT_EQ(vmxnet3.irqs.size(), 3u);
    ASSERT_EQ(vmxnet3.queue_irqs().size(), 2u);
    for (unsigned q = 0; q < 2; ++q) {
      const InterfaceIrq* irq = vmxnet3.irq_for_queue(q, true);
      ASSERT_NE(irq, nullptr) << q;
      EXPECT_EQ(irq->irq, 39 + q);
      EXPECT_TRUE(irq->rx && irq->tx) << irq->name;  // "rxtx": one vector per queue pair
    }
    EXPECT_EQ(vmxnet3.irqs.back().name, "eth3-event-2");
    EXPECT_EQ(vmxnet3.irqs.back().queue, -1);
  }

  FakeHost host_;
};

TEST_P(GuestIrqs, QueueIrqsThroughMsiIrqs) {
  expect_queue_mapping("msi_irqs");
}

TEST_P(GuestIrqs, QueueIrqsByNameWithoutMsiIrqs) {
  drop_msi_irqs();
  expect_queue_mapping("/proc/interrupts names");
}

TEST_P(GuestIrqs, EveryLineParsesWithItsCounts) {
  InterruptsTable table =
      parse_interrupts(captured(std::string("interrupts.qemu-q35.") + GetParam() + ".txt"));
  const bool old_layout = GetParam() == std::string("6.1");
  const InterruptLine* output0 = table.find_irq(29);
  ASSERT_NE(output0, nullptr);
  EXPECT_EQ(output0->counts, (std::vector<std::uint64_t>{old_layout ? 4u : 2u, 1}));
  EXPECT_EQ(output0->chip, old_layout ? "PCI-MSI" : "PCI-MSIX-0000:00:03.0");
  ASSERT_FALSE(output0->names.empty());
  EXPECT_EQ(output0->names.back(), "virtio1-output.0");
  EXPECT_EQ(table.find_irq(0)->chip, "local-APIC");
  const InterruptLine* link = table.find_irq(38);
  ASSERT_NE(link, nullptr);
  EXPECT_EQ(link->names.back(), "eth2");
}

INSTANTIATE_TEST_SUITE_P(Kernels, GuestIrqs, ::testing::Values("6.1", "6.12"),
                         [](const ::testing::TestParamInfo<const char*>& kernel) {
                           return std::string("linux_") +
                                  (std::string(kernel.param) == "6.1" ? "6_1" : "6_12");
                         });

}  // namespace
}  // namespace nictune::agent

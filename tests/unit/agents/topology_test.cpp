#include "agents/topology/topology.hpp"

#include <gtest/gtest.h>

#include "agents/topology/cpu_placement.hpp"
#include "agents/topology/host_facts.hpp"
#include "agents/topology/nic_device.hpp"
#include "core/errors.hpp"
#include "fake_host.hpp"

namespace nictune::agent {
namespace {

using testing::FakeHost;

std::vector<std::string> lists(const std::vector<CpuSet>& sets) {
  std::vector<std::string> out;
  for (const auto& s : sets) out.push_back(s.to_list());
  return out;
}

TEST(Topology, TwoNodesWithSmtAndMoreThan64Cpus) {
  FakeHost host(128, 2, 2);
  host.write("sys/devices/system/cpu/isolated", "60-63,124-127\n");
  Topology t = probe_topology(host.files());
  EXPECT_EQ(t.online.count(), 128u);
  EXPECT_EQ(t.nr_cpu_ids, 128u);
  EXPECT_EQ(t.threads_per_core(), 2u);
  EXPECT_EQ(t.core_count(), 64u);
  EXPECT_EQ(t.siblings.at(5).to_list(), "5,69");
  EXPECT_EQ(t.nodes.at(0).to_list(), "0-31,64-95");
  EXPECT_EQ(t.nodes.at(1).to_list(), "32-63,96-127");
  EXPECT_EQ(t.node_of(100), 1);
  EXPECT_EQ(t.isolated.to_list(), "60-63,124-127");
  auto json = t.to_json();
  EXPECT_EQ(json["numa_nodes"]["1"], "32-63,96-127");
  EXPECT_EQ(json["smt_groups"].size(), 64u);
}

TEST(Topology, MissingNodeDirectoryMeansOneNode) {
  FakeHost host(4);
  host.remove("sys/devices/system/node");
  Topology t = probe_topology(host.files());
  ASSERT_EQ(t.nodes.size(), 1u);
  EXPECT_EQ(t.nodes.at(0).to_list(), "0-3");
  EXPECT_EQ(t.threads_per_core(), 1u);
}

TEST(Topology, NoOnlineFileIsAnError) {
  FakeHost host(2);
  host.remove("sys/devices/system/cpu/online");
  EXPECT_THROW(probe_topology(host.files()), Error);
}

class Placement : public ::testing::Test {
 protected:
  Placement() : host_(128, 2, 2) {
    host_.write("sys/devices/system/cpu/isolated", "2\n");
    topology_ = probe_topology(host_.files());
    context_.topology = &topology_;
    context_.nic_node = 1;
    for (unsigned q = 0; q < 4; ++q)
      context_.irq_cpus.push_back(CpuSet::parse_list(std::to_string(40 + q)));
  }
  std::vector<std::string> resolve(const std::string& policy, unsigned queues = 4) {
    return lists(resolve_per_queue(CpuPolicy::parse(policy), context_, queues));
  }
  FakeHost host_;
  Topology topology_;
  PlacementContext context_;
};

TEST_F(Placement, EveryPolicy) {
  EXPECT_EQ(resolve("all", 2), (std::vector<std::string>{"0-127", "0-127"}));
  EXPECT_EQ(resolve("none", 2), (std::vector<std::string>{"", ""}));
  EXPECT_EQ(resolve("spread"), (std::vector<std::string>{"32", "33", "34", "35"}));
  EXPECT_EQ(resolve("spread-skip:32-33"), (std::vector<std::string>{"34", "35", "36", "37"}));
  EXPECT_EQ(resolve("single:100", 2), (std::vector<std::string>{"100", "100"}));
  EXPECT_EQ(resolve("list:0-3,70", 1), (std::vector<std::string>{"0-3,70"}));
  EXPECT_EQ(resolve("mask:1,00000000,00000000,00000001", 1), (std::vector<std::string>{"0,96"}));
  EXPECT_EQ(resolve("same-as-irq"), (std::vector<std::string>{"40", "41", "42", "43"}));
  EXPECT_EQ(resolve("irq-siblings"), (std::vector<std::string>{"104", "105", "106", "107"}));
  EXPECT_EQ(resolve("other-node", 1), (std::vector<std::string>{"0-31,64-95"}));
  EXPECT_EQ(resolve("local-node", 1), (std::vector<std::string>{"32-63,96-127"}));
}

TEST_F(Placement, SpreadWrapsAndAvoidsIsolatedCpus) {
  context_.nic_node = 0;
  auto cpus = resolve("spread", 70);
  EXPECT_EQ(cpus[0], "0");
  EXPECT_EQ(cpus[2], "3");  // 2 is isolated
  EXPECT_EQ(cpus[62], "95");
  EXPECT_EQ(cpus[63], "0");  // 63 candidates, then wrap
}

TEST_F(Placement, UnknownNicNodeSpreadsOverEveryCpu) {
  context_.nic_node = -1;
  EXPECT_EQ(resolve("spread", 2), (std::vector<std::string>{"0", "1"}));
  EXPECT_THROW(resolve("other-node", 1), Error);
}

TEST_F(Placement, CpusThatDoNotExistAreInvalid) {
  try {
    resolve("single:200", 1);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalid);
    EXPECT_NE(std::string(e.what()).find("CPU 200 is not online"), std::string::npos) << e.what();
  }
  EXPECT_THROW(resolve("list:120-130", 1), Error);
  EXPECT_THROW(resolve("mask:ff,00000000,00000000,00000000,00000000", 1), Error);
  EXPECT_THROW(resolve("spread-skip:32-63,96-127"), Error);
}

TEST_F(Placement, IrqPoliciesWithoutIrqsAreUnsupported) {
  context_.irq_cpus.clear();
  context_.no_irq_reason = "no IRQs: virtual device";
  try {
    resolve("same-as-irq");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUnsupported);
    EXPECT_NE(std::string(e.what()).find("virtual device"), std::string::npos);
  }
}

TEST(PlacementSmtOff, IrqSiblingsNeedsSmt) {
  FakeHost host(4);
  Topology t = probe_topology(host.files());
  PlacementContext context;
  context.topology = &t;
  context.irq_cpus = {CpuSet::parse_list("1")};
  EXPECT_THROW(resolve_per_queue(CpuPolicy::parse("irq-siblings"), context, 1), Error);
  EXPECT_THROW(resolve_per_queue(CpuPolicy::parse("other-node"), context, 1), Error);
}

TEST(PlacementUnion, ApplicationPinning) {
  FakeHost host(8);
  Topology t = probe_topology(host.files());
  PlacementContext context;
  context.topology = &t;
  EXPECT_EQ(resolve_union(CpuPolicy::parse("single:1"), context, 0).to_list(), "1");
  EXPECT_EQ(resolve_union(CpuPolicy::parse("spread"), context, 0).to_list(), "0-7");
  EXPECT_EQ(resolve_union(CpuPolicy::parse("spread"), context, 3).to_list(), "0-2");
  EXPECT_TRUE(is_per_queue(CpuPolicy::parse("same-as-irq")));
  EXPECT_FALSE(is_per_queue(CpuPolicy::parse("list:1-2")));
}

TEST(NicDevice, MsiIrqsAndNumaNodeOfAPciNic) {
  FakeHost host(8, 2);
  auto nic = testing::ixgbe_like(4, 60);
  nic.numa_node = 1;
  host.add_nic(nic);
  NicDevice d = probe_nic_device(host.files(), "eth1");
  EXPECT_TRUE(d.has_device);
  EXPECT_EQ(d.numa_node, 1);
  EXPECT_EQ(d.bus_info, "0000:3b:00.0");
  EXPECT_EQ(d.driver, "ixgbe");
  EXPECT_EQ(d.irq_source, "msi_irqs");
  ASSERT_EQ(d.irqs.size(), 5u);
  EXPECT_EQ(d.queue_irqs().size(), 4u);
  EXPECT_EQ(d.irq_for_queue(2, true)->irq, 62u);
  EXPECT_EQ(d.irqs.back().name, "eth1");
  EXPECT_EQ(d.no_irq_reason("eth1"), "");
}

TEST(NicDevice, VirtioParentHoldsTheMsiIrqs) {
  FakeHost host(2);
  testing::FakeNic nic;
  nic.name = "eth0";
  nic.device = false;
  host.add_nic(nic);
  // /sys/class/net/eth0/device -> virtio2, whose parent PCI function has msi_irqs.
  host.write("sys/devices/pci0000:00/0000:00:03.0/virtio2/vendor", "0x1af4\n");
  host.write("sys/devices/pci0000:00/0000:00:03.0/numa_node", "-1\n");
  for (unsigned irq : {37u, 38u, 39u})
    host.write("sys/devices/pci0000:00/0000:00:03.0/msi_irqs/" + std::to_string(irq), "msix\n");
  std::filesystem::create_directory_symlink("../../../devices/pci0000:00/0000:00:03.0/virtio2",
                                            host.root() + "/sys/class/net/eth0/device");
  std::ifstream captured(std::string(NICTUNE_SOURCE_DIR) +
                         "/tests/data/agents/interrupts.virtio.6.18.txt");
  std::string text((std::istreambuf_iterator<char>(captured)), std::istreambuf_iterator<char>());
  host.write("proc/interrupts", text);
  NicDevice d = probe_nic_device(host.files(), "eth0");
  EXPECT_EQ(d.bus_info, "0000:00:03.0");
  EXPECT_EQ(d.numa_node, -1);
  ASSERT_EQ(d.irqs.size(), 3u);
  EXPECT_EQ(d.irqs[0].name, "virtio2-input.0");
  EXPECT_TRUE(d.irqs[0].rx);
  EXPECT_EQ(d.irqs[1].name, "virtio2-output.0");
  EXPECT_EQ(d.irqs[2].name, "virtio2-config");
  EXPECT_EQ(d.irqs[2].queue, -1);
}

TEST(NicDevice, VirtualDeviceHasNoIrqs) {
  FakeHost host(2);
  testing::FakeNic nic;
  nic.name = "veth0";
  nic.device = false;
  host.add_nic(nic);
  NicDevice d = probe_nic_device(host.files(), "veth0");
  EXPECT_FALSE(d.has_device);
  EXPECT_NE(d.no_irq_reason("veth0").find("no IRQs: virtual device"), std::string::npos);
}

TEST(HostFacts, CpuModelAndDistro) {
  EXPECT_EQ(cpu_model_from_cpuinfo("processor\t: 0\nmodel name\t: Intel(R) Xeon(R) Gold 6230\n"),
            "Intel(R) Xeon(R) Gold 6230");
  EXPECT_EQ(cpu_model_from_cpuinfo("processor\t: 0\nCPU part\t: 0xd0c\n"), "CPU part 0xd0c");
  EXPECT_EQ(distro_from_os_release(
                "NAME=\"Debian GNU/Linux\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"),
            "Debian GNU/Linux 12 (bookworm)");
  EXPECT_EQ(distro_from_os_release("NAME=Fedora\nVERSION_ID=40\n"), "Fedora 40");
}

}  // namespace
}  // namespace nictune::agent

#include "agents/counters/proc_parsers.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "agents/topology/nic_device.hpp"
#include "core/errors.hpp"

namespace nictune::agent {
namespace {

std::string data(const std::string& name) {
  std::ifstream in(std::string(NICTUNE_SOURCE_DIR) + "/tests/data/agents/" + name);
  EXPECT_TRUE(in.good()) << name;
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::vector<InterfaceIrq> classify_all(const InterruptsTable& table,
                                       const std::vector<std::string>& owners,
                                       const std::vector<std::string>& strip) {
  std::vector<InterfaceIrq> out;
  for (const auto& line : table.lines) {
    if (!line.irq || line.names.empty()) continue;
    for (const auto& owner : owners) {
      if (line.names.back().find(owner) != std::string::npos) {
        out.push_back(classify_irq_name(*line.irq, line.names.back(), strip));
        break;
      }
    }
  }
  return out;
}

TEST(ProcStat, CapturedSixEighteen) {
  auto stat = parse_proc_stat(data("stat.6.18.txt"));
  ASSERT_EQ(stat.per_cpu.size(), 2u);
  EXPECT_EQ(stat.per_cpu.at(0).user, 222215u);
  EXPECT_EQ(stat.per_cpu.at(1).steal, 2168u);
  EXPECT_GT(stat.context_switches, 0u);
  EXPECT_EQ(stat.all.total(), 447721u + 196u + 46693u + 131803u + 2026u + 767u + 4286u);
  EXPECT_EQ(stat.all.busy(), 447721u + 196u + 46693u + 767u + 4286u);
}

TEST(ProcStat, OldKernelsWithFewerColumns) {
  auto old = parse_proc_stat(data("stat.2.6.18.txt"));
  EXPECT_EQ(old.per_cpu.size(), 2u);
  EXPECT_EQ(old.per_cpu.at(0).softirq, 15u);
  EXPECT_EQ(old.per_cpu.at(0).guest, 0u);
  EXPECT_EQ(old.interrupts, 123456u);
  auto older = parse_proc_stat(data("stat.2.6.9.txt"));
  EXPECT_EQ(older.per_cpu.at(0).softirq, 20u);
  EXPECT_EQ(older.per_cpu.at(0).steal, 0u);
  EXPECT_EQ(older.per_cpu.at(0).busy(), 1000u + 10 + 500 + 5 + 20);
}

TEST(ProcStat, RejectsGarbage) {
  EXPECT_THROW(parse_proc_stat("intr 5\n"), Error);
  EXPECT_THROW(parse_proc_stat("cpu  1 2 x 4 5\n"), Error);
}

TEST(Interrupts, CapturedVirtioSixEighteen) {
  auto table = parse_interrupts(data("interrupts.virtio.6.18.txt"));
  EXPECT_EQ(table.cpus, (std::vector<unsigned>{0, 1}));
  const auto* input = table.find_irq(38);
  ASSERT_NE(input, nullptr);
  EXPECT_EQ(input->names, (std::vector<std::string>{"virtio2-input.0"}));
  EXPECT_EQ(input->chip, "PCI-MSIX-0000:00:03.0");
  const InterruptLine* err = nullptr;
  for (const auto& line : table.lines) {
    if (line.id == "ERR") err = &line;
  }
  ASSERT_NE(err, nullptr);
  EXPECT_FALSE(err->irq);
  EXPECT_EQ(err->counts.size(), 1u);
  auto irqs = classify_all(table, {"virtio2-"}, {"virtio2"});
  ASSERT_EQ(irqs.size(), 3u);
  EXPECT_EQ(irqs[0].queue, -1);  // config
  EXPECT_EQ(irqs[1].queue, 0);
  EXPECT_TRUE(irqs[1].rx);
  EXPECT_FALSE(irqs[1].tx);
  EXPECT_EQ(irqs[2].queue, 0);
  EXPECT_TRUE(irqs[2].tx);
  EXPECT_FALSE(irqs[2].rx);
}

TEST(Interrupts, IgbOnThreeTen) {
  auto table = parse_interrupts(data("interrupts.igb.3.10.txt"));
  EXPECT_EQ(table.cpus.size(), 4u);
  EXPECT_EQ(table.find_irq(16)->names, (std::vector<std::string>{"ehci_hcd:usb1", "i801_smbus"}));
  EXPECT_EQ(table.find_irq(49)->counts[3], 4294967200u);
  EXPECT_EQ(table.find_irq(46)->chip, "IR-PCI-MSI-edge");
  auto irqs = classify_all(table, {"eth1"}, {"eth1"});
  ASSERT_EQ(irqs.size(), 5u);
  EXPECT_EQ(irqs[0].name, "eth1");
  EXPECT_EQ(irqs[0].queue, -1);  // the link interrupt
  for (int q = 0; q < 4; ++q) {
    EXPECT_EQ(irqs[q + 1].queue, q);
    EXPECT_TRUE(irqs[q + 1].rx && irqs[q + 1].tx);
  }
}

TEST(Interrupts, IxgbeOnFiveFourWithSplitVectors) {
  auto table = parse_interrupts(data("interrupts.ixgbe.5.4.txt"));
  EXPECT_EQ(table.find_irq(60)->chip, "IR-PCI-MSI");
  auto port0 = classify_all(table, {"ens1f0"}, {"ens1f0"});
  ASSERT_EQ(port0.size(), 3u);
  EXPECT_EQ(port0[1].queue, 1);
  EXPECT_EQ(port0[2].queue, -1);
  auto port1 = classify_all(table, {"ens1f1"}, {"ens1f1"});
  ASSERT_EQ(port1.size(), 3u);
  EXPECT_TRUE(port1[0].rx);
  EXPECT_FALSE(port1[0].tx);
  EXPECT_TRUE(port1[1].tx);
  EXPECT_FALSE(port1[1].rx);
  EXPECT_EQ(port1[1].queue, 0);
}

TEST(Interrupts, Mlx5CompletionVectors) {
  auto table = parse_interrupts(data("interrupts.mlx5.5.15.txt"));
  auto irqs = classify_all(table, {"@pci:0000:3b:00.0"}, {"eth2"});
  ASSERT_EQ(irqs.size(), 5u);
  EXPECT_EQ(irqs[0].queue, -1);  // mlx5_async0
  for (int q = 0; q < 4; ++q) {
    EXPECT_EQ(irqs[q + 1].queue, q) << irqs[q + 1].name;
    EXPECT_TRUE(irqs[q + 1].rx && irqs[q + 1].tx);
  }
  EXPECT_EQ(table.find_irq(101)->counts[2], 300000u);
}

TEST(Interrupts, VirtioMultiqueueOnFourNineteen) {
  auto table = parse_interrupts(data("interrupts.virtio.4.19.txt"));
  auto irqs = classify_all(table, {"virtio0-"}, {"virtio0"});
  ASSERT_EQ(irqs.size(), 5u);
  EXPECT_EQ(irqs[3].name, "virtio0-input.1");
  EXPECT_EQ(irqs[3].queue, 1);
  EXPECT_TRUE(irqs[3].rx);
  EXPECT_FALSE(irqs[3].tx);
}

TEST(Interrupts, RejectsGarbage) {
  EXPECT_THROW(parse_interrupts(""), Error);
  EXPECT_THROW(parse_interrupts("hello world\n"), Error);
  EXPECT_THROW(parse_interrupts("  CPU0\n no colon here\n"), Error);
}

TEST(Softirqs, Captured) {
  auto table = parse_softirqs(data("softirqs.6.18.txt"));
  ASSERT_EQ(table.cpus.size(), 2u);
  ASSERT_TRUE(table.rows.count("NET_RX"));
  ASSERT_TRUE(table.rows.count("NET_TX"));
  EXPECT_EQ(table.rows.at("NET_RX").size(), 2u);
}

TEST(SoftnetStat, EveryColumnCount) {
  CpuSet online = CpuSet::parse_list("0-3");
  auto ten = parse_softnet_stat(data("softnet_stat.2.6.32.10col.txt"), online);
  ASSERT_EQ(ten.size(), 4u);
  EXPECT_EQ(ten[3].processed, 4000u);
  EXPECT_EQ(ten[3].dropped, 3u);
  EXPECT_EQ(ten[3].time_squeeze, 6u);
  EXPECT_EQ(ten[3].received_rps, 15u);
  EXPECT_EQ(ten[3].flow_limit, 0u);
  EXPECT_FALSE(ten[3].cpu_from_file);

  auto eleven = parse_softnet_stat(data("softnet_stat.4.19.11col.txt"), online);
  ASSERT_EQ(eleven.size(), 4u);
  EXPECT_EQ(eleven[2].flow_limit, 14u);
  EXPECT_FALSE(eleven[2].backlog_len);

  // CPU 2 offline: without a CPU column the rows follow the online list.
  auto thirteen =
      parse_softnet_stat(data("softnet_stat.5.15.13col.txt"), CpuSet::parse_list("0,1,3"));
  ASSERT_EQ(thirteen.size(), 3u);
  EXPECT_EQ(thirteen[2].cpu, 3u);
  EXPECT_TRUE(thirteen[2].cpu_from_file);
  EXPECT_EQ(thirteen[2].processed, 4000u);
  EXPECT_TRUE(thirteen[2].backlog_len);

  auto fifteen = parse_softnet_stat(data("softnet_stat.6.18.15col.txt"), CpuSet::parse_list("0-1"));
  ASSERT_EQ(fifteen.size(), 2u);
  EXPECT_EQ(fifteen[1].cpu, 1u);
  EXPECT_EQ(fifteen[1].columns.size(), 15u);
  EXPECT_GT(fifteen[0].processed, 0u);
}

TEST(SoftnetStat, OfflineCpusWithoutCpuColumn) {
  auto rows =
      parse_softnet_stat(data("softnet_stat.4.19.11col.txt"), CpuSet::parse_list("0,2,5,7"));
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[1].cpu, 2u);
  EXPECT_EQ(rows[3].cpu, 7u);
}

TEST(SoftnetStat, RejectsGarbage) {
  EXPECT_THROW(parse_softnet_stat("zz 00 00\n", CpuSet()), Error);
  EXPECT_THROW(parse_softnet_stat("00000001\n", CpuSet()), Error);
}

}  // namespace
}  // namespace nictune::agent

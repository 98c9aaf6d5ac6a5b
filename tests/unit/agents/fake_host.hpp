// A fake host for the agent's unit tests: a temporary directory with sys/, proc/ and state/
// laid out like the kernel's (CPUs, SMT siblings, NUMA nodes, interfaces with queues, a PCI
// device with msi_irqs and /proc/irq/N), plus a FakeEthtool. Removed when the test ends.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "agents/knobs/fake_ethtool.hpp"
#include "agents/knobs/kernel_files.hpp"
#include "core/cpu_set.hpp"

namespace nictune::agent::testing {

struct FakeIrq {
  unsigned irq;
  std::string name;
  std::string affinity = "0";
};

struct FakeNic {
  std::string name = "eth1";
  unsigned rx_queues = 4;
  unsigned tx_queues = 4;
  bool device = true;  // false: a virtual device (no device link)
  std::string bus = "0000:3b:00.0";
  std::string driver = "ixgbe";
  int numa_node = 0;
  std::vector<FakeIrq> irqs;  // msi_irqs + /proc/irq + /proc/interrupts lines
  bool xps = true;            // queues/tx-N/xps_cpus present
  bool xps_rxqs = false;      // queues/tx-N/xps_rxqs present (a bitmap of rx queues)
};

class FakeHost {
 public:
  // `cpus` online CPUs 0..cpus-1, split evenly over `nodes` nodes; `threads` SMT threads per
  // core (siblings are cpu and cpu + cpus/threads, like Intel's numbering).
  explicit FakeHost(unsigned cpus = 4, unsigned nodes = 1, unsigned threads = 1) : cpus_(cpus) {
    root_ = std::filesystem::temp_directory_path() /
            ("nictune-fake-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++));
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_ / "state");
    std::string all = "0-" + std::to_string(cpus - 1);
    write("sys/devices/system/cpu/online", all + "\n");
    write("sys/devices/system/cpu/possible", all + "\n");
    write("sys/devices/system/cpu/isolated", "\n");
    unsigned cores = cpus / threads;
    for (unsigned cpu = 0; cpu < cpus; ++cpu) {
      std::string dir = "sys/devices/system/cpu/cpu" + std::to_string(cpu) + "/topology/";
      CpuSet siblings;
      for (unsigned t = 0; t < threads; ++t) siblings.add(cpu % cores + t * cores);
      write(dir + "thread_siblings_list", siblings.to_list() + "\n");
      write(dir + "core_id", std::to_string(cpu % cores) + "\n");
      write(dir + "physical_package_id", std::to_string((cpu % cores) / (cores / nodes)) + "\n");
    }
    for (unsigned node = 0; node < nodes; ++node) {
      // Nodes hold whole cores with their siblings.
      CpuSet set;
      for (unsigned cpu = 0; cpu < cpus; ++cpu) {
        if ((cpu % cores) / (cores / nodes) == node) set.add(cpu);
      }
      write("sys/devices/system/node/node" + std::to_string(node) + "/cpulist",
            set.to_list() + "\n");
    }
    for (const char* sysctl :
         {"busy_poll", "busy_read", "netdev_budget_usecs", "dev_weight", "rps_sock_flow_entries"}) {
      write(std::string("proc/sys/net/core/") + sysctl, "0\n");
    }
    write("proc/sys/net/core/netdev_budget", "300\n");
    write("proc/sys/net/core/netdev_max_backlog", "1000\n");
    write("proc/sys/net/core/dev_weight", "64\n");
    write("proc/sys/net/core/netdev_budget_usecs", "2000\n");
    for (const char* sysctl : {"rmem_max", "wmem_max", "rmem_default", "wmem_default"}) {
      write(std::string("proc/sys/net/core/") + sysctl, "212992\n");
    }
    write("proc/net/route",
          "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n");
    write("proc/cpuinfo", "processor\t: 0\nmodel name\t: Fake CPU @ 2.00GHz\n");
    set_proc_counters(0);
  }

  ~FakeHost() {
    std::error_code ignored;
    std::filesystem::remove_all(root_, ignored);
  }
  FakeHost(const FakeHost&) = delete;
  FakeHost& operator=(const FakeHost&) = delete;

  std::string root() const { return root_.string(); }
  std::string sysfs() const { return (root_ / "sys").string(); }
  std::string procfs() const { return (root_ / "proc").string(); }
  std::string state_dir() const { return (root_ / "state").string(); }
  KernelFiles files() const {
    KernelFiles files(sysfs(), procfs());
    if (!write_faults_.empty()) files.set_write_faults(write_faults_);
    return files;
  }
  // Writes to `relative` fail with `error` in every files() made afterwards, the way a kernel
  // file refuses a value (a managed IRQ's smp_affinity_list: EIO).
  void fail_writes(const std::string& relative, int error) {
    write_faults_[(root_ / relative).string()] = error;
  }
  unsigned cpus() const { return cpus_; }

  void write(const std::string& relative, const std::string& text) const {
    auto path = root_ / relative;
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path, std::ios::trunc) << text;
  }
  std::string read(const std::string& relative) const {
    std::ifstream in(root_ / relative);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    return text;
  }
  bool exists(const std::string& relative) const {
    return std::filesystem::exists(root_ / relative);
  }
  void remove(const std::string& relative) const { std::filesystem::remove_all(root_ / relative); }

  // The kernel prints an empty mask as zeros as wide as nr_cpu_ids.
  std::string zero_mask() const { return CpuSet().to_mask(cpus_); }

  void add_nic(const FakeNic& nic) {
    std::string net = "sys/class/net/" + nic.name + "/";
    for (unsigned q = 0; q < nic.rx_queues; ++q) {
      write(net + "queues/rx-" + std::to_string(q) + "/rps_cpus", zero_mask() + "\n");
      write(net + "queues/rx-" + std::to_string(q) + "/rps_flow_cnt", "0\n");
    }
    for (unsigned q = 0; q < nic.tx_queues; ++q) {
      std::string dir = net + "queues/tx-" + std::to_string(q) + "/";
      if (nic.xps) write(dir + "xps_cpus", zero_mask() + "\n");
      if (nic.xps_rxqs) write(dir + "xps_rxqs", CpuSet().to_mask(nic.rx_queues) + "\n");
      write(dir + "tx_maxrate", "0\n");
    }
    for (const char* stat : {"rx_packets", "tx_packets", "rx_bytes", "tx_bytes", "rx_dropped"}) {
      write(net + "statistics/" + stat, "0\n");
    }
    write(net + "operstate", "up\n");
    write(net + "address", "0c:42:a1:3b:00:01\n");
    write(net + "mtu", "1500\n");
    write(net + "speed", "10000\n");
    if (nic.device) {
      std::string dev = "sys/devices/pci0000:00/" + nic.bus + "/";
      write(dev + "numa_node", std::to_string(nic.numa_node) + "\n");
      write(dev + "vendor", "0x8086\n");
      write(dev + "device", "0x1572\n");
      std::filesystem::create_directories(root_ / "sys/bus/pci/drivers" / nic.driver);
      std::filesystem::create_directories(root_ / dev);
      std::filesystem::remove(root_ / dev / "driver");
      std::filesystem::create_directory_symlink("../../../bus/pci/drivers/" + nic.driver,
                                                root_ / dev / "driver");
      std::filesystem::remove(root_ / net / "device");
      std::filesystem::create_directory_symlink("../../../devices/pci0000:00/" + nic.bus,
                                                root_ / net / "device");
      for (const auto& irq : nic.irqs) {
        write(dev + "msi_irqs/" + std::to_string(irq.irq), "msix\n");
        write("proc/irq/" + std::to_string(irq.irq) + "/smp_affinity_list", irq.affinity + "\n");
      }
    }
    nics_.push_back(nic);
    set_proc_counters(0);
    FakeEthtoolDevice& d = ethtool.device(nic.name);
    d.driver = nic.driver;
    d.bus_info = nic.device ? nic.bus : "";
  }

  // Writes /proc/stat, /proc/interrupts, /proc/softirqs and softnet_stat with every counter
  // proportional to `step`, so two steps give known deltas.
  void set_proc_counters(std::uint64_t step) const {
    std::string stat = "cpu  0 0 0 0 0 0 0 0 0 0\n";
    for (unsigned cpu = 0; cpu < cpus_; ++cpu) {
      // per step: user 10, system 10, idle 70, softirq 10 -> busy 30 %, softirq 10 %.
      stat += "cpu" + std::to_string(cpu) + " " + std::to_string(10 * step) + " 0 " +
              std::to_string(10 * step) + " " + std::to_string(70 * step) + " 0 0 " +
              std::to_string(10 * step) + " 0 0 0\n";
    }
    stat += "intr 0\nctxt 0\n";
    write("proc/stat", stat);
    std::string header = "     ";
    for (unsigned cpu = 0; cpu < cpus_; ++cpu) header += "      CPU" + std::to_string(cpu);
    std::string interrupts = header + "\n";
    for (const auto& nic : nics_) {
      for (const auto& irq : nic.irqs) {
        interrupts += " " + std::to_string(irq.irq) + ":";
        for (unsigned cpu = 0; cpu < cpus_; ++cpu)
          interrupts += " " + std::to_string(cpu == 0 ? 100 * step : 0);
        interrupts += "  IR-PCI-MSI 1-edge      " + irq.name + "\n";
      }
    }
    interrupts += "NMI:";
    for (unsigned cpu = 0; cpu < cpus_; ++cpu) interrupts += " 0";
    interrupts += "   Non-maskable interrupts\n";
    write("proc/interrupts", interrupts);
    std::string softirqs = header + "\n";
    for (const char* name : {"NET_TX", "NET_RX"}) {
      softirqs += std::string(name) + ":";
      for (unsigned cpu = 0; cpu < cpus_; ++cpu) softirqs += " " + std::to_string(5 * step);
      softirqs += "\n";
    }
    write("proc/softirqs", softirqs);
    std::string softnet;
    char row[256];
    for (unsigned cpu = 0; cpu < cpus_; ++cpu) {
      std::snprintf(row, sizeof row,
                    "%08llx %08llx %08llx 00000000 00000000 00000000 00000000 00000000 00000000 "
                    "%08x %08x 00000000 %08x\n",
                    static_cast<unsigned long long>(1000 * step),
                    static_cast<unsigned long long>(step),
                    static_cast<unsigned long long>(2 * step), 0u, 0u, cpu);
      softnet += row;
    }
    write("proc/net/softnet_stat", softnet);
  }

  FakeEthtool ethtool;

 private:
  static int& counter() {
    static int n = 0;
    return n;
  }
  std::filesystem::path root_;
  unsigned cpus_;
  std::vector<FakeNic> nics_;
  std::map<std::string, int> write_faults_;
};

// A NIC with the ethtool operations a real multi-queue NIC has (channels, coalesce, pause,
// rings, RSS, features, stats), named like ixgbe's IRQs.
inline FakeNic ixgbe_like(unsigned queues = 4, unsigned first_irq = 60) {
  FakeNic nic;
  for (unsigned q = 0; q < queues; ++q) {
    nic.irqs.push_back({first_irq + q, "eth1-TxRx-" + std::to_string(q), std::to_string(q % 2)});
  }
  nic.irqs.push_back({first_irq + queues, "eth1", "0"});
  return nic;
}

inline void give_full_ethtool(FakeHost& host, const std::string& name, unsigned queues = 4) {
  FakeEthtoolDevice& d = host.ethtool.device(name);
  ethtool_channels c{};
  c.max_combined = 16;
  c.combined_count = queues;
  c.max_other = 1;
  c.other_count = 1;
  d.channels = c;
  ethtool_coalesce co{};
  co.rx_coalesce_usecs = 3;
  co.tx_coalesce_usecs = 0;
  co.rx_max_coalesced_frames = 0;
  co.use_adaptive_rx_coalesce = 1;
  d.coalesce = co;
  ethtool_pauseparam p{};
  p.autoneg = 0;
  p.rx_pause = 1;
  p.tx_pause = 1;
  d.pause = p;
  ethtool_ringparam r{};
  r.rx_max_pending = 4096;
  r.tx_max_pending = 4096;
  r.rx_pending = 512;
  r.tx_pending = 512;
  d.rings = r;
  d.rx_rings = queues;
  d.rss_indir.resize(128);
  for (std::size_t i = 0; i < d.rss_indir.size(); ++i)
    d.rss_indir[i] = static_cast<std::uint32_t>(i % queues);
  d.features = {{"rx-gro", true, true, true, false},
                {"rx-lro", true, false, false, false},
                {"tx-tcp-segmentation", true, true, true, false},
                {"tx-tcp-ecn-segmentation", true, false, false, false},
                {"tx-tcp6-segmentation", true, true, true, false},
                {"tx-generic-segmentation", true, true, true, false},
                {"rx-gro-hw", false, false, false, false},
                {"rx-ntuple-filter", true, false, false, false}};
  d.stats = {{"rx_queue_0_packets", 10}, {"rx_queue_1_packets", 20}, {"tx_packets", 30}};
}

}  // namespace nictune::agent::testing

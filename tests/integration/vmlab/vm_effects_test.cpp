// Effects of a knob with real traffic on a real driver: e1000e's rx-usecs (interrupt
// throttling) lowers the interrupts per received packet at the same offered load. Counts come
// from the guest's own /proc/interrupts and `ethtool -S`; the direction is asserted with a
// margin, the figures are printed (TCG timing is approximate: no rate is asserted).
#include <map>
#include <regex>
#include <sstream>
#include <thread>

#include "vm_lab_fixture.hpp"

namespace nictune::lab::vmtest {
namespace {

using namespace std::chrono_literals;

class VmEffects : public VmLab {
 protected:
  long rx_packets(const std::string& interface) {
    std::smatch m;
    std::string stats = guest("ethtool -S " + interface);
    if (!std::regex_search(stats, m, std::regex("\\brx_packets:\\s+(\\d+)"))) return -1;
    return std::stol(m[1]);
  }

  struct Sample {
    long irqs = 0;
    long packets = 0;
    double per_packet() const { return packets > 0 ? double(irqs) / double(packets) : -1; }
  };

  Sample measure(const VmNic& nic, int rx_irq, int count) {
    auto total = [&] {
      long sum = 0;
      for (long c : irq_counts(rx_irq)) sum += c;
      return sum;
    };
    long irq_before = total(), packets_before = rx_packets(nic.guest_interface);
    udp_from_lg(nic, count);
    std::this_thread::sleep_for(500ms);  // the last throttled interrupt
    return {total() - irq_before, rx_packets(nic.guest_interface) - packets_before};
  }
};

TEST_F(VmEffects, E1000eLargerRxUsecsLowersInterruptsPerPacket) {
  const VmNic& nic = lab().nic("e1000e");
  int rx_irq = -1;
  for (const auto& [irq, name] : irqs("dut-e1000e-rx")) rx_irq = irq;
  ASSERT_GT(rx_irq, 0) << guest("cat /proc/interrupts");
  std::string usecs_before = ethtool_value("-c dut-e1000e", "rx-usecs");
  constexpr int kDatagrams = 800;
  std::map<int, Sample> samples;
  auto client = dut("e1000e");
  // Paced datagrams (about 2 ms apart: back to back, NAPI polling merges them whatever the
  // setting; 57 interrupts for 2000 was seen). 0: no throttling, about one interrupt per
  // packet; 10000 µs: e1000e's largest, at most 100 interrupts/s. (Values whose 1e6/usecs is
  // not a multiple of 4 read back rounded: 3000 reads 3012, and the agent refuses it.)
  for (int usecs : {0, 10000}) {
    client->call("apply",
                 {{"interface", nic.guest_interface}, {"values", {{"coalesce.rx_usecs", usecs}}}},
                 120s);
    ASSERT_EQ(ethtool_value("-c dut-e1000e", "rx-usecs"), std::to_string(usecs));
    samples[usecs] = measure(nic, rx_irq, kDatagrams);
    std::cerr << "[vmlab] e1000e rx-usecs " << usecs << ": " << samples[usecs].irqs
              << " rx interrupts for " << samples[usecs].packets << " packets ("
              << samples[usecs].per_packet() << " per packet)\n";
  }
  client->call("restore", {{"interface", nic.guest_interface}}, 120s);
  client->close();
  EXPECT_EQ(ethtool_value("-c dut-e1000e", "rx-usecs"), usecs_before);
  for (const auto& [usecs, s] : samples)
    ASSERT_GE(s.packets, kDatagrams / 4) << "rx-usecs " << usecs << ": too few packets arrived";
  // Direction with a margin: at least 15 % fewer interrupts per packet. QEMU's e1000e throttles
  // far less than the 100/s the register asks for (seen: 1.68 per packet at 0, 1.04 at 10000,
  // about 250 interrupts/s), so the margin is what TCG shows, not what hardware would.
  EXPECT_LT(samples[10000].per_packet(), samples[0].per_packet() * 0.85)
      << "rx-usecs 10000 did not lower e1000e's interrupts per packet";
}

}  // namespace
}  // namespace nictune::lab::vmtest

// Effects of a knob with real traffic on a real driver: e1000e's rx-usecs (interrupt
// throttling) lowers the interrupts per received packet at the same offered load. Counts come
// from the guest's own /proc/interrupts and `ethtool -S`. Asserted: the cap on the interrupt
// rate the setting promises (with QEMU's own slack), and the direction with a margin; the figures
// are printed. Seen on two cores: 1.98 per packet at 0, 0.19 at 10000 (128/s), also with
// stress-ng loading both CPUs to 60 %.
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
  static constexpr auto kSettle = 500ms;

  long rx_packets(const std::string& interface) {
    std::smatch m;
    std::string stats = guest("ethtool -S " + interface);
    if (!std::regex_search(stats, m, std::regex("\\brx_packets:\\s+(\\d+)"))) return -1;
    return std::stol(m[1]);
  }

  struct Sample {
    long irqs = 0;
    long packets = 0;
    double seconds = 0;  // sending plus the settle time after it
    double per_packet() const { return packets > 0 ? double(irqs) / double(packets) : -1; }
  };

  Sample measure(const VmNic& nic, int rx_irq, int count) {
    auto total = [&] {
      long sum = 0;
      for (long c : irq_counts(rx_irq)) sum += c;
      return sum;
    };
    long irq_before = total(), packets_before = rx_packets(nic.guest_interface);
    double sending = udp_from_lg(nic, count, 1ms);
    std::this_thread::sleep_for(kSettle);  // the last throttled interrupt
    return {total() - irq_before, rx_packets(nic.guest_interface) - packets_before,
            sending + std::chrono::duration<double>(kSettle).count()};
  }
};

TEST_F(VmEffects, E1000eLargerRxUsecsLowersInterruptsPerPacket) {
  const VmNic& nic = lab().nic("e1000e");
  int rx_irq = -1;
  for (const auto& [irq, name] : irqs("dut-e1000e-rx")) rx_irq = irq;
  ASSERT_GT(rx_irq, 0) << guest("cat /proc/interrupts");
  std::string usecs_before = ethtool_value("-c dut-e1000e", "rx-usecs");
  constexpr int kDatagrams = 1000;
  std::map<int, Sample> samples;
  auto client = dut("e1000e");
  // Datagrams 1 ms apart (back to back, NAPI polling merges them whatever the setting; 57
  // interrupts for 2000 was seen). 0: no throttling, about one interrupt per packet; 10000 µs:
  // e1000e's largest, an EITR interval of 10 ms. (Values whose 1e6/usecs is not a multiple of 4
  // read back rounded: 3000 reads 3012, and the agent refuses it.)
  for (int usecs : {0, 10000}) {
    client->call("apply",
                 {{"interface", nic.guest_interface}, {"values", {{"coalesce.rx_usecs", usecs}}}},
                 120s);
    ASSERT_EQ(ethtool_value("-c dut-e1000e", "rx-usecs"), std::to_string(usecs));
    samples[usecs] = measure(nic, rx_irq, kDatagrams);
    const Sample& s = samples[usecs];
    std::cerr << "[vmlab] e1000e rx-usecs " << usecs << ": " << s.irqs << " rx interrupts for "
              << s.packets << " packets in " << s.seconds << " s (" << s.per_packet()
              << " per packet, " << double(s.irqs) / s.seconds << "/s)\n";
  }
  client->call("restore", {{"interface", nic.guest_interface}}, 120s);
  client->close();
  EXPECT_EQ(ethtool_value("-c dut-e1000e", "rx-usecs"), usecs_before);
  for (const auto& [usecs, s] : samples)
    ASSERT_GE(s.packets, kDatagrams / 2) << "rx-usecs " << usecs << ": too few packets arrived";
  // The knob's own promise: a cap on the interrupt rate. QEMU 7.2's e1000e fires the MSI-X
  // throttle timer even with nothing pending (fixed upstream in 2025), so a packet that finds
  // the timer idle costs two interrupts: up to 2 per 10 ms interval, 200/s. The same
  // datagrams without throttling must exceed that rate, or the comparison shows nothing.
  const Sample& capped = samples[10000];
  const Sample& unthrottled = samples[0];
  EXPECT_LE(capped.irqs, 2 * 100 * capped.seconds + 20)
      << "rx-usecs 10000 did not cap e1000e's rx interrupts at 2 per 10 ms";
  EXPECT_GT(unthrottled.irqs, 2 * 100 * unthrottled.seconds * 1.5)
      << "without throttling the datagrams raised no more interrupts than the cap allows: the "
         "sender or the guest was too slow for the comparison";
  EXPECT_LT(capped.per_packet(), unthrottled.per_packet() * 0.6)
      << "rx-usecs 10000 did not lower e1000e's interrupts per packet";
}

}  // namespace
}  // namespace nictune::lab::vmtest

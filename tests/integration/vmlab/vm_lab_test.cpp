// The VM lab with real parts: a QEMU guest running a Debian kernel with the real virtio-net,
// e1000e and vmxnet3 drivers, reached over OpenSSH; the agent is uploaded by SFTP and applies
// knobs inside the guest; the guest's own ethtool and /proc (over a separate ssh) say whether
// they took. One boot for the whole program (vm_lab_fixture). Functional, not performance:
// under TCG the guest moves about 10k packets/s.
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "orchestrator/transport/subprocess.hpp"
#include "support/command_line.hpp"
#include "vm_lab_fixture.hpp"

namespace nictune::lab::vmtest {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::run_command;

TEST_F(VmLab, GuestRunsTheRequestedKernelAndDrivers) {
  EXPECT_EQ(guest("uname -r"), lab().kernel_release + "\n");
  for (const auto& nic : lab().nics) {
    std::string driver = ethtool_value("-i " + nic.guest_interface, "driver");
    std::string expected = nic.kind == "virtio" ? "virtio_net" : nic.kind;
    EXPECT_EQ(driver, expected) << nic.guest_interface;
  }
  EXPECT_EQ(current_combined("dut-virtio"), 2) << "virtio enables min(4 queues, 2 CPUs)";
}

TEST_F(VmLab, ProbeSaysWhatEachDriverLacksAndGuardsTheManagementNic) {
  auto virtio = dut("virtio");
  Json probe = virtio->call("probe", {{"interface", "dut-virtio"}}, 60s);
  const Json& knobs = probe.at("knobs");
  EXPECT_TRUE(knobs.at("channels.combined").at("supported").get<bool>());
  EXPECT_EQ(knobs.at("channels.combined").at("range").at("max"), 4);
  EXPECT_TRUE(knobs.at("rss.queues").at("supported").get<bool>());
  EXPECT_FALSE(knobs.at("pause.rx").at("supported").get<bool>());
  EXPECT_FALSE(knobs.at("pause.rx").value("reason", "").empty());
  EXPECT_EQ(probe.at("management").at("interfaces"), Json::array({"mgmt0"}));
  EXPECT_GE(probe.at("topology").at("irqs").size(), 4u) << probe.at("topology").dump();
  EXPECT_THROW(
      virtio->call("apply", {{"interface", "mgmt0"}, {"values", {{"channels.combined", 1}}}}, 60s),
      Error);
  virtio->close();

  auto e1000e = dut("e1000e");
  Json p2 = e1000e->call("probe", {{"interface", "dut-e1000e"}}, 60s);
  EXPECT_FALSE(p2.at("knobs").at("channels.combined").at("supported").get<bool>());
  EXPECT_TRUE(p2.at("knobs").at("coalesce.rx_usecs").at("supported").get<bool>());
  EXPECT_TRUE(p2.at("knobs").at("pause.rx").at("supported").get<bool>());
  EXPECT_TRUE(p2.at("knobs").at("rings.rx").at("supported").get<bool>());
  e1000e->close();
}

TEST_F(VmLab, VirtioKnobsReadBackInTheGuestAndRestore) {
  int channels_before = current_combined("dut-virtio");
  std::string indir_before = guest("ethtool -x dut-virtio");
  // The management NIC is the first virtio device (virtio0-*): its IRQs must not move.
  auto affinity_of = [&](const std::string& part) {
    std::string out;
    for (const auto& [irq, name] : irqs(part))
      out += name + "=" + guest("cat /proc/irq/" + std::to_string(irq) + "/smp_affinity_list");
    return out;
  };
  std::string mgmt_before = affinity_of("virtio0-");
  auto client = dut("virtio");
  Json applied = client->call("apply", virtio_point_params(), 120s);
  EXPECT_EQ(current_combined("dut-virtio"), 4);
  // rss.queues 2: table[i] = i % 2, so the table names queues 0 and 1 only.
  std::string indir = guest("ethtool -x dut-virtio");
  EXPECT_TRUE(std::regex_search(indir, std::regex("0:\\s+0\\s+1\\s+0\\s+1"))) << indir;
  EXPECT_EQ(indir.find(" 2 "), std::string::npos) << indir;
  int checked = 0;
  for (const auto& [irq, list] : applied.at("applied").at("irq_affinity").items()) {
    EXPECT_EQ(list, "1");
    EXPECT_EQ(guest("cat /proc/irq/" + irq + "/smp_affinity_list"), "1\n") << "IRQ " << irq;
    ++checked;
  }
  EXPECT_GE(checked, 4) << applied.dump();
  EXPECT_EQ(guest("cat /sys/class/net/dut-virtio/queues/rx-0/rps_cpus"), "3\n");
  EXPECT_EQ(guest("cat /sys/class/net/dut-virtio/queues/tx-1/xps_cpus"), "1\n");
  EXPECT_EQ(affinity_of("virtio0-"), mgmt_before) << "the management NIC's IRQs moved";

  Json restored = client->call("restore", {{"interface", "dut-virtio"}}, 120s);
  EXPECT_TRUE(restored.at("mismatches").empty()) << restored.dump();
  EXPECT_EQ(current_combined("dut-virtio"), channels_before);
  EXPECT_EQ(guest("ethtool -x dut-virtio"), indir_before);
  EXPECT_EQ(guest("cat /sys/class/net/dut-virtio/queues/rx-0/rps_cpus"), "0\n");
  client->close();
}

TEST_F(VmLab, E1000eCoalescingPauseRingsReadBackAndRestore) {
  std::string usecs_before = ethtool_value("-c dut-e1000e", "rx-usecs");
  std::string rx_pause_before = ethtool_value("-a dut-e1000e", "RX");
  auto client = dut("e1000e");
  client->call(
      "apply",
      {{"interface", "dut-e1000e"}, {"values", {{"coalesce.rx_usecs", 100}, {"rings.rx", 512}}}},
      120s);
  EXPECT_EQ(ethtool_value("-c dut-e1000e", "rx-usecs"), "100");
  std::string rings = guest("ethtool -g dut-e1000e");
  auto current = rings.substr(rings.find("Current hardware settings"));
  EXPECT_NE(current.find("512"), std::string::npos) << rings;
  // A ring change resets e1000e's link, and the flow control it reports is resolved again at
  // the next link-up: pause written before that link-up can read differently seconds later.
  // Let the link come back before writing pause (docs/lab.md, "findings").
  for (int i = 0; i < 30 && guest("cat /sys/class/net/dut-e1000e/operstate") != "up\n"; ++i)
    std::this_thread::sleep_for(1s);
  std::this_thread::sleep_for(2s);
  // e1000e ignores rx pause while pause autonegotiation is on.
  client->call(
      "apply",
      {{"interface", "dut-e1000e"}, {"values", {{"pause.autoneg", false}, {"pause.rx", false}}}},
      120s);
  std::this_thread::sleep_for(3s);
  EXPECT_EQ(ethtool_value("-a dut-e1000e", "Autonegotiate"), "off");
  EXPECT_EQ(ethtool_value("-a dut-e1000e", "RX"), "off");
  Json restored = client->call("restore", {{"interface", "dut-e1000e"}}, 120s);
  EXPECT_TRUE(restored.at("mismatches").empty()) << restored.dump();
  EXPECT_EQ(ethtool_value("-c dut-e1000e", "rx-usecs"), usecs_before);
  client->close();
}

TEST_F(VmLab, IrqCountsFollowTheAffinityTheAgentWrote) {
  const VmNic& nic = lab().nic("e1000e");
  for (int cpu : {1, 0}) {
    auto client = dut("e1000e");
    client->call("apply",
                 {{"interface", nic.guest_interface},
                  {"values", {{"irq_affinity", "single:" + std::to_string(cpu)}}}},
                 120s);
    int rx_irq = -1;
    for (const auto& [irq, name] : irqs("dut-e1000e-rx")) rx_irq = irq;
    ASSERT_GT(rx_irq, 0) << guest("cat /proc/interrupts");
    auto before = irq_counts(rx_irq);
    udp_from_lg(nic, 600);
    auto after = irq_counts(rx_irq);
    ASSERT_EQ(before.size(), 2u);
    long on = after[cpu] - before[cpu];
    long off = after[1 - cpu] - before[1 - cpu];
    EXPECT_GE(on, 300) << "rx IRQ " << rx_irq << " on cpu " << cpu;
    EXPECT_LE(off, on / 10) << "rx IRQ " << rx_irq << " still fires on cpu " << 1 - cpu;
    client->call("restore", {{"interface", nic.guest_interface}}, 120s);
    client->close();
  }
}

TEST_F(VmLab, RssTableWeightPutsThePacketsOnQueueOnesIrq) {
  // The agent's rss.queues spreads evenly; an uneven table (weight 0 1) is written with the
  // guest's ethtool here: this checks the lab's virtio RSS (rss=on) that rss.queues relies on.
  const VmNic& nic = lab().nic("virtio");
  guest("ethtool -X dut-virtio weight 0 1");
  int q0 = -1, q1 = -1;
  for (const auto& [irq, name] : irqs("-input.")) {
    if (name.rfind("virtio0-", 0) == 0) continue;  // the management NIC
    if (name.ends_with("input.0")) q0 = irq;
    if (name.ends_with("input.1")) q1 = irq;
  }
  ASSERT_GT(q0, 0);
  ASSERT_GT(q1, 0);
  auto sum = [](const std::vector<long>& counts) {
    long total = 0;
    for (long c : counts) total += c;
    return total;
  };
  long q0_before = sum(irq_counts(q0)), q1_before = sum(irq_counts(q1));
  udp_from_lg(nic, 600);  // one flow: with weight 0 1 every hash meets queue 1
  long on_q0 = sum(irq_counts(q0)) - q0_before, on_q1 = sum(irq_counts(q1)) - q1_before;
  guest("ethtool -X dut-virtio default");
  EXPECT_GE(on_q1, 200) << "queue 1's IRQ " << q1;
  EXPECT_LE(on_q0, on_q1 / 10) << "queue 0's IRQ " << q0 << " still takes packets";
}

TEST_F(VmLab, ProbeAndRunThroughTheCliOverSsh) {
  Json spec = load_json_file(lab().template_path);
  spec["space"]["parameters"] = {{"channels.combined", {1, 2}}};
  spec["workload"]["duration_s"] = 2;
  std::string dir = lab().dir + "/e2e";
  fs::create_directories(dir);
  std::string spec_path = dir + "/spec.json";
  std::ofstream(spec_path) << spec.dump(2);
  std::string db = dir + "/nictune.db";
  fs::remove(db);
  int channels_before = current_combined("dut-virtio");

  auto probe = run_command(nictune_binary() + " probe --agent " + agent_binary() + " " + spec_path);
  EXPECT_EQ(probe.code, 0) << probe.output;
  EXPECT_NE(probe.output.find("virtio_net"), std::string::npos) << probe.output;

  auto started = std::chrono::steady_clock::now();
  auto run = run_command(nictune_binary() + " run --agent " + agent_binary() + " --db " + db + " " +
                         spec_path);
  std::cerr << "[vmlab] nictune run took "
            << std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()
            << " s\n";
  EXPECT_EQ(run.code, 0) << run.output;
  auto report = run_command(nictune_binary() + " report --db " + db + " --format csv");
  EXPECT_EQ(report.code, 0) << report.output;
  EXPECT_NE(report.output.find("channels.combined"), std::string::npos) << report.output;
  EXPECT_EQ(current_combined("dut-virtio"), channels_before) << "the guest is left as found";
  fs::remove_all(dir);
}

TEST_F(VmLab, OrchestratorKilledMidRunLeavesTheGuestAsFound) {
  Json spec = load_json_file(lab().template_path);
  spec["space"]["parameters"] = {{"channels.combined", {1}}, {"rps", {"all"}}};
  spec["workload"]["duration_s"] = 30;
  std::string dir = lab().dir + "/kill";
  fs::create_directories(dir);
  std::string spec_path = dir + "/spec.json";
  std::ofstream(spec_path) << spec.dump(2);
  int channels_before = current_combined("dut-virtio");
  pid_t pid = subprocess::spawn_detached(
      {nictune_binary(), "run", "--agent", agent_binary(), "--db", dir + "/nictune.db", spec_path},
      dir + "/run.log");
  // Wait until the trial's settings are on the guest, then SIGKILL the orchestrator.
  bool applied = false;
  for (int i = 0; i < 120 && !applied; ++i) {
    std::this_thread::sleep_for(500ms);
    applied = current_combined("dut-virtio") == 1;
  }
  EXPECT_TRUE(applied) << "the trial never applied channels.combined 1";
  ::kill(pid, SIGKILL);
  subprocess::wait_gone(pid, 5s);
  // The guest's agent sees its ssh session end and restores on its own.
  bool restored = false;
  for (int i = 0; i < 60 && !restored; ++i) {
    std::this_thread::sleep_for(1s);
    restored = current_combined("dut-virtio") == channels_before &&
               guest("cat /sys/class/net/dut-virtio/queues/rx-0/rps_cpus") == "0\n";
  }
  EXPECT_TRUE(restored) << "channels " << current_combined("dut-virtio") << ", want "
                        << channels_before;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace nictune::lab::vmtest

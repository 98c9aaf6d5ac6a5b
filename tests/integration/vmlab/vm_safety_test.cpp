// Safety in the guest with the real drivers: an agent SIGKILLed inside the guest leaves its
// changes (nothing had a chance to undo them) and `nictune-agent --restore` run there puts back
// what was found; a run whose consecutive points write an RSS table and then shrink channels
// completes every trial (the clean base: the kernel refuses `-L combined 1` while the table
// points at queue 1). Every check reads the guest with its own ethtool/cat over a separate ssh.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <thread>
#include <vector>

#include "core/json_util.hpp"
#include "support/command_line.hpp"
#include "vm_lab_fixture.hpp"

namespace nictune::lab::vmtest {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::run_command;

// What the test reads of dut-virtio before and after: every value the agent's knobs here change.
struct VirtioState {
  int channels = -1;
  std::string indirection;  // ethtool -x
  std::string rps;          // rx-0's rps_cpus
  std::string xps;          // tx-1's xps_cpus
  std::string affinity;     // "irq=list" of virtio1's IRQs
  bool operator==(const VirtioState&) const = default;
};

class VmSafety : public VmLab {
 protected:
  // One ssh round trip (each costs seconds under TCG): the sections split by "--\n".
  VirtioState read_virtio() {
    std::string out = guest(
        "ethtool -l dut-virtio; echo --; ethtool -x dut-virtio; echo --; "
        "cat /sys/class/net/dut-virtio/queues/rx-0/rps_cpus; echo --; "
        "cat /sys/class/net/dut-virtio/queues/tx-1/xps_cpus; echo --; "
        "for i in $(grep virtio1- /proc/interrupts | cut -d: -f1); do "
        "echo $i=$(cat /proc/irq/$i/smp_affinity_list); done");
    std::vector<std::string> parts;
    for (std::size_t at = 0;;) {
      std::size_t next = out.find("--\n", at);
      parts.push_back(out.substr(at, next == std::string::npos ? next : next - at));
      if (next == std::string::npos) break;
      at = next + 3;
    }
    VirtioState s;
    if (parts.size() != 5) {
      ADD_FAILURE() << "unexpected output: " << out;
      return s;
    }
    std::smatch m;
    auto current = parts[0].find("Current hardware settings");
    std::string tail = current == std::string::npos ? "" : parts[0].substr(current);
    if (std::regex_search(tail, m, std::regex("Combined:\\s+(\\d+)"))) s.channels = std::stoi(m[1]);
    s.indirection = parts[1];
    s.rps = parts[2];
    s.xps = parts[3];
    s.affinity = parts[4];
    return s;
  }

  // PIDs of processes in the guest whose executable is an uploaded agent, with that path:
  // read from the guest's /proc (the shell running this has busybox as its executable).
  std::map<long, std::string> guest_agents() {
    std::map<long, std::string> out;
    std::istringstream in(
        guest("for p in /proc/[0-9]*; do e=$(readlink $p/exe 2>/dev/null); case \"$e\" in "
              "*/nictune-agent-*) echo \"${p#/proc/} $e\";; esac; done"));
    long pid;
    std::string exe;
    while (in >> pid >> exe) out[pid] = exe;
    return out;
  }
};

TEST_F(VmSafety, AgentSigkilledInTheGuestThenRestoreCommandPutsBackWhatWasFound) {
  VirtioState before = read_virtio();
  ASSERT_EQ(guest_agents().size(), 0u) << "an agent from an earlier test is still running";
  auto client = dut("virtio");
  client->call("apply", virtio_point_params(), 120s);
  VirtioState applied = read_virtio();
  ASSERT_EQ(applied.channels, 4);
  ASSERT_NE(applied, before);

  auto agents = guest_agents();
  ASSERT_EQ(agents.size(), 1u) << "the agent serving this test, found by its executable";
  auto [pid, path] = *agents.begin();
  guest("kill -KILL " + std::to_string(pid));
  bool gone = false;
  for (int i = 0; i < 20 && !gone; ++i) {
    gone = guest_agents().empty();
    if (!gone) std::this_thread::sleep_for(250ms);
  }
  ASSERT_TRUE(gone) << "agent pid " << pid << " survived SIGKILL";
  client.reset();  // its session ends; nothing in the guest is left to act on it

  // Nothing undid the changes: the agent had no chance, and they persist in its state directory.
  EXPECT_EQ(read_virtio(), applied);
  int status = -1;
  guest("test -e /var/lib/nictune/dut-virtio.snapshot.json", &status);
  EXPECT_EQ(status, 0) << "the snapshot the restore needs is not in the guest's state directory";

  std::string out = guest(path + " --restore", &status);
  EXPECT_EQ(status, 0) << out;
  Json report = Json::parse(out);
  EXPECT_TRUE(report.at("mismatches").empty()) << out;
  EXPECT_FALSE(report.at("restored").empty()) << out;
  VirtioState after = read_virtio();
  EXPECT_EQ(after.channels, before.channels);
  EXPECT_EQ(after.indirection, before.indirection);
  EXPECT_EQ(after.rps, before.rps);
  EXPECT_EQ(after.xps, before.xps);
  EXPECT_EQ(after.affinity, before.affinity);
  guest("test -e /var/lib/nictune/dut-virtio.snapshot.json", &status);
  EXPECT_NE(status, 0) << "a clean restore removes the snapshot";
}

TEST_F(VmSafety, RssTableThenChannelShrinkCompletesEveryTrial) {
  VirtioState before = read_virtio();
  ASSERT_GE(before.channels, 2);
  // What the runner must get around, shown with the guest's own ethtool: with the table on queue
  // 1 the kernel refuses one channel (6.12.117 and 6.1.0-57 both do). Printed, not asserted: a
  // kernel that accepts it makes this test weaker, not wrong.
  guest("ethtool -X dut-virtio weight 0 1");
  int status = -1;
  std::string refused = guest("ethtool -L dut-virtio combined 1 2>&1", &status);
  std::cerr << "[vmlab] `ethtool -L combined 1` under `weight 0 1`: "
            << (status == 0 ? "accepted" : "refused: " + refused);
  if (status == 0) guest("ethtool -L dut-virtio combined " + std::to_string(before.channels));
  guest("ethtool -X dut-virtio default");
  ASSERT_EQ(read_virtio(), before) << "the probe above did not put the NIC back";

  // Points in grid order: (2 channels, table 0 1 0 1...), then (1 channel), which leaves
  // rss.queues out: the runner first restores the original (the table back to the driver's,
  // then the channels), then shrinks. Checked below from the stored trial order.
  Json spec = load_json_file(lab().template_path);
  spec["space"]["parameters"] = {{"channels.combined", {{"type", "ordinal"}, {"values", {2, 1}}}},
                                 {"rss.queues",
                                  {{"type", "ordinal"},
                                   {"values", {2}},
                                   {"when", {{"param", "channels.combined"}, {"not_in", {1}}}}}}};
  spec["workload"]["duration_s"] = 2;
  spec["workload"]["warmup_s"] = 0;
  spec["repetitions"] = {{"count", 1}};
  std::string dir = lab().dir + "/cleanbase";
  fs::create_directories(dir);
  std::string spec_path = dir + "/spec.json";
  std::ofstream(spec_path) << spec.dump(2);
  std::string db = dir + "/nictune.db";
  fs::remove(db);
  auto run = run_command(nictune_binary() + " run --agent " + agent_binary() + " --db " + db + " " +
                         spec_path);
  EXPECT_EQ(run.code, 0) << run.output;
  auto report = run_command(nictune_binary() + " report --db " + db + " --format json");
  ASSERT_EQ(report.code, 0) << report.output;
  Json trials = Json::parse(report.output.substr(report.output.find('{'))).at("trials");
  std::sort(trials.begin(), trials.end(),
            [](const Json& a, const Json& b) { return a.at("id") < b.at("id"); });
  bool shrink_after_table = false;
  int table_points = 0, one_channel_points = 0;
  for (std::size_t i = 0; i < trials.size(); ++i) {
    const Json& t = trials[i];
    EXPECT_EQ(t.at("state"), "complete") << t.dump();
    if (t.at("baseline").get<bool>()) continue;
    const Json& config = t.at("config");
    if (config.value("rss.queues", 0) == 2) ++table_points;
    if (config.value("channels.combined", 0) == 1) {
      ++one_channel_points;
      if (i > 0 && trials[i - 1].at("config").value("rss.queues", 0) == 2)
        shrink_after_table = true;
    }
  }
  EXPECT_EQ(table_points, 1) << trials.dump();
  EXPECT_EQ(one_channel_points, 1) << trials.dump();
  EXPECT_TRUE(shrink_after_table) << "the grid did not put the shrink right after the table: "
                                  << trials.dump();
  EXPECT_EQ(read_virtio(), before) << "the guest is left as found";
  fs::remove_all(dir);
}

}  // namespace
}  // namespace nictune::lab::vmtest

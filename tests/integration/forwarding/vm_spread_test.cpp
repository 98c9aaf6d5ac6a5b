// The multi-queue spread check on a real driver: a QEMU guest (VM lab, virtio-net with 4 queues
// and QEMU's RSS, min(4, CPUs) queues enabled) whose UDP/IPv4 receive hash the agent sets to
// addresses only (rx_flow_hash.udp4 "sd", as igb hashes UDP by default). Flows that differ only in
// their source ports then land on one queue, and address-spread flows (workload source_prefix /
// source_addresses) on more than one: the guest's own `ethtool -S` per-queue counters say where
// the packets went. The agent's restore puts the hash back (read with the guest's ethtool).
// And the forwarding bench on real drivers (`lab up --vm --forwarding`): the guest routes from
// its virtio NIC out of its e1000e NIC to the LG's sink under `nictune run` of the VM router
// spec. One boot for both tests; TCG is slow, so the load is small (2000 datagrams/s for 2 s).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "orchestrator/lab/vm_lab.hpp"
#include "orchestrator/store/store_backends.hpp"
#include "orchestrator/transport/agent_client.hpp"
#include "orchestrator/transport/subprocess.hpp"
#include "tests/support/command_line.hpp"
#include "tests/support/lab_slot.hpp"

namespace nictune::lab {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// The Toeplitz key of Microsoft's RSS verification suite (40 bytes, virtio-net's key size).
constexpr const char* kVerificationKey =
    "6d:5a:56:da:25:5b:0e:c2:41:67:25:3d:43:a3:8f:b0:d0:ca:2b:cb:"
    "ae:7b:30:b4:77:cb:2d:a3:80:30:f2:0c:6a:42:b7:3b:be:ac:01:fa";

std::string release_agent() {
  const char* release = std::getenv("NICTUNE_RELEASE_BUILD");
  return std::string(release && *release ? release : NICTUNE_BINARY_DIR) + "/agents/nictune-agent";
}

std::string skip_reason() {
  if (::geteuid() != 0) return "needs root (namespaces, taps, qemu)";
  if (subprocess::find_program("qemu-system-x86_64").empty())
    return "qemu-system-x86_64 is not installed (scripts/install-deps.sh)";
  if (!fs::exists(release_agent()))
    return "no release agent at " + release_agent() + " (set NICTUNE_RELEASE_BUILD)";
  if (subprocess::run({"file", "-L", release_agent()}).out.find("dynamically linked") !=
      std::string::npos)
    return release_agent() + " is dynamically linked; the guest needs the static release build";
  return {};
}

LabConfig config(int index) {
  LabConfig c;
  c.name = "vsp";
  c.index = index;
  c.dir = "/var/lib/nictune/lab/vsp";
  c.template_path = c.dir + "/experiment.json";
  c.agent_path = release_agent();
  return c;
}

// `command` in the guest over its sshd (the lab's key, strict host keys).
subprocess::RunResult run_in_guest(const VmLabState& lab, const std::string& command) {
  return subprocess::run(
      {"ssh", "-i", lab.identity_file, "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes",
       "-o", "UserKnownHostsFile=" + lab.known_hosts, "-o", "ConnectTimeout=10",
       "root@" + lab.guest_mgmt_address, command},
      60s);
}

// One guest for the program's tests (a boot under TCG is the slow part): virtio and e1000e data
// NICs, so the forwarding test has a link in and a link out.
struct SharedLab {
  std::string skip;
  std::string failure;
  testing::HostSlot slot;
  VmLabState state;
  bool up = false;
};
SharedLab* shared = nullptr;

class VmSpread : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    shared = new SharedLab;
    shared->skip = skip_reason();
    if (!shared->skip.empty()) return;
    try {
      shared->slot = testing::lab_index_slot(config(0));
      VmConfig vm;
      vm.nics = {"virtio", "e1000e"};  // in and out
      if (const char* kernel = std::getenv("NICTUNE_VM_KERNEL")) vm.kernel = kernel;
      LabConfig c = config(shared->slot.number());
      c.forwarding = true;
      c.log = [](const std::string& line) { std::cerr << "[vmspread] " << line << "\n"; };
      shared->up = true;  // a failed vm_lab_up removed what it made; lab down is harmless then
      shared->state = vm_lab_up(c, vm);
    } catch (const std::exception& e) {
      shared->failure = e.what();
    }
  }
  static void TearDownTestSuite() {
    if (shared && shared->up) {
      try {
        vm_lab_down(config(shared->slot.number()));
      } catch (const std::exception& e) {
        std::cerr << "[vmspread] lab down failed: " << e.what() << "\n";
      }
    }
    delete shared;
    shared = nullptr;
  }
  void SetUp() override {
    if (!shared->skip.empty()) GTEST_SKIP() << shared->skip;
    ASSERT_TRUE(shared->failure.empty()) << "lab up --vm failed: " << shared->failure;
  }
  const VmLabState& state() const { return shared->state; }

  std::string guest(const std::string& command) {
    auto r = run_in_guest(state(), command);
    EXPECT_TRUE(r.ok()) << command << ": " << r.failure();
    return r.out;
  }
  // rx_queue_N_packets of the guest NIC, from the guest's own ethtool.
  std::map<int, long> rx_queues() {
    std::map<int, long> out;
    const std::string text = guest("ethtool -S dut-virtio");
    const std::regex line("rx_queue_(\\d+)_packets:\\s+(\\d+)");
    for (auto it = std::sregex_iterator(text.begin(), text.end(), line);
         it != std::sregex_iterator(); ++it)
      out[std::stoi((*it)[1])] = std::stol((*it)[2]);
    return out;
  }
  std::unique_ptr<AgentClient> connect(const HostSpec& spec) {
    TransportOptions options;
    options.agent_binary = release_agent();
    return AgentClient::connect(spec, options, 60s);
  }
  // Sends `workload` from the LG to a server in the guest; the packets each queue received.
  std::map<int, long> send(AgentClient& dut, AgentClient& lg, const Json& workload, bool bind) {
    const VmNic& nic = state().nic("virtio");
    Json server = dut.call("serve.start",
                           {{"workload", workload}, {"bind", nic.guest_address}, {"port", 0}}, 60s);
    const auto before = rx_queues();
    Json params = {{"workload", workload}, {"target", nic.guest_address}, {"port", server["port"]}};
    if (bind) params["bind"] = nic.lg_address;
    lg.call("load.run", params, 120s);
    const Json served = dut.call("serve.stop", {{"id", server["id"]}}, 60s);
    std::map<int, long> delta;
    for (const auto& [q, n] : rx_queues()) delta[q] = n - (before.count(q) ? before.at(q) : 0);
    std::cerr << "[vmspread] " << workload.dump() << "\n  received " << served["counts"].dump()
              << ", per queue:";
    for (const auto& [q, n] : delta) std::cerr << " rx-" << q << "=" << n;
    std::cerr << "\n";
    return delta;
  }
  // The RSS key `ethtool -x` shows ("6d:5a:..."), "" when there is none.
  std::string rss_key() {
    std::istringstream text(guest("ethtool -x dut-virtio"));
    for (std::string line; std::getline(text, line);)
      if (line.rfind("RSS hash key:", 0) == 0 && std::getline(text, line)) return line;
    return {};
  }
  static int busy_queues(const std::map<int, long>& per_queue, long total) {
    int busy = 0;
    for (const auto& [q, n] : per_queue) busy += n >= total / 20 ? 1 : 0;  // 5 % or more
    return busy;
  }
};

TEST_F(VmSpread, AddressOnlyHashPutsPortFlowsOnOneQueueAndAddressFlowsOnSeveral) {
  const VmNic& nic = state().nic("virtio");
  // 14 more addresses on the LG's link, 198.18.(2K).32/28 (.33-.46): the block the lab keeps
  // for a vmxnet3 NIC, which this lab does not have. The guest only receives (udp_stream), so
  // it needs no route back to them.
  const std::string base = nic.guest_address.substr(0, nic.guest_address.rfind('.') + 1);
  const int block = std::stoi(nic.guest_address.substr(nic.guest_address.rfind('.') + 1)) - 1;
  const std::string prefix = base + std::to_string(block + 32) + "/28";
  for (int i = 33; i <= 46; ++i) {
    auto r = subprocess::run({"ip", "-n", state().lg.netns, "addr", "add",
                              base + std::to_string(block + i) + "/32", "dev", nic.lg_interface});
    ASSERT_TRUE(r.ok()) << r.failure();
  }
  const std::string hash_before = guest("ethtool -n dut-virtio rx-flow-hash udp4");
  // A known RSS key first. virtio_net draws a random key at boot, and with the 2-queue table
  // (0 1 0 1 ...) the queue is the Toeplitz hash's lowest bit: linear over GF(2) in the input
  // bits, so the 14 addresses of a /28, which differ in 4 bits, all meet the same queue whenever
  // the 4 key bits those input bits select (59-62) are zero: 1 boot in 16 (CI hit one). With
  // Microsoft's verification key bit 62 is set, so odd and even addresses part. Written before
  // the knob, so the hash fields the device uses below are still the knob's doing.
  const std::string key_before = rss_key();
  ASSERT_FALSE(key_before.empty()) << guest("ethtool -x dut-virtio");
  guest("ethtool -X dut-virtio hkey " + std::string(kVerificationKey));
  ASSERT_EQ(rss_key(), kVerificationKey);
  auto dut = connect(state().dut_spec("virtio"));
  auto lg = connect(state().lg_spec("virtio"));
  // The channels stay as the guest brought them up (min(4, CPUs) pairs): changing them sends
  // QEMU a queue-pairs command, which turns its RSS off until the guest configures RSS again.
  dut->call("apply", {{"interface", "dut-virtio"}, {"values", {{"rx_flow_hash.udp4", "sd"}}}},
            120s);
  // virtio_net keeps a changed hash-field set (ethtool -n shows it) but sends it to the device
  // only with its RSS configuration: the knob writes the RSS table in use again after SRXFH.
  // Nothing here writes the table, so the spread below is the knob's doing alone.
  const auto active = static_cast<int>(rx_queues().size());
  ASSERT_GE(active, 2) << "a multi-queue NIC";
  const std::string hash = guest("ethtool -n dut-virtio rx-flow-hash udp4");
  std::cerr << "[vmspread] " << guest("ethtool -l dut-virtio; ethtool -x dut-virtio | head -4")
            << hash;
  EXPECT_EQ(hash.find("L4 bytes"), std::string::npos) << "ports still hashed:\n" << hash;
  EXPECT_NE(hash.find("IP SA"), std::string::npos) << hash;

  const Json ports = {{"type", "udp_stream"}, {"payload", 64},   {"flows", 14},
                      {"rate_pps", 2000},     {"duration_s", 2}, {"warmup_s", 0}};
  Json addresses = ports;
  addresses["source_prefix"] = prefix;
  addresses["source_addresses"] = 14;

  const auto by_port = send(*dut, *lg, ports, true);
  long total = 0;
  for (const auto& [q, n] : by_port) total += n;
  ASSERT_GE(by_port.size(), 2u) << "a multi-queue NIC";
  ASSERT_GT(total, 1000) << "too few packets reached the guest";
  EXPECT_EQ(busy_queues(by_port, total), 1) << "port-only flows under an address-only hash";

  const auto by_address = send(*dut, *lg, addresses, false);
  total = 0;
  for (const auto& [q, n] : by_address) total += n;
  ASSERT_GT(total, 1000);
  EXPECT_GE(busy_queues(by_address, total), 2) << "address-spread flows stayed on one queue";

  Json restored = dut->call("restore", {{"interface", "dut-virtio"}}, 120s);
  EXPECT_TRUE(restored.at("mismatches").empty()) << restored.dump();
  EXPECT_EQ(guest("ethtool -n dut-virtio rx-flow-hash udp4"), hash_before);
  // The restore's SRXFH re-sent the table too: with ports hashed again (the guest's default),
  // port-only flows spread again on the device.
  if (hash_before.find("L4 bytes") != std::string::npos) {
    const auto restored_spread = send(*dut, *lg, ports, true);
    total = 0;
    for (const auto& [q, n] : restored_spread) total += n;
    ASSERT_GT(total, 1000);
    EXPECT_GE(busy_queues(restored_spread, total), 2) << "the device kept the address-only hash";
  }
  guest("ethtool -X dut-virtio hkey " + key_before);
  EXPECT_EQ(rss_key(), key_before);
  dut->close();
  lg->close();
}

// The guest's IRQ affinity of dut-virtio's input queues, "IRQ:CPUS IRQ:CPUS ...", read with the
// guest's own cat (not through the agent); "" when the guest did not answer.
std::string input_irq_affinity(const VmLabState& lab) {
  const std::string command =
      "d=$(basename $(readlink /sys/class/net/dut-virtio/device)); "
      "for i in $(grep \"$d-input\" /proc/interrupts | cut -d: -f1); do "
      "printf '%s:%s ' $i $(cat /proc/irq/$i/smp_affinity_list); done";
  auto r = run_in_guest(lab, command);
  return r.ok() ? r.out : "";
}

// Whether every IRQ of a snapshot is on `cpus` ("0", "1").
bool all_on(const std::string& snapshot, const std::string& cpus) {
  std::istringstream in(snapshot);
  int seen = 0;
  for (std::string item; in >> item; ++seen)
    if (item.substr(item.find(':') + 1) != cpus) return false;
  return seen > 0;
}

// The forwarding bench with real drivers, as `lab up --vm --forwarding` builds it: the guest
// routes what arrives on its virtio NIC out of its e1000e NIC to the LG's sink.
// experiments/vm/router-seed002-vm.json (shortened: two of its tied IRQ/RPS/XPS layouts by two
// payloads, 2 s trials) runs with `nictune run` over sshd, the agent uploaded: every trial
// completes with the guest's egress tx count within 1 % of the sink, each payload has its own
// baseline, the guest's IRQ affinity (polled with its own cat during the run) really moved to
// CPU 0 and to CPU 1 and is back as found afterwards, and so are RPS and XPS.
TEST_F(VmSpread, RouterSeedSpecForwardsThroughTheGuestAndMovesItsIrqs) {
  ASSERT_TRUE(state().forwarding.is_object()) << "lab up --vm --forwarding recorded no plan";
  const Json lab = load_json_file(state().template_path);
  EXPECT_EQ(lab["hosts"]["forwarding"]["dut_egress"], "dut-e1000e");
  Json spec =
      load_json_file(std::string(NICTUNE_SOURCE_DIR) + "/experiments/vm/router-seed002-vm.json");
  spec["name"] = "vm-forwarding";
  spec["hosts"] = lab["hosts"];
  spec["workload"]["source_prefix"] = lab["workload"]["source_prefix"];
  spec["workload"]["rate_pps"] = 2000;
  spec["workload"]["duration_s"] = 2;
  spec["workload"]["warmup_s"] = 0.5;
  // All on CPU 0 and all but CPU 0 (CPU 1 of the guest's two): both differ from the guest's
  // own placement, whatever it is, in at least one queue.
  for (const char* knob : {"irq_affinity", "rps", "xps"})
    spec["space"]["parameters"][knob] = {"single:0", "spread-skip:0"};
  spec["space"]["parameters"]["workload.payload"] = {64, 1472};
  spec["repetitions"] = {{"count", 1}};
  spec["settle_s"] = 0;
  // Spec and database in a directory of the test's own, removed however the test ends (the lab's
  // directory would outlive lab down with them in it).
  struct TempDir {
    std::string path;
    ~TempDir() {
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
    }
  } temp{(std::filesystem::temp_directory_path() / ("nictune-vmfwd-" + std::to_string(::getpid())))
             .string()};
  const std::string dir = temp.path;
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/spec.json") << spec.dump(2);
  const std::string db = dir + "/nictune.db";
  const std::string queues_before = guest(
      "cat /sys/class/net/dut-virtio/queues/rx-*/rps_cpus "
      "/sys/class/net/dut-virtio/queues/tx-*/xps_cpus");
  const std::string irqs_before = input_irq_affinity(state());
  ASSERT_FALSE(irqs_before.empty()) << "no dut-virtio input IRQs in the guest";

  // Poll the guest's IRQ placement while the run goes on; bounded by the run.
  std::atomic<bool> done{false};
  std::set<std::string> seen;
  std::thread poller([&] {
    while (!done) {
      const std::string now = input_irq_affinity(state());
      if (!now.empty()) seen.insert(now);
      // Each ssh costs the TCG guest CPU time: a sample or two per 2 s trial is enough.
      std::this_thread::sleep_for(500ms);
    }
  });
  auto run = testing::run_command(testing::built_nictune_binary() + " run --agent " +
                                  release_agent() + " --db " + db + " " + dir + "/spec.json");
  done = true;
  poller.join();
  ASSERT_EQ(run.code, 0) << run.output;
  for (const auto& snapshot : seen) std::cerr << "[vmspread] input IRQs " << snapshot << "\n";
  EXPECT_TRUE(std::any_of(seen.begin(), seen.end(), [](auto& s) { return all_on(s, "0"); }))
      << "single:0 never put every input IRQ on CPU 0 (before: " << irqs_before << ")";
  EXPECT_TRUE(std::any_of(seen.begin(), seen.end(), [](auto& s) { return all_on(s, "1"); }))
      << "spread-skip:0 never put every input IRQ on CPU 1 (before: " << irqs_before << ")";
  EXPECT_EQ(input_irq_affinity(state()), irqs_before);
  EXPECT_EQ(guest("cat /sys/class/net/dut-virtio/queues/rx-*/rps_cpus "
                  "/sys/class/net/dut-virtio/queues/tx-*/xps_cpus"),
            queues_before);

  auto store = open_store(db);
  auto experiment = store->find_experiment("vm-forwarding");
  ASSERT_TRUE(experiment);
  const auto trials = store->trials(experiment->id);
  // 4 points, and a baseline per payload first and last.
  ASSERT_EQ(trials.size(), 8u);
  std::set<double> baseline_payloads;
  for (const auto& t : trials) {
    ASSERT_EQ(t.outcome.state, TrialState::kComplete) << t.outcome.error;
    const Json& f = t.outcome.details.at("forwarding");
    std::cerr << "[vmspread] trial " << t.id << (t.baseline ? " baseline " : " ") << t.point.dump()
              << ": " << f.dump() << "\n";
    EXPECT_GT(t.outcome.metrics.at("fwd_pps"), 500) << f.dump();
    EXPECT_EQ(f.at("counters_agree"), true) << f.dump();
    EXPECT_GT(f.at("dut_egress_tx_packets").get<double>(), 1000) << f.dump();
    // The workload sent is the point's (a baseline's point carries its payload only).
    EXPECT_EQ(t.outcome.details.at("workload").at("payload"), t.point.at("workload.payload"));
    if (t.baseline) {
      EXPECT_EQ(t.point.size(), 1u) << t.point.dump();
      baseline_payloads.insert(t.point.at("workload.payload").get<double>());
    }
  }
  EXPECT_EQ(baseline_payloads, (std::set<double>{64, 1472}));
}

}  // namespace
}  // namespace nictune::lab

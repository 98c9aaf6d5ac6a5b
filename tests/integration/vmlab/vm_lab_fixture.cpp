// The VM lab test program's environment (one boot) and the fixture's guest-side checks.
#include "vm_lab_fixture.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "orchestrator/lab/netns.hpp"
#include "orchestrator/transport/subprocess.hpp"
#include "tests/support/netns_thread.hpp"

namespace nictune::lab::vmtest {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

Shared* shared = nullptr;

namespace {

std::string release_dir() {
  const char* release = std::getenv("NICTUNE_RELEASE_BUILD");
  return release && *release ? release : NICTUNE_BINARY_DIR;
}

std::string skip_reason() {
  if (geteuid() != 0) return "needs root (namespaces, taps, qemu)";
  if (subprocess::find_program("qemu-system-x86_64").empty())
    return "qemu-system-x86_64 is not installed (scripts/install-deps.sh)";
  if (!fs::exists(agent_binary()))
    return "no release agent at " + agent_binary() + " (set NICTUNE_RELEASE_BUILD)";
  auto file = subprocess::run({"file", "-L", agent_binary()});
  if (file.out.find("dynamically linked") != std::string::npos)
    return agent_binary() + " is dynamically linked; the guest needs the static release build";
  return {};
}

class VmLabEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    shared = new Shared;
    shared->skip = skip_reason();
    if (!shared->skip.empty()) {
      // ctest's SKIP_REGULAR_EXPRESSION matches this line only, so one test skipping inside a
      // run that otherwise happened cannot turn a failure into "skipped".
      std::cerr << "[vmlab] whole program skipped: " << shared->skip << "\n";
      return;
    }
    VmConfig vm;
    // 6.12 unless told otherwise: it boots in about half the time of 6.1.
    vm.kernel = "6.12";
    // Debian's udev in the guest, for vm_link_test (the exported .link applied by a real udev).
    vm.udev = true;
    if (const char* kernel = std::getenv("NICTUNE_VM_KERNEL")) vm.kernel = kernel;
    auto started = std::chrono::steady_clock::now();
    try {
      shared->slot = testing::lab_index_slot(lab_config(0));
      LabConfig config = lab_config(shared->slot.number());
      config.log = [](const std::string& line) { std::cerr << "[vmlab] " << line << "\n"; };
      shared->state = vm_lab_up(config, vm);
    } catch (const std::exception& e) {
      shared->failure = e.what();
    }
    shared->up_time = std::chrono::steady_clock::now() - started;
    std::cerr << "[vmlab] lab up took " << shared->up_time.count() << " s (guest boot "
              << shared->state.boot_seconds << " s, " << shared->state.accel << ")\n";
  }
  void TearDown() override {
    if (shared && shared->skip.empty()) {
      try {
        if (shared->slot.held()) vm_lab_down(lab_config(shared->slot.number()));
      } catch (const std::exception& e) {
        std::cerr << "[vmlab] lab down failed: " << e.what() << "\n";
      }
      if (shared->slot.held()) {
        const std::string name = lab_config(shared->slot.number()).name;
        EXPECT_FALSE(netns_exists("nt-" + name + "-vm"));
        EXPECT_FALSE(netns_exists("nt-" + name + "-lg"));
      }
      EXPECT_FALSE(is_our_qemu(shared->state.qemu_pid, shared->state.pid_file));
    }
    delete shared;
    shared = nullptr;
  }
};

[[maybe_unused]] auto* const environment =
    ::testing::AddGlobalTestEnvironment(new VmLabEnvironment);

}  // namespace

// The guest runs what is uploaded to it: only the static release agent runs there.
std::string agent_binary() {
  return release_dir() + "/agents/nictune-agent";
}

// The orchestrator runs on this host: the test's own build (scripts/test.sh builds only the
// agent in the release flavour). Its probe and run are told which agent to upload (--agent):
// the one beside it is this build's, which may be the sanitizer one and does not run in the guest.
std::string nictune_binary() {
  return std::string(NICTUNE_BINARY_DIR) + "/orchestrator/nictune";
}

LabConfig lab_config(int index) {
  LabConfig config;
  // Named after the address block the pool gave this program: two VM programs (from two
  // worktrees) never share a lab name, so neither's `lab up` removes the other's lab.
  config.name = "vmt" + std::to_string(index);
  config.index = index;
  config.dir = "/var/lib/nictune/lab/" + config.name;
  config.template_path = config.dir + "/experiment.json";
  config.agent_path = agent_binary();
  return config;
}

Json virtio_point_params() {
  return {{"interface", "dut-virtio"},
          {"values",
           {{"channels.combined", 4},
            {"rss.queues", 2},
            {"irq_affinity", "single:1"},
            {"rps", "all"},
            {"xps", "single:0"}}}};
}

void VmLab::SetUp() {
  if (!shared->skip.empty()) GTEST_SKIP() << shared->skip;
  ASSERT_TRUE(shared->failure.empty()) << "lab up --vm failed: " << shared->failure;
}

std::string VmLab::guest(const std::string& command, int* status) {
  auto result =
      subprocess::run({"ssh", "-i", lab().identity_file, "-o", "BatchMode=yes", "-o",
                       "StrictHostKeyChecking=yes", "-o", "UserKnownHostsFile=" + lab().known_hosts,
                       "-o", "ConnectTimeout=10", "root@" + lab().guest_mgmt_address, command},
                      60s);
  if (status) {
    *status = result.exit_code;
  } else {
    EXPECT_TRUE(result.ok()) << command << ": " << result.failure();
  }
  return result.out;
}

void VmLab::upload(const std::string& path, const std::string& content) {
  ASSERT_EQ(content.find("\nNICTUNE_UPLOAD_EOF\n"), std::string::npos);
  guest("cat > " + path + " <<'NICTUNE_UPLOAD_EOF'\n" + content + "NICTUNE_UPLOAD_EOF\n");
}

std::unique_ptr<AgentClient> VmLab::dut(const std::string& kind) {
  TransportOptions options;
  options.agent_binary = agent_binary();
  return AgentClient::connect(lab().dut_spec(kind), options, 60s);
}

int VmLab::current_combined(const std::string& interface) {
  std::string out = guest("ethtool -l " + interface);
  auto at = out.find("Current hardware settings");
  std::smatch m;
  std::string tail = at == std::string::npos ? "" : out.substr(at);
  if (!std::regex_search(tail, m, std::regex("Combined:\\s+(\\d+)"))) return -1;
  return std::stoi(m[1]);
}

std::string VmLab::ethtool_value(const std::string& args, const std::string& field) {
  std::string out = guest("ethtool " + args);
  std::smatch m;
  if (!std::regex_search(out, m, std::regex(field + ":\\s+(\\S+)"))) return "?";
  return m[1];
}

std::map<int, std::string> VmLab::irqs(const std::string& part) {
  std::map<int, std::string> out;
  std::istringstream in(guest("cat /proc/interrupts"));
  std::string line;
  while (std::getline(in, line)) {
    std::smatch m;
    if (std::regex_search(line, m, std::regex("^\\s*(\\d+):.*\\s(\\S+)\\s*$")) &&
        std::string(m[2]).find(part) != std::string::npos)
      out[std::stoi(m[1])] = m[2];
  }
  return out;
}

std::vector<long> VmLab::irq_counts(int irq) {
  std::istringstream in(guest("cat /proc/interrupts"));
  std::string line, header;
  std::getline(in, header);
  int cpus = 0;
  std::istringstream h(header);
  for (std::string word; h >> word;) ++cpus;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string label;
    fields >> label;
    if (label != std::to_string(irq) + ":") continue;
    std::vector<long> counts(cpus);
    for (auto& c : counts) fields >> c;
    return counts;
  }
  return {};
}

double VmLab::udp_from_lg(const VmNic& nic, int count, std::chrono::microseconds gap) {
  auto start = std::chrono::steady_clock::now();
  try {
    testing::in_netns(lab().lg.netns, [&] {
      sockaddr_in to{};
      to.sin_family = AF_INET;
      to.sin_port = htons(9);
      if (::inet_pton(AF_INET, nic.guest_address.c_str(), &to.sin_addr) != 1)
        throw std::runtime_error("not an IPv4 address: " + nic.guest_address);
      int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
      if (fd < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
      std::string error;
      auto next = std::chrono::steady_clock::now();
      for (int i = 0; i < count; ++i) {
        if (::sendto(fd, "x\n", 2, 0, reinterpret_cast<sockaddr*>(&to), sizeof to) != 2 &&
            error.empty())
          error = std::string("sendto: ") + std::strerror(errno);
        next += gap;
        auto now = std::chrono::steady_clock::now();
        if (next < now) next = now;  // late: no catch-up burst
        std::this_thread::sleep_until(next);
      }
      ::close(fd);
      if (!error.empty()) throw std::runtime_error(error);
      return 0;
    });
  } catch (const std::exception& e) {
    ADD_FAILURE() << "udp to " << nic.guest_address << ": " << e.what();
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace nictune::lab::vmtest

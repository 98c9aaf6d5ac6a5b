// The dead-man lease in a whole experiment: the orchestrator goes silent (stopped, or its
// management path firewalled) while the DUT holds a point; the DUT agent's lease runs out and
// it restores on its own, and when the orchestrator comes back the run goes on.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <thread>

#include "orchestrator/store/store_backends.hpp"
#include "tests/integration/orchestrator/experiment_lab_fixture.hpp"

namespace nictune {
namespace {

namespace fs = std::filesystem;

using testing::agent_binary;
using testing::capture;
using testing::dut_state;
using testing::LabExperiment;
using testing::nictune_binary;

// --- the dead-man lease ------------------------------------------------------------------------
// The orchestrator goes silent while its SSH session to the DUT stays open; the DUT agent's
// lease runs out and it restores on its own; when the orchestrator comes back the trial is
// failed with the lease's reason and the run goes on.

constexpr double kLeaseS = 6;  // 3 s of load + the 3 s of slack the spec demands
constexpr double kLeaseLoadS = 3;

class LeaseLab : public LabExperiment {
 protected:
  // local: both agents are children of `nictune` (`ip netns exec` into the lab's namespaces),
  // talking over pipes instead of SSH.
  std::string write_lease_spec(const std::string& name, bool local = false) {
    std::string path = write_spec(name, 1, kLeaseLoadS);
    Json spec = load_json_file(path);
    spec["baseline"] = false;
    spec["lease_s"] = kLeaseS;
    if (local) {
      for (const auto& host : state_.hosts) {
        Json& h = spec["hosts"][host.role];
        h = {{"transport", "local"},
             {"netns", host.netns},
             {"interface", h["interface"]},
             {"address", h["address"]}};
      }
    }
    std::ofstream(path) << spec.dump(2);
    return path;
  }

  pid_t start_run(const std::string& spec, const std::string& log) {
    std::string db = (dir_ / "lab.db").string();
    pid_t child = fork();
    if (child == 0) {
      int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(fd, 1);
      dup2(fd, 2);
      std::string agent = agent_binary();
      std::string nictune = nictune_binary();
      execl(nictune.c_str(), nictune.c_str(), "run", "--db", db.c_str(), "--agent", agent.c_str(),
            spec.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    return child;
  }

  // Waits for the DUT to leave `before` (a trial has just applied its point): the moment to cut
  // the orchestrator off, at the start of that trial's load.
  bool wait_for_apply(const std::map<std::string, std::string>& before) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
    while (std::chrono::steady_clock::now() < deadline) {
      if (dut_state(dut()) != before) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  // Seconds until the DUT holds `before` again, or -1 after `limit_s`.
  double seconds_until_restored(const std::map<std::string, std::string>& before, double limit_s) {
    auto start = std::chrono::steady_clock::now();
    while (true) {
      double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (dut_state(dut()) == before) return t;
      if (t > limit_s) return -1;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }

  // The DUT's end of the orchestrator's SSH connection is still established.
  bool ssh_session_open() {
    return !capture("ip netns exec " + dut().netns +
                    " ss -Htn state established '( sport = :22 )' 2>/dev/null")
                .empty();
  }

  // Waits for the run to end; its exit status, or -1.
  int wait_run(pid_t child) {
    int status = 0;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(150);
    while (::waitpid(child, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        ::kill(child, SIGKILL);
        ::waitpid(child, nullptr, 0);
        return -1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  // Every trial is stored; exactly the cut one failed, for the lease; the rest measured.
  void expect_one_lease_failure(const std::string& name, const std::string& output) {
    auto store = open_store((dir_ / "lab.db").string());
    auto experiment = store->find_experiment(name);
    ASSERT_TRUE(experiment);
    EXPECT_EQ(experiment->status, "complete");
    int failed = 0, complete = 0;
    for (const auto& t : store->trials(experiment->id)) {
      complete += t.outcome.state == TrialState::kComplete;
      if (t.outcome.state != TrialState::kFailed) continue;
      ++failed;
      EXPECT_NE(t.outcome.error.find("lease: dut: the agent's lease of 6 s ran out"),
                std::string::npos)
          << t.outcome.error;
    }
    EXPECT_EQ(failed, 1) << output;
    EXPECT_GE(complete, 3) << output;
  }
};

struct Reaper {
  pid_t pid;
  ~Reaper() {
    if (pid > 0 && ::kill(pid, 0) == 0) {
      ::kill(pid, SIGCONT);
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
  }
};

TEST_F(LeaseLab, StoppedOrchestratorLeavesTheDutRestoredByTheLeaseAndTheRunGoesOn) {
  auto before = dut_state(dut());
  std::string spec = write_lease_spec("lab-lease-stop");
  std::string log = (dir_ / "stop.log").string();
  pid_t child = start_run(spec, log);
  ASSERT_GT(child, 0);
  Reaper reap{child};
  ASSERT_TRUE(wait_for_apply(before)) << capture("cat " + log);
  ::kill(child, SIGSTOP);
  double took = seconds_until_restored(before, kLeaseS + 5);
  bool open = ssh_session_open();
  ::kill(child, SIGCONT);
  EXPECT_GE(took, 0) << "the DUT was not restored within the lease + 5 s";
  EXPECT_TRUE(open) << "the SSH session closed: the restore was not the lease's";

  int status = wait_run(child);
  reap.pid = 0;
  std::string output = capture("cat " + log);
  ASSERT_EQ(status, 0) << output;
  expect_one_lease_failure("lab-lease-stop", output);
  EXPECT_EQ(dut_state(dut()), before) << output;
  std::cout << "[ lease ] restored " << took << " s after SIGSTOP (lease " << kLeaseS << " s)\n";
}

TEST_F(LeaseLab, StoppedOrchestratorOverTheLocalTransportLeavesTheDutRestoredByTheLease) {
  auto before = dut_state(dut());
  std::string spec = write_lease_spec("lab-lease-local", /*local=*/true);
  std::string log = (dir_ / "local.log").string();
  pid_t child = start_run(spec, log);
  ASSERT_GT(child, 0);
  Reaper reap{child};
  ASSERT_TRUE(wait_for_apply(before)) << capture("cat " + log);
  ::kill(child, SIGSTOP);
  double took = seconds_until_restored(before, kLeaseS + 5);
  // The agents are still running with their pipes open: end of input never came.
  std::string agents = capture("pgrep -P " + std::to_string(child));
  ::kill(child, SIGCONT);
  EXPECT_GE(took, 0) << "the DUT was not restored within the lease + 5 s";
  EXPECT_FALSE(agents.empty()) << "the agents had exited: the restore was not the lease's";

  int status = wait_run(child);
  reap.pid = 0;
  std::string output = capture("cat " + log);
  ASSERT_EQ(status, 0) << output;
  expect_one_lease_failure("lab-lease-local", output);
  EXPECT_EQ(dut_state(dut()), before) << output;
  std::cout << "[ lease ] local transport: restored " << took << " s after SIGSTOP\n";
}

TEST_F(LeaseLab, FirewalledManagementPathLeavesTheDutRestoredByTheLeaseAndTheRunGoesOn) {
  if (!fs::exists("/usr/sbin/nft")) GTEST_SKIP() << "needs nft (Debian nftables)";
  auto before = dut_state(dut());
  std::string spec = write_lease_spec("lab-lease-fw");
  std::string log = (dir_ / "fw.log").string();
  pid_t child = start_run(spec, log);
  ASSERT_GT(child, 0);
  Reaper reap{child};
  const std::string nft = "ip netns exec " + dut().netns + " nft ";
  struct Unblock {
    std::string nft;
    ~Unblock() { capture(nft + "delete table inet nictune_lease_test 2>/dev/null"); }
  } unblock{nft};
  ASSERT_TRUE(wait_for_apply(before)) << capture("cat " + log);
  // Both directions of the management link inside the DUT's namespace: the orchestrator's
  // renewals never arrive, and the TCP connection stays established, retransmitting.
  const std::string& mgmt = dut().mgmt_interface;
  auto blocked = testing::run_command(
      nft +
      "'add table inet nictune_lease_test; "
      "add chain inet nictune_lease_test in { type filter hook input priority 0; }; "
      "add chain inet nictune_lease_test out { type filter hook output priority 0; }; "
      "add rule inet nictune_lease_test in iifname \"" +
      mgmt + "\" drop; " + "add rule inet nictune_lease_test out oifname \"" + mgmt +
      "\" drop' 2>&1");
  ASSERT_EQ(blocked.code, 0) << blocked.output;
  double took = seconds_until_restored(before, kLeaseS + 5);
  bool open = ssh_session_open();
  capture(nft + "delete table inet nictune_lease_test");
  EXPECT_GE(took, 0) << "the DUT was not restored within the lease + 5 s";
  EXPECT_TRUE(open) << "the SSH connection was torn down: the restore was not the lease's";

  int status = wait_run(child);
  reap.pid = 0;
  std::string output = capture("cat " + log);
  ASSERT_EQ(status, 0) << output;
  expect_one_lease_failure("lab-lease-fw", output);
  EXPECT_EQ(dut_state(dut()), before) << output;
  std::cout << "[ lease ] restored " << took << " s after the firewall rule (lease " << kLeaseS
            << " s)\n";
}

}  // namespace
}  // namespace nictune

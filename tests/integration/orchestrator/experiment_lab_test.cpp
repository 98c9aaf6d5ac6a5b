// A whole experiment the way a user runs it: `nictune run` against a namespace lab over real
// OpenSSH, trials in SQLite, every DUT value back to what it was (read with cat, not the agent);
// and SIGKILL of the orchestrator mid-run followed by --resume.
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

#include "orchestrator/lab/lab.hpp"
#include "orchestrator/store/store.hpp"
#include "tests/support/command_line.hpp"
#include "tests/support/lab_slot.hpp"

namespace nictune {
namespace {

namespace fs = std::filesystem;

std::string capture(const std::string& command) {
  return testing::run_command(command).output;
}
std::string agent_binary() {
  return testing::built_agent_binary();
}
std::string nictune_binary() {
  return testing::built_nictune_binary();
}

// What a DUT holds, read independently of the agent.
std::map<std::string, std::string> dut_state(const lab::LabHost& dut) {
  std::string prefix = "ip netns exec " + dut.netns + " ";
  std::string sys = "/sys/class/net/" + dut.data_interface;
  std::map<std::string, std::string> state;
  for (int q = 0; q < 4; ++q) {
    state["rps" + std::to_string(q)] = capture(prefix + "cat " + sys + "/queues/rx-" +
                                               std::to_string(q) + "/rps_cpus 2>/dev/null");
  }
  state["rx_queues"] = capture(prefix + "sh -c 'ls -d " + sys + "/queues/rx-* | wc -l'");
  state["gro"] =
      capture(prefix + "ethtool -k " + dut.data_interface + " | grep '^generic-receive-offload:'");
  return state;
}

class LabExperiment : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root (network namespaces, sshd)";
    if (!fs::exists("/usr/sbin/sshd")) GTEST_SKIP() << "needs OpenSSH sshd (Debian openssh-server)";
    if (!fs::exists(nictune_binary())) GTEST_SKIP() << "nictune binary not built";
    dir_ = fs::temp_directory_path() / ("nictune-labexp-" + std::to_string(getpid()));
    fs::create_directories(dir_);
    config_.name = "x" + std::to_string(getpid() % 100000);
    config_.dir =
        "";  // the default under /var/lib/nictune: sshd refuses keys below world-writable /tmp
    slot_ = testing::lab_index_slot(config_);
    config_.index = slot_.number();
    config_.queues = 4;
    config_.template_path = (dir_ / "template.json").string();
    state_ = lab::lab_up(config_);
    up_ = true;
  }

  void TearDown() override {
    if (up_ && HasFailure()) testing::print_lab_logs(state_);
    if (up_) lab::lab_down(config_);
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  std::string write_spec(const std::string& name, int repetitions, double duration_s) {
    Json spec = lab::experiment_template(state_);
    spec["name"] = name;
    spec["space"] =
        Json::parse(R"({"parameters": {"rps": ["none", "all"], "offload.gro": [true, false]}})");
    spec["workload"] = {{"type", "udp_stream"},
                        {"payload", 64},
                        {"flows", 2},
                        {"duration_s", duration_s},
                        {"warmup_s", 0}};
    spec["objectives"] = Json::parse(
        R"([{"metric": "rx_pps", "goal": "max"}, {"metric": "dut_cpu_util", "goal": "min"}])");
    spec["strategy"] = {{"type", "grid"}, {"budget", 4}, {"seed", 1}};
    spec["repetitions"] = {{"count", repetitions}};
    spec["baseline"] = true;
    spec["settle_s"] = 0;
    spec.erase("outcome_constraints");
    std::string path = (dir_ / (name + ".json")).string();
    std::ofstream(path) << spec.dump(2);
    return path;
  }

  std::string run_command(const std::string& spec, const std::string& extra = "") {
    return nictune_binary() + " run --db " + (dir_ / "lab.db").string() + " --agent " +
           agent_binary() + " " + extra + " " + spec;
  }

  const lab::LabHost& dut() const {
    return state_.hosts.at(0).role == "dut" ? state_.hosts.at(0) : state_.hosts.at(1);
  }

  fs::path dir_;
  testing::HostSlot slot_;  // the lab index, held until the fixture is gone (after lab_down)
  lab::LabConfig config_;
  lab::LabState state_;
  bool up_ = false;
};

TEST_F(LabExperiment, FullRunOverSshStoresTrialsAndRestoresTheDut) {
  auto before = dut_state(dut());
  std::string spec = write_spec("lab-full", 1, 1);
  std::string output = capture(run_command(spec) + "; echo EXIT=$?");
  ASSERT_NE(output.find("EXIT=0"), std::string::npos) << output;

  auto store = open_sqlite_store((dir_ / "lab.db").string());
  auto experiment = store->find_experiment("lab-full");
  ASSERT_TRUE(experiment);
  EXPECT_EQ(experiment->status, "complete");
  auto trials = store->trials(experiment->id);
  EXPECT_EQ(trials.size(), 4u + 2u) << output;  // 4 points, baseline first and last
  int complete = 0;
  for (const auto& t : trials) {
    complete += t.outcome.state == TrialState::kComplete;
    if (t.outcome.state == TrialState::kComplete) {
      EXPECT_GT(t.outcome.metrics.at("rx_pps"), 0) << t.point;
    }
  }
  EXPECT_EQ(complete, 6) << output;
  EXPECT_EQ(store->hosts(experiment->id).size(), 2u);

  EXPECT_EQ(dut_state(dut()), before) << output;
}

TEST_F(LabExperiment, KilledOrchestratorResumesWithoutRerunningFinishedTrials) {
  auto before = dut_state(dut());
  std::string spec = write_spec("lab-resume", 2, 1);
  std::string db = (dir_ / "lab.db").string();
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    std::string log = (dir_ / "first.log").string();
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    std::string agent = agent_binary();
    std::string nictune = nictune_binary();
    execl(nictune.c_str(), nictune.c_str(), "run", "--db", db.c_str(), "--agent", agent.c_str(),
          spec.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  // Wait for three finished trials, then kill the orchestrator without warning.
  int finished = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    if (!fs::exists(db)) continue;
    std::string n =
        capture("sqlite3 " + db + " \"SELECT count(*) FROM trials WHERE state = 'complete'\"");
    finished = std::atoi(n.c_str());
    if (finished >= 3) break;
  }
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  ASSERT_GE(finished, 3) << capture("cat " + (dir_ / "first.log").string());

  // The agents saw their SSH sessions end and restored on their own.
  auto restored_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (dut_state(dut()) != before && std::chrono::steady_clock::now() < restored_deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_EQ(dut_state(dut()), before);

  std::vector<std::int64_t> complete_before;
  {
    auto store = open_sqlite_store(db);
    for (const auto& t : store->trials(store->find_experiment("lab-resume")->id)) {
      if (t.outcome.state == TrialState::kComplete) complete_before.push_back(t.id);
    }
  }
  std::string output = capture(run_command(spec, "--resume") + "; echo EXIT=$?");
  ASSERT_NE(output.find("EXIT=0"), std::string::npos) << output;

  auto store = open_sqlite_store(db);
  auto experiment = store->find_experiment("lab-resume");
  std::map<std::string, int> reps;
  int baselines = 0;
  for (const auto& t : store->trials(experiment->id)) {
    if (t.outcome.state != TrialState::kComplete) continue;
    if (t.baseline)
      ++baselines;
    else
      ++reps[t.point.dump()];
  }
  ASSERT_EQ(reps.size(), 4u) << output;
  for (const auto& [point, n] : reps) EXPECT_EQ(n, 2) << point;  // nothing finished was run again
  EXPECT_GE(baselines, 4);
  for (auto id : complete_before) {
    bool still = false;
    for (const auto& t : store->trials(experiment->id))
      still |= t.id == id && t.outcome.state == TrialState::kComplete;
    EXPECT_TRUE(still) << "trial " << id;
  }
  EXPECT_EQ(dut_state(dut()), before);
}

// The SSH session to the DUT dies mid-run (its sshd session process is killed, as when a
// switch port flaps): that trial fails with the reason, the agent there restores on its own, the
// runner reconnects and the run goes on to the end.
TEST_F(LabExperiment, KilledSshSessionFailsThePointAndTheRunGoesOn) {
  auto before = dut_state(dut());
  std::string spec = write_spec("lab-flap", 2, 1.5);
  std::string db = (dir_ / "lab.db").string();
  std::string log = (dir_ / "flap.log").string();
  pid_t child = fork();
  ASSERT_GE(child, 0);
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
  struct Reap {
    pid_t pid;
    ~Reap() {
      if (pid > 0 && ::kill(pid, 0) == 0) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
      }
    }
  } reap{child};

  // After the first finished trial, kill the DUT's SSH session processes (children of the
  // lab's sshd for that namespace, which this test started).
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  int finished = 0;
  while (std::chrono::steady_clock::now() < deadline && finished < 1) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (!fs::exists(db)) continue;
    finished = std::atoi(
        capture("sqlite3 " + db + " \"SELECT count(*) FROM trials WHERE state = 'complete'\"")
            .c_str());
  }
  ASSERT_GE(finished, 1) << capture("cat " + log);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // into the next trial's load
  std::string sessions = capture("pgrep -P " + std::to_string(dut().sshd_pid));
  ASSERT_FALSE(sessions.empty()) << "no SSH session to the DUT";
  for (std::size_t pos = 0; pos < sessions.size();) {
    std::size_t end = sessions.find('\n', pos);
    if (end == std::string::npos) end = sessions.size();
    pid_t pid = std::atoi(sessions.substr(pos, end - pos).c_str());
    if (pid > 0) ::kill(pid, SIGKILL);
    pos = end + 1;
  }

  int status = 0;
  auto run_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(150);
  while (::waitpid(child, &status, WNOHANG) == 0 && std::chrono::steady_clock::now() < run_deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  reap.pid = 0;
  std::string output = capture("cat " + log);
  ASSERT_TRUE(WIFEXITED(status)) << output;
  EXPECT_EQ(WEXITSTATUS(status), 0) << output;
  EXPECT_NE(output.find("dut reconnected"), std::string::npos) << output;

  auto store = open_sqlite_store(db);
  auto experiment = store->find_experiment("lab-flap");
  ASSERT_TRUE(experiment);
  EXPECT_EQ(experiment->status, "complete");
  int failed = 0, complete = 0;
  for (const auto& t : store->trials(experiment->id)) {
    failed += t.outcome.state == TrialState::kFailed;
    complete += t.outcome.state == TrialState::kComplete;
    if (t.outcome.state == TrialState::kFailed) EXPECT_FALSE(t.outcome.error.empty());
  }
  EXPECT_GE(failed, 1) << output;
  EXPECT_GE(complete, 8) << output;  // 4 points x 2 + 2 baselines x 2, minus what the cut cost
  EXPECT_EQ(dut_state(dut()), before) << output;
}

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
    auto store = open_sqlite_store((dir_ / "lab.db").string());
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

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
#include "orchestrator/store/store_backends.hpp"
#include "tests/integration/orchestrator/experiment_lab_fixture.hpp"
#include "tests/support/command_line.hpp"
#include "tests/support/lab_slot.hpp"

namespace nictune {
namespace {

namespace fs = std::filesystem;

using testing::agent_binary;
using testing::capture;
using testing::dut_state;
using testing::LabExperiment;
using testing::nictune_binary;

TEST_F(LabExperiment, FullRunOverSshStoresTrialsAndRestoresTheDut) {
  auto before = dut_state(dut());
  std::string spec = write_spec("lab-full", 1, 1);
  std::string output = capture(run_command(spec) + "; echo EXIT=$?");
  ASSERT_NE(output.find("EXIT=0"), std::string::npos) << output;

  auto store = open_store((dir_ / "lab.db").string());
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
    auto store = open_store(db);
    for (const auto& t : store->trials(store->find_experiment("lab-resume")->id)) {
      if (t.outcome.state == TrialState::kComplete) complete_before.push_back(t.id);
    }
  }
  std::string output = capture(run_command(spec, "--resume") + "; echo EXIT=$?");
  ASSERT_NE(output.find("EXIT=0"), std::string::npos) << output;

  auto store = open_store(db);
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

  auto store = open_store(db);
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

}  // namespace
}  // namespace nictune

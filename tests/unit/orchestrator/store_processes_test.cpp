// The store between real processes: two writers on one file, stale trials told apart by their
// heartbeat, and the one-writer-per-experiment lock (`nictune run`). Children are forked and
// end with _exit; every one is killed by its pid and reaped, also when an assertion fails.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <thread>

#include "core/errors.hpp"
#include "orchestrator/store/experiment_lock.hpp"
#include "orchestrator/store/sqlite_store.hpp"

namespace nictune {
namespace {

namespace fs = std::filesystem;

class Dir {
 public:
  Dir() : path_(fs::temp_directory_path() / ("nictune-procs-" + std::to_string(getpid()))) {
    fs::create_directories(path_);
  }
  ~Dir() { fs::remove_all(path_); }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

// A forked child running `body`; it tells the parent it is ready by writing one byte.
class Child {
 public:
  explicit Child(const std::function<void(int ready_fd)>& body) {
    int fds[2];
    if (::pipe(fds) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::close(fds[0]);
      try {
        body(fds[1]);
      } catch (...) {
        ::_exit(3);
      }
      ::_exit(0);
    }
    ::close(fds[1]);
    ready_fd_ = fds[0];
  }
  ~Child() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (ready_fd_ >= 0) ::close(ready_fd_);
  }
  bool wait_ready() {
    char c;
    return ::read(ready_fd_, &c, 1) == 1;
  }
  int wait_exit() {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  void kill() {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int ready_fd_ = -1;
};

void signal_ready(int fd) {
  char c = 1;
  if (::write(fd, &c, 1) != 1) ::_exit(4);
}

std::int64_t make_experiment(const std::string& path) {
  auto store = open_sqlite_store(path);
  auto id = store->create_experiment("procs", Json::object(), "test");
  store->intern_point(id, {{"rps", "all"}});
  return id;
}

Outcome complete_outcome(int i) {
  Outcome o;
  o.state = TrialState::kComplete;
  o.metrics["rx_pps"] = 1000.0 + i;
  return o;
}

TEST(StoreProcesses, TwoWritingProcessesInterleaveWithoutLosingOrCorruptingARow) {
  Dir dir;
  const std::string path = dir.file("two.db");
  const std::int64_t experiment = make_experiment(path);
  constexpr int kTrials = 150;
  auto write_trials = [&](const std::string& bench) {
    auto store = open_sqlite_store(path);
    auto point = store->intern_point(experiment, {{"rps", "all"}});
    for (int i = 0; i < kTrials; ++i) {
      auto trial = store->begin_trial(experiment, point, i, false, bench);
      store->heartbeat(trial);
      store->finish_trial(trial, complete_outcome(i));
    }
  };
  Child child([&](int ready) {
    signal_ready(ready);
    write_trials("child");
  });
  ASSERT_TRUE(child.wait_ready());
  write_trials("parent");
  EXPECT_EQ(child.wait_exit(), 0) << "the child's writes failed (busy?)";

  auto store = open_sqlite_store(path);
  int child_rows = 0, parent_rows = 0;
  for (const auto& t : store->trials(experiment)) {
    EXPECT_EQ(t.outcome.state, TrialState::kComplete);
    EXPECT_EQ(t.outcome.metrics.count("rx_pps"), 1u);
    child_rows += t.bench == "child";
    parent_rows += t.bench == "parent";
  }
  EXPECT_EQ(child_rows, kTrials);
  EXPECT_EQ(parent_rows, kTrials);
}

TEST(StoreProcesses, StaleTrialsAreThoseWhoseHeartbeatStoppedNotEveryRunningOne) {
  Dir dir;
  const std::string path = dir.file("stale.db");
  const std::int64_t experiment = make_experiment(path);
  Child beating([&](int ready) {
    auto store = open_sqlite_store(path);
    auto point = store->intern_point(experiment, {{"rps", "all"}});
    auto trial = store->begin_trial(experiment, point, 0, false, "b1");
    signal_ready(ready);
    while (true) {  // until killed
      store->heartbeat(trial);
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
  ASSERT_TRUE(beating.wait_ready());
  auto store = open_sqlite_store(path);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(store->recover_stale_trials(experiment, 1.0), 0);  // alive elsewhere: left alone
  ASSERT_EQ(store->trials(experiment).size(), 1u);
  EXPECT_EQ(store->trials(experiment)[0].outcome.state, TrialState::kRunning);

  beating.kill();
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(store->recover_stale_trials(experiment, 1.0), 1);
  auto trial = store->trials(experiment).at(0);
  EXPECT_EQ(trial.outcome.state, TrialState::kFailed);
  EXPECT_NE(trial.outcome.error.find("interrupted: no heartbeat for"), std::string::npos)
      << trial.outcome.error;
}

TEST(StoreProcesses, SecondRunOfAnExperimentIsRefusedAtOnceNamingTheHolder) {
  Dir dir;
  const std::string path = dir.file("lock.db");
  Child holder([&](int ready) {
    auto lock = ExperimentLock::acquire(path, "exp-a");
    signal_ready(ready);
    while (true) std::this_thread::sleep_for(std::chrono::seconds(1));
  });
  ASSERT_TRUE(holder.wait_ready());
  auto start = std::chrono::steady_clock::now();
  try {
    ExperimentLock::acquire(path, "exp-a");
    FAIL() << "a second writer got the lock";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kBusy);
    std::string what = e.what();
    EXPECT_NE(what.find("experiment \"exp-a\" is being run by pid " + std::to_string(holder.pid()) +
                        " on host "),
              std::string::npos)
        << what;
    EXPECT_NE(what.find(" since 20"), std::string::npos) << what;
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));  // at once
  // Another experiment in the same database is not held.
  EXPECT_NO_THROW(ExperimentLock::acquire(path, "exp-b"));
  // The holder dies without a word: the kernel drops its lock, nothing stale remains.
  holder.kill();
  EXPECT_NO_THROW(ExperimentLock::acquire(path, "exp-a"));
  // An in-memory database has no other process.
  auto a = ExperimentLock::acquire(":memory:", "exp-a");
  EXPECT_NO_THROW(ExperimentLock::acquire(":memory:", "exp-a"));
}

}  // namespace
}  // namespace nictune

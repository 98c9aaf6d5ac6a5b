#include "orchestrator/transport/subprocess.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <thread>

#include "core/errors.hpp"

namespace nictune {
namespace {

using namespace std::chrono_literals;

TEST(Subprocess, CapturesOutputAndStatus) {
  auto result = subprocess::run({"sh", "-c", "echo out; echo err >&2; exit 3"});
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_EQ(result.out, "out\n");
  EXPECT_EQ(result.err, "err\n");
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(result.failure(), "exit 3: err");
}

TEST(Subprocess, FeedsInput) {
  std::string input(1 << 20, 'q');
  auto result = subprocess::run({"wc", "-c"}, 10s, input);
  EXPECT_TRUE(result.ok());
  EXPECT_EQ(std::stoul(result.out), input.size());
}

TEST(Subprocess, ArgumentsAreNotInterpretedByAShell) {
  auto result = subprocess::run({"printf", "%s", "$(id) `id` ; rm -rf /"});
  EXPECT_EQ(result.out, "$(id) `id` ; rm -rf /");
}

TEST(Subprocess, KillsWhatRunsTooLong) {
  auto start = std::chrono::steady_clock::now();
  auto result = subprocess::run({"sleep", "30"}, 200ms);
  EXPECT_TRUE(result.timed_out);
  EXPECT_FALSE(result.ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST(Subprocess, MissingProgramThrows) {
  EXPECT_THROW(subprocess::run({"nictune-no-such-program"}), Error);
  EXPECT_THROW(subprocess::run({"/nonexistent/program"}), Error);
}

TEST(Subprocess, RunCheckedSaysWhatFailed) {
  try {
    subprocess::run_checked({"sh", "-c", "echo 'RTNETLINK answers: File exists' >&2; exit 2"},
                            "create link");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kIo);
    std::string what = e.what();
    EXPECT_NE(what.find("create link"), std::string::npos) << what;
    EXPECT_NE(what.find("exit 2: RTNETLINK answers: File exists"), std::string::npos) << what;
  }
}

TEST(Subprocess, DetachedProcessIsStoppedByPid) {
  pid_t pid = subprocess::spawn_detached({"sleep", "30"}, "");
  EXPECT_TRUE(subprocess::alive(pid));
  EXPECT_EQ(getsid(pid), pid);  // its own session
  EXPECT_NE(subprocess::cmdline(pid).find("sleep 30"), std::string::npos);
  EXPECT_TRUE(subprocess::stop(pid, 2s, 2s));
  EXPECT_FALSE(subprocess::alive(pid));
  EXPECT_EQ(subprocess::cmdline(pid), "");
}

TEST(Subprocess, StopEscalatesToKill) {
  pid_t pid = subprocess::spawn_detached({"sh", "-c", "trap '' TERM; sleep 30"}, "");
  std::this_thread::sleep_for(100ms);  // let the trap be set
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(subprocess::stop(pid, 300ms, 2s));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
}

TEST(Subprocess, ChildrenOf) {
  pid_t pid = subprocess::spawn_detached({"sh", "-c", "sleep 30 & wait"}, "");
  std::vector<pid_t> children;
  for (int i = 0; i < 100 && children.empty(); ++i) {
    std::this_thread::sleep_for(10ms);
    children = subprocess::children_of(pid);
  }
  ASSERT_EQ(children.size(), 1u);
  subprocess::stop(children[0]);
  subprocess::stop(pid);
}

}  // namespace
}  // namespace nictune

// The transport contract, run against every transport: the same agent behaviour must look the
// same to AgentClient whether the agent is a local child or at the end of an SSH channel.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>

#include "core/version.hpp"
#include "orchestrator/transport/agent_client.hpp"
#include "orchestrator/transport/subprocess.hpp"
#include "orchestrator/transport/transport_registry.hpp"
#include "ssh_test_host.hpp"

namespace nictune {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using testing::SshTestHost;
using testing::TempDir;
using testing::test_agent_binary;

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (!condition()) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

struct LocalKind {
  static std::string unavailable() { return ""; }
  TempDir dir{"local", std::filesystem::temp_directory_path().string()};
  HostSpec spec() const {
    HostSpec spec;
    spec.role = "dut";
    spec.transport = "local";
    return spec;
  }
  const std::string& work_dir() const { return dir.path(); }
  std::string log() const { return ""; }
};

struct SshKind {
  static std::string unavailable() { return testing::ssh_tests_unavailable(); }
  SshTestHost host;
  HostSpec spec() const {
    HostSpec spec = host.spec();
    spec.agent_path = test_agent_binary();
    return spec;
  }
  const std::string& work_dir() const { return host.dir(); }
  std::string log() const { return host.sshd_log(); }
};

template <typename Kind>
class TransportContract : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why = Kind::unavailable();
    if (!why.empty()) GTEST_SKIP() << why;
    env_ = std::make_unique<Kind>();
  }

  TransportOptions options() const {
    TransportOptions options;
    options.agent_binary = test_agent_binary();
    return options;
  }

  std::unique_ptr<AgentClient> client(const TransportOptions& options) {
    return std::make_unique<AgentClient>(make_transport(env_->spec(), options), "dut");
  }
  std::unique_ptr<AgentClient> client() { return client(options()); }

  std::unique_ptr<Kind> env_;
};

struct KindNames {
  template <typename T>
  static std::string GetName(int) {
    return std::is_same_v<T, LocalKind> ? "Local" : "Ssh";
  }
};

using Kinds = ::testing::Types<LocalKind, SshKind>;
TYPED_TEST_SUITE(TransportContract, Kinds, KindNames);

TYPED_TEST(TransportContract, HelloRoundTrip) {
  auto agent = this->client();
  const Json& facts = agent->hello();
  EXPECT_EQ(facts["protocol"], kProtocolVersion);
  EXPECT_EQ(facts["agent"], "nictune-agent");
  EXPECT_EQ(facts["version"], kVersion);
  EXPECT_NE(std::find(facts["methods"].begin(), facts["methods"].end(), "echo"),
            facts["methods"].end());
  EXPECT_EQ(agent->facts(), facts);
  EXPECT_EQ(agent->label().rfind("dut (", 0), 0u) << agent->label();
}

TYPED_TEST(TransportContract, LargeRequestAndResponse) {
  auto agent = this->client();
  // Just under the agent's 1 MiB request limit, with every byte value JSON allows in a string.
  std::string blob;
  for (std::size_t i = 0; blob.size() < 900 * 1024; ++i) blob += static_cast<char>(' ' + i % 95);
  Json echoed = agent->call("echo", {{"blob", blob}}, 30s);
  std::string echoed_blob = echoed["blob"];
  EXPECT_EQ(echoed_blob, blob);
  Json big = agent->call("big", {{"bytes", 8 << 20}}, 30s);
  std::string data = big["data"];
  EXPECT_EQ(data.size(), std::size_t{8} << 20);
  // The stream is still in step after the large messages.
  EXPECT_EQ(agent->call("echo", {{"n", 1}}, 10s)["n"], 1);
}

TYPED_TEST(TransportContract, ManyCallsStayInOrder) {
  auto agent = this->client();
  for (int i = 0; i < 200; ++i) ASSERT_EQ(agent->call("echo", {{"i", i}}, 10s)["i"], i);
}

TYPED_TEST(TransportContract, TimeoutThenTheClientRecovers) {
  auto agent = this->client();
  auto start = Clock::now();
  try {
    agent->call("sleep", {{"ms", 4000}}, 200ms);
    FAIL() << "expected a timeout";
  } catch (const TransportError& e) {
    EXPECT_EQ(e.kind(), TransportErrorKind::kTimeout);
    std::string what = e.what();
    EXPECT_NE(what.find("\"sleep\""), std::string::npos) << what;
    EXPECT_NE(what.find("200 ms"), std::string::npos) << what;
    EXPECT_EQ(what.rfind("dut (", 0), 0u) << what;
  }
  EXPECT_LT(Clock::now() - start, 3s);  // well before the sleep ends, with slack for a loaded CI
  // The late answer to "sleep" arrives first and is skipped.
  EXPECT_EQ(agent->call("echo", {{"after", true}}, 15s)["after"], true);
}

TYPED_TEST(TransportContract, AgentCrashIsDetected) {
  auto agent = this->client();
  agent->hello();
  try {
    agent->call("crash", {{"status", 3}, {"message", "test agent: boom on purpose"}}, 10s);
    FAIL() << "expected agent-crash";
  } catch (const TransportError& e) {
    EXPECT_EQ(e.kind(), TransportErrorKind::kAgentCrash) << e.what();
    std::string what = e.what();
    EXPECT_NE(what.find("status 3"), std::string::npos) << what;
    EXPECT_NE(what.find("boom on purpose"), std::string::npos) << what;
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;
  }
  // Using it afterwards is a transport error too, not a hang or a crash of ours.
  EXPECT_THROW(agent->call("echo", Json::object(), 2s), TransportError);
  auto start = Clock::now();
  agent->close();
  EXPECT_LT(Clock::now() - start, 3s);
}

TYPED_TEST(TransportContract, AgentKilledBySignalIsDetected) {
  auto agent = this->client();
  try {
    agent->call("crash", {{"signal", 9}}, 10s);
    FAIL() << "expected agent-crash";
  } catch (const TransportError& e) {
    EXPECT_EQ(e.kind(), TransportErrorKind::kAgentCrash) << e.what();
    std::string what = e.what();
    EXPECT_TRUE(what.find("signal") != std::string::npos ||
                what.find("status 137") != std::string::npos)
        << what;
  }
}

TYPED_TEST(TransportContract, AgentErrorsKeepTheirStableCode) {
  auto agent = this->client();
  try {
    agent->call("fail", {{"code", "busy"}, {"message", "the queue is held by irqbalance"}}, 10s);
    FAIL() << "expected an error";
  } catch (const TransportError& e) {
    FAIL() << "a method error is not a transport error: " << e.what();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kBusy);
    std::string what = e.what();
    EXPECT_EQ(what, agent->label() + ": fail: the queue is held by irqbalance");
  }
  try {
    agent->call("no.such.method", Json::object(), 10s);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUnsupported) << e.what();
  }
  EXPECT_EQ(agent->call("echo", {{"still", "fine"}}, 10s)["still"], "fine");
}

TYPED_TEST(TransportContract, AgentArgumentsPassThroughVerbatim) {
  auto options = this->options();
  options.agent_args = {"--sysfs-root", "/some dir/with 'quotes'", "--tag", "a;b $HOME `x` \"y\""};
  auto agent = this->client(options);
  Json args = agent->call("argv", Json::object(), 10s)["args"];
  std::vector<std::string> received = args;
  EXPECT_EQ(received, options.agent_args);
}

TYPED_TEST(TransportContract, CloseEndsTheAgentWithEndOfInput) {
  std::string marker = this->env_->work_dir() + "/exit-marker";
  auto options = this->options();
  options.agent_args = {"--exit-marker", marker};
  auto agent = this->client(options);
  Json who = agent->call("pid", Json::object(), 10s);
  pid_t pid = who["pid"].get<pid_t>();
  auto start = Clock::now();
  agent->close();
  EXPECT_LT(Clock::now() - start, 3s);
  EXPECT_TRUE(eventually([&] { return !subprocess::alive(pid); }, 5s));
  EXPECT_NE(read_text(marker).find("reason=end of input"), std::string::npos) << read_text(marker);
  agent->close();  // idempotent
}

TYPED_TEST(TransportContract, CloseIsBoundedForAnAgentThatWillNotEnd) {
  auto options = this->options();
  options.agent_args = {"--linger-ms", "60000", "--ignore-term"};
  options.close_grace = 300ms;
  auto agent = this->client(options);
  Json who = agent->call("pid", Json::object(), 10s);
  pid_t pid = who["pid"].get<pid_t>();
  auto start = Clock::now();
  agent->close();
  auto took = Clock::now() - start;
  EXPECT_LT(took, 8s);  // grace + TERM wait + KILL
  EXPECT_TRUE(eventually([&] { return !subprocess::alive(pid); }, 5s))
      << "agent pid " << pid << " still runs; " << this->env_->log();
}

}  // namespace
}  // namespace nictune

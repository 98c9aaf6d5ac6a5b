// SSH-only behaviour against a real OpenSSH sshd in a namespace: authentication, host keys,
// agent upload, a connection killed mid-call, keep-alive.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <set>
#include <thread>

#include "core/version.hpp"
#include "orchestrator/lab/sshd.hpp"
#include "orchestrator/transport/agent_client.hpp"
#include "orchestrator/transport/ssh_transport.hpp"
#include "orchestrator/transport/subprocess.hpp"
#include "ssh_test_host.hpp"

namespace nictune {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using testing::release_agent_binary;
using testing::SshTestHost;
using testing::test_agent_binary;
namespace fs = std::filesystem;

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

class SshTransportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why = testing::ssh_tests_unavailable();
    if (!why.empty()) GTEST_SKIP() << why;
    host_ = std::make_unique<SshTestHost>();
  }

  HostSpec spec() const {
    HostSpec spec = host_->spec();
    spec.agent_path = test_agent_binary();
    return spec;
  }
  TransportOptions options() const {
    TransportOptions options;
    options.agent_binary = test_agent_binary();
    options.remote_cache_dir = host_->dir() + "/cache";
    return options;
  }
  // The TransportError a connection attempt ends with.
  TransportError connect_error(const HostSpec& spec, const TransportOptions& options) {
    try {
      SshTransport transport(spec, options);
    } catch (const TransportError& e) {
      return e;
    }
    ADD_FAILURE() << "expected the connection to be refused";
    return TransportError(TransportErrorKind::kProtocol, "");
  }

  std::unique_ptr<SshTestHost> host_;
};

TEST_F(SshTransportTest, KeyAuthenticationWorks) {
  SshTransport transport(spec(), options());
  EXPECT_EQ(transport.describe(), "ssh root@" + host_->address() + ":22");
  EXPECT_FALSE(transport.uploaded_agent());
  AgentClient agent(std::make_unique<SshTransport>(spec(), options()), "dut");
  EXPECT_EQ(agent.hello()["euid"], 0);
}

TEST_F(SshTransportTest, WrongKeyIsRefused) {
  HostSpec spec = this->spec();
  spec.identity_file = host_->make_unauthorized_key("stranger");
  auto error = connect_error(spec, options());
  EXPECT_EQ(error.kind(), TransportErrorKind::kAuth) << error.what();
  std::string what = error.what();
  EXPECT_NE(what.find("refused"), std::string::npos) << what;
  EXPECT_NE(what.find("stranger"), std::string::npos) << what;
  EXPECT_EQ(what.rfind("dut (ssh root@", 0), 0u) << what;
}

TEST_F(SshTransportTest, MissingIdentityFileIsAnAuthError) {
  HostSpec spec = this->spec();
  spec.identity_file = host_->dir() + "/no-such-key";
  auto error = connect_error(spec, options());
  EXPECT_EQ(error.kind(), TransportErrorKind::kAuth) << error.what();
}

TEST_F(SshTransportTest, UnknownHostKeyIsRefusedWithItsFingerprint) {
  std::ofstream(host_->known_hosts(), std::ios::trunc).close();  // empty: the host is unknown
  auto error = connect_error(spec(), options());
  EXPECT_EQ(error.kind(), TransportErrorKind::kHostKey) << error.what();
  std::string what = error.what();
  std::string fingerprint = lab::key_fingerprint(host_->host_public_key());
  ASSERT_EQ(fingerprint.rfind("SHA256:", 0), 0u);
  EXPECT_NE(what.find(fingerprint), std::string::npos) << what;
  EXPECT_NE(what.find("not known"), std::string::npos) << what;
  // How to accept it: the exact line, appended to that file.
  EXPECT_NE(what.find(lab::public_key_text(host_->host_public_key())), std::string::npos) << what;
  EXPECT_NE(what.find(">> " + host_->known_hosts()), std::string::npos) << what;
  EXPECT_EQ(what.find('\n'), std::string::npos);
  // Nothing was trusted on the way.
  EXPECT_EQ(read_text(host_->known_hosts()), "");
}

TEST_F(SshTransportTest, MissingKnownHostsFileIsRefusedToo) {
  fs::remove(host_->known_hosts());
  auto error = connect_error(spec(), options());
  EXPECT_EQ(error.kind(), TransportErrorKind::kHostKey) << error.what();
  EXPECT_FALSE(fs::exists(host_->known_hosts()));
}

TEST_F(SshTransportTest, FollowingTheAcceptInstructionWorks) {
  std::ofstream(host_->known_hosts(), std::ios::trunc).close();
  std::string what = connect_error(spec(), options()).what();
  auto at = what.find("accept it with: ");
  ASSERT_NE(at, std::string::npos) << what;
  std::string command = what.substr(at + std::string("accept it with: ").size());
  auto result = subprocess::run({"sh", "-c", command});
  ASSERT_TRUE(result.ok()) << command << ": " << result.failure();
  SshTransport transport(spec(), options());
}

TEST_F(SshTransportTest, ChangedHostKeyIsRefused) {
  std::string impostor = host_->make_unauthorized_key("impostor_host_key");
  std::ofstream(host_->known_hosts(), std::ios::trunc)
      << lab::known_hosts_line(host_->address(), 22, impostor + ".pub");
  std::string before = read_text(host_->known_hosts());
  for (bool accept_new : {false, true}) {
    auto options = this->options();
    options.accept_new_host_keys = accept_new;  // never overrides a changed key
    auto error = connect_error(spec(), options);
    EXPECT_EQ(error.kind(), TransportErrorKind::kHostKey) << error.what();
    std::string what = error.what();
    EXPECT_NE(what.find("CHANGED"), std::string::npos) << what;
    EXPECT_NE(what.find(lab::key_fingerprint(host_->host_public_key())), std::string::npos) << what;
    EXPECT_NE(what.find("ssh-keygen -R " + host_->address()), std::string::npos) << what;
    EXPECT_EQ(read_text(host_->known_hosts()), before);
  }
}

TEST_F(SshTransportTest, AcceptNewAddsAnUnknownKeyAndSaysSo) {
  std::ofstream(host_->known_hosts(), std::ios::trunc).close();
  auto options = this->options();
  options.accept_new_host_keys = true;
  std::vector<std::string> notices;
  options.log = [&](const std::string& line) { notices.push_back(line); };
  SshTransport transport(spec(), options);
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_NE(notices[0].find(lab::key_fingerprint(host_->host_public_key())), std::string::npos)
      << notices[0];
  EXPECT_NE(read_text(host_->known_hosts()).find(lab::public_key_text(host_->host_public_key())),
            std::string::npos);
}

TEST_F(SshTransportTest, NothingListeningIsUnreachable) {
  HostSpec spec = this->spec();
  spec.port = 2222;
  auto error = connect_error(spec, options());
  EXPECT_EQ(error.kind(), TransportErrorKind::kUnreachable) << error.what();
  EXPECT_NE(std::string(error.what()).find("cannot connect"), std::string::npos) << error.what();
}

TEST_F(SshTransportTest, AgentIsUploadedWhenMissingAndCachedAfterwards) {
  HostSpec spec = this->spec();
  spec.agent_path = "/nonexistent/nictune-agent";
  auto options = this->options();
  options.agent_binary = release_agent_binary();
  std::vector<std::string> notices;
  options.log = [&](const std::string& line) { notices.push_back(line); };
  {
    auto transport = std::make_unique<SshTransport>(spec, options);
    EXPECT_TRUE(transport->uploaded_agent());
    EXPECT_NE(
        transport->agent_command().find(host_->dir() + "/cache/nictune-agent-" + kVersion + "-"),
        std::string::npos)
        << transport->agent_command();
    AgentClient agent(std::move(transport), "dut");
    EXPECT_EQ(agent.hello()["protocol"], kProtocolVersion);
  }
  ASSERT_GE(notices.size(), 2u);
  EXPECT_NE(notices[0].find("no runnable agent at /nonexistent/nictune-agent"), std::string::npos)
      << notices[0];
  int cached = 0;
  for (const auto& entry : fs::directory_iterator(host_->dir() + "/cache")) {
    ++cached;
    EXPECT_EQ(fs::file_size(entry.path()), fs::file_size(options.agent_binary));
    EXPECT_EQ(entry.path().filename().string().find(".part"), std::string::npos);
  }
  EXPECT_EQ(cached, 1);
  // Second time: found in the cache, not uploaded again.
  SshTransport again(spec, options);
  EXPECT_FALSE(again.uploaded_agent());
}

TEST_F(SshTransportTest, UploadKeepsTheCacheSmall) {
  std::string cache = host_->dir() + "/cache";
  fs::create_directories(cache);
  auto age = [&](const std::string& name, std::chrono::hours hours) {
    std::ofstream(cache + "/" + name) << "old build";
    fs::last_write_time(cache + "/" + name, fs::file_time_type::clock::now() - hours);
  };
  age("nictune-agent-0.0.9-000000000001", std::chrono::hours(40));
  age("nictune-agent-0.0.9-000000000002", std::chrono::hours(30));
  age("nictune-agent-0.0.9-000000000003", std::chrono::hours(20));
  age("nictune-agent-0.0.9-000000000004", std::chrono::hours(10));
  age("nictune-agent-0.0.9-000000000005.part-1-0", std::chrono::hours(2));
  age("nictune-agent-0.0.9-000000000006.part-1-0", std::chrono::hours(0));
  age("unrelated-file", std::chrono::hours(50));
  HostSpec spec = this->spec();
  spec.agent_path = "";
  SshTransport transport(spec, options());
  ASSERT_TRUE(transport.uploaded_agent());
  std::set<std::string> left;
  for (const auto& entry : fs::directory_iterator(cache))
    left.insert(entry.path().filename().string());
  EXPECT_EQ(left.size(), 5u);
  EXPECT_TRUE(left.count("nictune-agent-0.0.9-000000000003"));
  EXPECT_TRUE(left.count("nictune-agent-0.0.9-000000000004"));
  EXPECT_TRUE(left.count("nictune-agent-0.0.9-000000000006.part-1-0"));  // may still be uploading
  EXPECT_TRUE(left.count("unrelated-file"));
}

TEST_F(SshTransportTest, AgentOfAnotherVersionIsReplacedByAnUpload) {
  std::string old_agent = host_->dir() + "/old-agent";
  std::ofstream(old_agent) << "#!/bin/sh\necho 'nictune-agent 0.0.1 (protocol 0)'\n";
  fs::permissions(old_agent, fs::perms::owner_all);
  HostSpec spec = this->spec();
  spec.agent_path = old_agent;
  auto options = this->options();
  std::vector<std::string> notices;
  options.log = [&](const std::string& line) { notices.push_back(line); };
  SshTransport transport(spec, options);
  EXPECT_TRUE(transport.uploaded_agent());
  ASSERT_FALSE(notices.empty());
  EXPECT_NE(notices[0].find("nictune-agent 0.0.1 (protocol 0)"), std::string::npos) << notices[0];
}

TEST_F(SshTransportTest, NoAgentAnywhereAndNothingToUploadIsAClearError) {
  HostSpec spec = this->spec();
  spec.agent_path = "/nonexistent/nictune-agent";
  auto options = this->options();
  options.agent_binary = "";
  auto error = connect_error(spec, options);
  EXPECT_EQ(error.kind(), TransportErrorKind::kUnreachable) << error.what();
  EXPECT_NE(std::string(error.what()).find("no local agent to upload"), std::string::npos)
      << error.what();
}

TEST_F(SshTransportTest, ConnectionKilledMidCallFailsTheCallAndTheAgentSeesEndOfInput) {
  std::string marker = host_->dir() + "/exit-marker";
  auto options = this->options();
  options.agent_args = {"--exit-marker", marker};
  AgentClient agent(std::make_unique<SshTransport>(spec(), options), "dut");
  pid_t agent_pid = agent.call("pid", Json::object(), 10s)["pid"].get<pid_t>();

  auto killer = std::async(std::launch::async, [&] {
    std::this_thread::sleep_for(300ms);
    return host_->kill_sessions();
  });
  auto start = Clock::now();
  try {
    agent.call("sleep", {{"ms", 20000}}, 30s);
    FAIL() << "expected a transport error";
  } catch (const TransportError& e) {
    EXPECT_EQ(e.kind(), TransportErrorKind::kUnreachable) << e.what();
    EXPECT_NE(std::string(e.what()).find("connection lost"), std::string::npos) << e.what();
  }
  EXPECT_GE(killer.get(), 1);
  EXPECT_LT(Clock::now() - start, 10s);
  // The agent noticed its input ended, mid-call, and stopped.
  EXPECT_TRUE(eventually([&] { return !subprocess::alive(agent_pid); }, 10s));
  std::string ended = read_text(marker);
  EXPECT_NE(ended.find("stdin_hup=1"), std::string::npos) << ended;
  // The client refuses further use quickly, and closing is quick.
  EXPECT_THROW(agent.call("echo", Json::object(), 5s), TransportError);
  start = Clock::now();
  agent.close();
  EXPECT_LT(Clock::now() - start, 2s);
}

TEST_F(SshTransportTest, AnIdleConnectionSurvivesTheServersAliveChecks) {
  // sshd drops a client that leaves one probe (sent every 2 s) unanswered; between calls
  // nobody reads the session unless the transport keeps it serviced.
  host_.reset();
  host_ =
      std::make_unique<SshTestHost>(/*client_alive_interval_s=*/2, /*client_alive_count_max=*/1);
  auto options = this->options();
  options.keepalive_interval = 300ms;
  AgentClient agent(std::make_unique<SshTransport>(spec(), options), "dut");
  agent.hello();
  std::this_thread::sleep_for(7s);
  EXPECT_EQ(agent.call("echo", {{"alive", true}}, 5s)["alive"], true) << host_->sshd_log();
  // And a long call with the server probing meanwhile.
  EXPECT_EQ(agent.call("sleep", {{"ms", 4000}}, 10s)["slept"], true);
}

TEST_F(SshTransportTest, RealAgentOverSsh) {
  HostSpec spec = host_->spec();
  spec.agent_path = "";
  auto options = this->options();
  options.agent_binary = release_agent_binary();
  auto agent = AgentClient::connect(spec, options);
  EXPECT_EQ(agent->facts()["agent"], "nictune-agent");
  EXPECT_EQ(agent->call("shutdown", Json::object(), 10s)["ok"], true);
  agent->close();
}

}  // namespace
}  // namespace nictune

// The SSH transport's `sudo: true` path against a real sshd and a real sudo: the test creates a
// non-root user (its key in ~/.ssh/authorized_keys, which the test sshd accepts) and a sudoers
// rule in /etc/sudoers.d (checked with `visudo -cf` before it is installed), logs in as that user
// and runs the agent through `sudo -n`, which must then run as root. Without the rule the
// connection fails with an auth error naming the host and the fix. The user, its home and the
// rule are removed by destructors, also when a test fails. Needs root, sudo, visudo and useradd;
// skips with the reason otherwise.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "orchestrator/lab/sshd.hpp"
#include "orchestrator/transport/agent_client.hpp"
#include "orchestrator/transport/ssh_transport.hpp"
#include "orchestrator/transport/subprocess.hpp"
#include "ssh_test_host.hpp"

namespace nictune {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

std::string sudo_tests_unavailable() {
  std::string why = testing::ssh_tests_unavailable();
  if (!why.empty()) return why;
  for (const char* program : {"sudo", "visudo", "useradd", "userdel", "usermod"}) {
    if (subprocess::find_program(program).empty())
      return std::string("no ") + program + " (scripts/install-deps.sh installs sudo)";
  }
  if (!fs::is_directory("/etc/sudoers.d")) return "no /etc/sudoers.d";
  return "";
}

// A local user that may log in with `public_key`, removed with its home by the destructor.
class TestUser {
 public:
  explicit TestUser(const std::string& public_key)
      : name_("ntsudo" + std::to_string(getpid())), home_("/home/" + name_) {
    auto r = subprocess::run({"useradd", "--create-home", "--home-dir", home_, "--shell", "/bin/sh",
                              "--user-group", name_});
    if (!r.ok()) throw std::runtime_error("useradd " + name_ + ": " + r.failure());
    created_ = true;
    // useradd leaves the password "!", which sshd (without PAM) takes for a locked account; "*"
    // is no password at all, the state of a key-only account.
    r = subprocess::run({"usermod", "--password", "*", name_});
    if (!r.ok()) throw std::runtime_error("usermod " + name_ + ": " + r.failure());
    fs::create_directories(home_ + "/.ssh");
    std::ofstream(home_ + "/.ssh/authorized_keys") << lab::public_key_text(public_key) << "\n";
    ::chmod((home_ + "/.ssh").c_str(), 0700);
    ::chmod((home_ + "/.ssh/authorized_keys").c_str(), 0600);
    r = subprocess::run({"chown", "-R", name_ + ":" + name_, home_ + "/.ssh"});
    if (!r.ok()) throw std::runtime_error("chown " + home_ + ": " + r.failure());
  }
  ~TestUser() {
    if (created_) subprocess::run({"userdel", "--remove", name_});
  }
  TestUser(const TestUser&) = delete;
  TestUser& operator=(const TestUser&) = delete;
  const std::string& name() const { return name_; }

 private:
  std::string name_, home_;
  bool created_ = false;
};

// /etc/sudoers.d/<name>: installed only once `visudo -cf` accepts it, removed by the destructor.
class SudoersRule {
 public:
  SudoersRule(const std::string& name, const std::string& rule)
      : path_("/etc/sudoers.d/" + name) {   // sudo skips names with a dot: none here
    const std::string draft = path_ + "~";  // and names ending in ~, so the draft is inert
    std::ofstream(draft) << rule << "\n";
    ::chmod(draft.c_str(), 0440);
    auto check = subprocess::run({"visudo", "-cf", draft});
    if (!check.ok()) {
      fs::remove(draft);
      throw std::runtime_error("visudo -cf rejects the rule \"" + rule + "\": " + check.failure());
    }
    fs::rename(draft, path_);
  }
  ~SudoersRule() {
    std::error_code ec;
    fs::remove(path_, ec);
  }
  SudoersRule(const SudoersRule&) = delete;
  SudoersRule& operator=(const SudoersRule&) = delete;

 private:
  std::string path_;
};

class SshSudoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why = sudo_tests_unavailable();
    if (!why.empty()) GTEST_SKIP() << why;
    // The sshd's own user key, authorized for the new user too.
    host_ = std::make_unique<testing::SshTestHost>(0, 4, true);
    user_ = std::make_unique<TestUser>(host_->user_key() + ".pub");
    // The agent where the user can reach it: sudo looks the command up as the user, who cannot
    // enter the test's private directories. Root-owned, not writable by the user.
    agent_dir_ = "/tmp/nictune-sudo-agent-" + std::to_string(getpid());
    fs::create_directories(agent_dir_);
    ::chmod(agent_dir_.c_str(), 0755);
    agent_ = agent_dir_ + "/nictune-test-agent";
    fs::copy_file(testing::test_agent_binary(), agent_, fs::copy_options::overwrite_existing);
    ::chmod(agent_.c_str(), 0755);
  }
  void TearDown() override {
    host_.reset();  // its sshd and sessions first: userdel refuses a user with processes
    user_.reset();
    std::error_code ec;
    if (!agent_dir_.empty()) fs::remove_all(agent_dir_, ec);
  }

  HostSpec spec() const {
    HostSpec spec = host_->spec();
    spec.user = user_->name();
    spec.sudo = true;
    spec.agent_path = agent_;
    return spec;
  }
  TransportOptions options() const {
    TransportOptions options;
    options.agent_binary = agent_;
    options.remote_cache_dir = "/nonexistent";  // an upload would be a failure of this test
    return options;
  }

  std::unique_ptr<testing::SshTestHost> host_;
  std::unique_ptr<TestUser> user_;
  std::string agent_dir_, agent_;
};

TEST_F(SshSudoTest, NonRootUserRunsTheAgentThroughSudo) {
  // Only what the transport runs through sudo: the agent, the shell that reports its PID and
  // becomes it, and kill for a stuck agent.
  SudoersRule rule("nictune-test-" + std::to_string(getpid()),
                   user_->name() + " ALL=(root) NOPASSWD: " + agent_ +
                       ", /usr/bin/sh, /bin/sh, /usr/bin/kill, /bin/kill");
  std::unique_ptr<AgentClient> agent;
  try {
    agent = AgentClient::connect(spec(), options());
  } catch (const std::exception& e) {
    FAIL() << e.what() << "\n" << host_->sshd_log();
  }
  const Json facts = agent->facts();
  EXPECT_EQ(facts["euid"], 0) << facts.dump();  // root, by sudo
  EXPECT_EQ(agent->call("shutdown", Json::object(), 10s)["ok"], true);
  agent->close();
  EXPECT_NE(host_->sshd_log().find("Accepted publickey for " + user_->name()), std::string::npos);
}

TEST_F(SshSudoTest, MissingRuleIsAnAuthErrorNamingTheHostAndTheFix) {
  try {
    auto agent = AgentClient::connect(spec(), options());
    FAIL() << "connected without a sudoers rule";
  } catch (const TransportError& e) {
    EXPECT_EQ(e.kind(), TransportErrorKind::kAuth) << e.what();
    const std::string message = e.what();
    EXPECT_NE(message.find(host_->address()), std::string::npos) << message;
    EXPECT_NE(message.find("`sudo -n` refused"), std::string::npos) << message;
    EXPECT_NE(message.find(user_->name() + " ALL=(root) NOPASSWD:"), std::string::npos) << message;
    EXPECT_NE(message.find("/etc/sudoers.d/"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace nictune

// Test helpers: run shell commands, find the built agent, and drive an agent process over its
// stdin/stdout (optionally behind a relay parent, the way sshd sits between ssh and the agent).
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "core/json_util.hpp"

namespace nictune::testing {

// Runs a shell command; its output (stderr too unless `with_stderr` is false), trailing
// whitespace removed.
inline std::string shell(const std::string& command, int* status = nullptr,
                         bool with_stderr = true) {
  std::string out;
  FILE* pipe = ::popen((command + (with_stderr ? " 2>&1" : " 2>/dev/null")).c_str(), "r");
  if (!pipe) return out;
  std::array<char, 4096> buffer{};
  while (std::size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe))
    out.append(buffer.data(), n);
  int rc = ::pclose(pipe);
  if (status) *status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

inline std::string agent_binary() {
  // The release build's agent is the static one that ships; the test's own build has one too.
  if (const char* release = std::getenv("NICTUNE_RELEASE_BUILD")) {
    std::string path = std::string(release) + "/agents/nictune-agent";
    if (std::filesystem::exists(path)) return path;
  }
  return std::string(NICTUNE_BINARY_DIR) + "/agents/nictune-agent";
}

// A running agent, spoken to over pipes. With `with_parent`, a relay
// process sits between the test and the agent's stdin the way sshd does: when it dies, the
// agent sees end of input.
class Agent {
 public:
  // `args`: the full command line, args[0] an absolute path.
  explicit Agent(std::vector<std::string> args, bool with_parent = false,
                 const std::string& ssh_connection = "") {
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::string env_ssh = "SSH_CONNECTION=" + ssh_connection;
    int to_agent[2], from_agent[2];
    EXPECT_EQ(::pipe2(to_agent, O_CLOEXEC), 0);
    EXPECT_EQ(::pipe2(from_agent, O_CLOEXEC), 0);
    if (!with_parent) {
      agent_pid_ = spawn(argv, to_agent[0], from_agent[1],
                         ssh_connection.empty() ? nullptr : env_ssh.c_str());
      ::close(to_agent[0]);
      ::close(from_agent[1]);
      in_ = to_agent[1];
      out_ = from_agent[0];
      return;
    }
    // parent: reads the test's pipe, forwards to the agent's stdin, waits.
    int relay[2];
    EXPECT_EQ(::pipe2(relay, O_CLOEXEC), 0);
    parent_pid_ = ::fork();
    if (parent_pid_ == 0) {
      ::close(to_agent[1]);
      ::close(from_agent[0]);
      int agent_in[2];
      if (::pipe2(agent_in, O_CLOEXEC) != 0) ::_exit(3);
      pid_t agent = spawn(argv, agent_in[0], from_agent[1], nullptr);
      // Tell the test the agent's pid, then relay until our input ends or we are killed.
      ssize_t ignored = ::write(relay[1], &agent, sizeof agent);
      (void)ignored;
      ::close(agent_in[0]);
      char buffer[4096];
      while (true) {
        ssize_t n = ::read(to_agent[0], buffer, sizeof buffer);
        if (n <= 0) break;
        if (::write(agent_in[1], buffer, static_cast<std::size_t>(n)) != n) break;
      }
      ::_exit(0);
    }
    ::close(to_agent[0]);
    ::close(from_agent[1]);
    ::close(relay[1]);
    EXPECT_EQ(::read(relay[0], &agent_pid_, sizeof agent_pid_),
              static_cast<ssize_t>(sizeof agent_pid_));
    ::close(relay[0]);
    in_ = to_agent[1];
    out_ = from_agent[0];
  }

  ~Agent() {
    if (in_ >= 0) ::close(in_);
    for (pid_t pid : {parent_pid_, agent_pid_}) {
      if (pid > 0 && ::kill(pid, 0) == 0) ::kill(pid, SIGKILL);
    }
    if (parent_pid_ > 0) ::waitpid(parent_pid_, nullptr, 0);
    if (agent_pid_ > 0 && !agent_is_grandchild()) ::waitpid(agent_pid_, nullptr, 0);
    wait_gone(agent_pid_);
    if (out_ >= 0) ::close(out_);
  }
  Agent(const Agent&) = delete;
  Agent& operator=(const Agent&) = delete;

  Json call(const std::string& method, const Json& params = Json::object()) {
    Json request = {{"jsonrpc", "2.0"}, {"id", ++id_}, {"method", method}, {"params", params}};
    return raw(request.dump());
  }
  // Sends a request and does not wait for its answer (answers pile up unread in the pipe).
  void send(const std::string& method, const Json& params = Json::object()) {
    Json request = {{"jsonrpc", "2.0"}, {"id", ++id_}, {"method", method}, {"params", params}};
    std::string line = request.dump() + "\n";
    EXPECT_EQ(::write(in_, line.data(), line.size()), static_cast<ssize_t>(line.size()));
  }
  pid_t agent_pid() const { return agent_pid_; }
  // One line as it is, for malformed requests.
  Json raw(const std::string& text) {
    std::string line = text + "\n";
    EXPECT_EQ(::write(in_, line.data(), line.size()), static_cast<ssize_t>(line.size()));
    std::string response = read_line(std::chrono::seconds(20));
    if (response.empty()) {
      ADD_FAILURE() << text << ": no response";
      return Json();
    }
    return Json::parse(response);
  }
  Json result(const std::string& method, const Json& params = Json::object()) {
    Json response = call(method, params);
    EXPECT_TRUE(response.contains("result"))
        << method << " " << params.dump() << " -> " << response.dump();
    return response.contains("result") ? response["result"] : Json();
  }

  void close_input() {
    ::close(in_);
    in_ = -1;
  }
  void kill_parent() {
    ::kill(parent_pid_, SIGKILL);
    ::waitpid(parent_pid_, nullptr, 0);
    parent_pid_ = -1;
  }
  void kill_agent(int signal) {
    // `ip netns exec` execs the agent, so the pid is the agent's.
    ::kill(agent_pid_, signal);
  }
  // Waits for the agent to exit; true when it did within the timeout.
  bool wait_exit(std::chrono::seconds timeout = std::chrono::seconds(20)) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (agent_is_grandchild()) {
        if (::kill(agent_pid_, 0) != 0 || zombie(agent_pid_)) return true;
      } else {
        int status = 0;
        if (::waitpid(agent_pid_, &status, WNOHANG) == agent_pid_) {
          exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
          agent_pid_ = -1;
          return true;
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }
  int exit_status() const { return exit_status_; }

 private:
  static pid_t spawn(std::vector<char*>& argv, int in, int out, const char* extra_env) {
    pid_t pid = ::fork();
    if (pid == 0) {
      ::dup2(in, 0);
      ::dup2(out, 1);
      if (extra_env) ::putenv(const_cast<char*>(extra_env));
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    return pid;
  }
  bool agent_is_grandchild() const { return parent_pid_ != 0; }
  static bool zombie(pid_t pid) {
    std::string stat = shell("cat /proc/" + std::to_string(pid) + "/stat 2>/dev/null");
    auto close = stat.rfind(')');
    return close != std::string::npos && stat.size() > close + 2 && stat[close + 2] == 'Z';
  }
  static void wait_gone(pid_t pid) {
    for (int i = 0; pid > 0 && i < 500 && ::kill(pid, 0) == 0 && !zombie(pid); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  std::string read_line(std::chrono::seconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      auto newline = buffer_.find('\n');
      if (newline != std::string::npos) {
        std::string line = buffer_.substr(0, newline);
        buffer_.erase(0, newline + 1);
        return line;
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::string();
      pollfd p{out_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return std::string();
      char chunk[65536];
      ssize_t n = ::read(out_, chunk, sizeof chunk);
      if (n <= 0) return std::string();
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
  }

  pid_t agent_pid_ = -1;
  pid_t parent_pid_ = 0;
  int in_ = -1;
  int out_ = -1;
  int id_ = 0;
  int exit_status_ = -1;
  std::string buffer_;
};

// The agent inside a network namespace (through `ip netns exec`, which execs it in place).
inline std::vector<std::string> netns_agent_args(const std::string& netns,
                                                 const std::string& state_dir) {
  return {shell("command -v ip"), "netns", "exec", netns, agent_binary(), "--state-dir", state_dir};
}

}  // namespace nictune::testing

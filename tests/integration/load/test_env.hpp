// What the load integration tests share: a pair of network namespaces joined by a veth (removed
// by the destructor, so also when a test fails), running code inside a namespace, and an agent
// child process driven over its JSON-RPC stdin/stdout.
#pragma once

#include <sys/types.h>

#include <exception>
#include <functional>
#include <string>
#include <thread>

#include "core/json_util.hpp"
#include "core/workload.hpp"
#include "tests/support/netns_thread.hpp"

namespace nictune::load::testing {

// Two namespaces "ntl<pid><tag>s" / "ntl<pid><tag>c" with a veth between them: the server side
// 198.18.0.1/24, the client side 198.18.0.2/24 (RFC 2544 benchmarking range).
class NetnsPair {
 public:
  explicit NetnsPair(const std::string& tag);
  ~NetnsPair();
  NetnsPair(const NetnsPair&) = delete;
  NetnsPair& operator=(const NetnsPair&) = delete;
  // "" when ready; otherwise why not (the test skips with it).
  const std::string& unavailable() const { return unavailable_; }
  std::string server_ns, client_ns;
  std::string server_ip = "198.18.0.1";
  std::string client_ip = "198.18.0.2";

 private:
  std::string unavailable_;
  bool created_ = false;
};

// enter_netns and in_netns: tests/support/netns_thread.hpp, shared with the other lab tests.
using nictune::testing::enter_netns;
using nictune::testing::in_netns;

// A nictune-agent child, optionally inside a namespace (through `ip netns exec`).
class AgentProcess {
 public:
  explicit AgentProcess(const std::string& netns = "");
  ~AgentProcess();
  AgentProcess(const AgentProcess&) = delete;
  AgentProcess& operator=(const AgentProcess&) = delete;
  // Sends a request and waits up to `timeout_ms` for the response object (null on timeout).
  Json call(const std::string& method, const Json& params, int timeout_ms = 30000);
  void send_request(const std::string& method, const Json& params);
  Json read_response(int timeout_ms);
  void kill(int signal);
  void close_input();
  // Waits up to `timeout_ms`; the wait status or -1.
  int wait(int timeout_ms);
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int in_ = -1;
  int out_ = -1;
  int next_id_ = 1;
  std::string buffer_;
  bool reaped_ = false;
};

std::string agent_path();

// Both halves of one measurement: serve.start, load.run, serve.stop, combine.
struct PairRun {
  Json client;
  Json server;
  Json combined;
  double run_s = 0;   // how long load.run took
  double stop_s = 0;  // how long serve.stop took
};
// Server in `server_ns` on `server_ip`, client in `client_ns`; "" namespaces = this one.
PairRun run_pair(const Workload& workload, const std::string& server_ns,
                 const std::string& server_ip, const std::string& client_ns,
                 const std::string& cpus_server = "", const std::string& cpus_client = "");
// The checks every end-to-end run must pass: traffic flowed, every packet is accounted for
// (sent = received + lost), intervals cover the duration, shutdown was clean and prompt.
void expect_sane(const Workload& workload, const PairRun& run);
bool is_root();
bool have_tool(const std::string& name);

}  // namespace nictune::load::testing

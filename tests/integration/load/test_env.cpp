#include "test_env.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <stdexcept>

#include <gtest/gtest.h>

#include "agents/load/load_runner.hpp"
#include "agents/load/sys_util.hpp"
#include "core/load_results.hpp"
#include "core/metrics.hpp"

namespace nictune::load::testing {
namespace {

int run(const std::string& command) {
  return std::system((command + " >/dev/null 2>&1").c_str());
}

// Namespaces left behind by test processes that died (a crash skips destructors).
void remove_stale_namespaces() {
  DIR* dir = opendir("/run/netns");
  if (!dir) return;
  while (dirent* e = readdir(dir)) {
    std::string name = e->d_name;
    if (name.rfind("ntl", 0) != 0) continue;
    std::size_t end = 3;
    while (end < name.size() && isdigit(static_cast<unsigned char>(name[end]))) ++end;
    if (end == 3) continue;
    pid_t owner = static_cast<pid_t>(std::stol(name.substr(3, end - 3)));
    if (::kill(owner, 0) != 0 && errno == ESRCH) run("ip netns del " + name);
  }
  closedir(dir);
}

}  // namespace

bool is_root() {
  return geteuid() == 0;
}

bool have_tool(const std::string& name) {
  for (const char* dir : {"/usr/bin/", "/usr/sbin/", "/bin/", "/sbin/", "/usr/local/bin/"}) {
    if (access((std::string(dir) + name).c_str(), X_OK) == 0) return true;
  }
  return false;
}

NetnsPair::NetnsPair(const std::string& tag) {
  // The '-' ends the PID for remove_stale_namespaces: with a digit tag ("3") glued on, another
  // test process read this namespace's owner as a PID ten times ours, found it dead and deleted
  // the namespace under the running test.
  const std::string base = "ntl" + std::to_string(getpid()) + "-" + tag;
  server_ns = base + "s";
  client_ns = base + "c";
  if (!is_root()) {
    unavailable_ = "needs root to create network namespaces";
    return;
  }
  if (!have_tool("ip")) {
    unavailable_ = "needs ip (Debian package iproute2)";
    return;
  }
  remove_stale_namespaces();
  created_ = true;
  const std::string vs = base + "vs", vc = base + "vc";
  const std::vector<std::string> steps = {
      "ip netns add " + server_ns,
      "ip netns add " + client_ns,
      "ip link add " + vs + " netns " + server_ns + " type veth peer name " + vc + " netns " +
          client_ns,
      "ip -n " + server_ns + " addr add " + server_ip + "/24 dev " + vs,
      "ip -n " + client_ns + " addr add " + client_ip + "/24 dev " + vc,
      "ip -n " + server_ns + " link set lo up",
      "ip -n " + client_ns + " link set lo up",
      "ip -n " + server_ns + " link set " + vs + " up",
      "ip -n " + client_ns + " link set " + vc + " up",
  };
  for (const auto& step : steps) {
    if (run(step) != 0) {
      unavailable_ = "cannot set up namespaces: \"" + step + "\" failed";
      return;
    }
  }
  // Wait until both ends are operationally up. The kernel attaches a veth's queueing discipline
  // asynchronously (linkwatch, up to a second after `link set up`); until then it drops what is
  // sent, and a connect whose first SYN is dropped waits the 1 s SYN retransmit, longer than the
  // tests' 1 s peer timeout. (There may be no ping here to probe with: iputils is not installed.)
  auto up = [&](const std::string& ns, const std::string& dev) {
    return run("test \"$(ip netns exec " + ns + " cat /sys/class/net/" + dev +
               "/operstate)\" = up") == 0;
  };
  for (int i = 0; i < 250 && !(up(server_ns, vs) && up(client_ns, vc)); ++i) usleep(20000);
  if (!(up(server_ns, vs) && up(client_ns, vc))) {
    // A failure, not a skip: root and namespaces are there, the kernel did not bring the link up.
    run("ip netns del " + server_ns);
    run("ip netns del " + client_ns);
    throw std::runtime_error("the veth between " + server_ns + " and " + client_ns +
                             " did not come up within 5 s");
  }
}

NetnsPair::~NetnsPair() {
  if (!created_) return;
  // Deleting a namespace deletes the veth end inside it, and with it the peer.
  run("ip netns del " + server_ns);
  run("ip netns del " + client_ns);
}

std::string agent_path() {
  return std::string(NICTUNE_BINARY_DIR) + "/agents/nictune-agent";
}

AgentProcess::AgentProcess(const std::string& netns) {
  int to_child[2], from_child[2];
  if (pipe2(to_child, O_CLOEXEC) != 0 || pipe2(from_child, O_CLOEXEC) != 0)
    throw std::runtime_error("pipe");
  std::vector<std::string> args;
  if (!netns.empty()) args = {"/usr/sbin/ip", "netns", "exec", netns};
  if (!netns.empty() && access(args[0].c_str(), X_OK) != 0) args[0] = "/sbin/ip";
  args.push_back(agent_path());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_ = fork();
  if (pid_ == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    dup2(to_child[0], 0);
    dup2(from_child[1], 1);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(to_child[0]);
  close(from_child[1]);
  in_ = to_child[1];
  out_ = from_child[0];
}

AgentProcess::~AgentProcess() {
  close_input();
  if (!reaped_ && wait(3000) == -1) {
    kill(SIGKILL);
    wait(3000);
  }
  if (out_ >= 0) close(out_);
}

void AgentProcess::send_request(const std::string& method, const Json& params) {
  std::string line =
      Json{{"jsonrpc", "2.0"}, {"id", next_id_++}, {"method", method}, {"params", params}}.dump() +
      "\n";
  std::size_t done = 0;
  while (done < line.size()) {
    ssize_t n = write(in_, line.data() + done, line.size() - done);
    if (n <= 0) throw std::runtime_error("agent input closed");
    done += static_cast<std::size_t>(n);
  }
}

Json AgentProcess::read_response(int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    auto newline = buffer_.find('\n');
    if (newline != std::string::npos) {
      std::string line = buffer_.substr(0, newline);
      buffer_.erase(0, newline + 1);
      return Json::parse(line);
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0) return nullptr;
    pollfd p{out_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left)) <= 0) continue;
    char chunk[65536];
    ssize_t n = read(out_, chunk, sizeof chunk);
    if (n <= 0) return nullptr;
    buffer_.append(chunk, static_cast<std::size_t>(n));
  }
}

Json AgentProcess::call(const std::string& method, const Json& params, int timeout_ms) {
  send_request(method, params);
  return read_response(timeout_ms);
}

void AgentProcess::kill(int signal) {
  if (!reaped_) ::kill(pid_, signal);
}

void AgentProcess::close_input() {
  if (in_ >= 0) close(in_);
  in_ = -1;
}

int AgentProcess::wait(int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    int status = 0;
    pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      reaped_ = true;
      return status;
    }
    if (r < 0 || std::chrono::steady_clock::now() >= deadline) return -1;
    usleep(10000);
  }
}

}  // namespace nictune::load::testing

// ---- end-to-end helpers (gtest assertions)
namespace nictune::load::testing {

namespace {
double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}
}  // namespace

PairRun run_pair(const Workload& w, const std::string& server_ns, const std::string& server_ip,
                 const std::string& client_ns, const std::string& cpus_server,
                 const std::string& cpus_client) {
  ServeOptions so;
  so.bind = server_ip;
  so.cpus = parse_cpu_list(cpus_server, "cpus");
  std::shared_ptr<LoadServer> server =
      in_netns(server_ns, [&] { return std::shared_ptr<LoadServer>(start_server(w, so)); });
  RunOptions ro;
  ro.target = server_ip;
  ro.port = server->port();
  ro.cpus = parse_cpu_list(cpus_client, "cpus");
  PairRun r;
  auto t0 = std::chrono::steady_clock::now();
  try {
    r.client = in_netns(client_ns, [&] { return run_load(w, ro); });
  } catch (...) {
    server->stop();
    throw;
  }
  r.run_s = seconds_since(t0);
  auto t1 = std::chrono::steady_clock::now();
  r.server = server->stop();
  r.stop_s = seconds_since(t1);
  r.combined = combine_load_results(w, r.client, r.server);
  return r;
}

void expect_sane(const Workload& w, const PairRun& r) {
  const Json& m = r.combined["metrics"];
  const std::string what = std::string(to_string(w.type)) + " " + r.combined.dump().substr(0, 400);
  for (const auto& [name, value] : m.items()) EXPECT_NE(find_metric(name), nullptr) << name;
  // Bounded: warm-up + duration plus at most a reply timeout and scheduling slack. The slack is
  // what a loaded 2-CPU machine running the sanitizer build beside another test needs for thread
  // start-up and joins (1.5 s was exceeded there once); a loop that does not stop overshoots it by
  // far more.
  constexpr double kSlackS = 4.0;
  EXPECT_GE(r.run_s, w.warmup_s + w.duration_s - 0.05) << what;
  EXPECT_LT(r.run_s, w.warmup_s + w.duration_s + w.reply_timeout_ms / 1000.0 + kSlackS) << what;
  EXPECT_LT(r.stop_s, kSlackS) << what;
  EXPECT_FALSE(r.server["details"].contains("errors")) << r.server.dump();
  ASSERT_EQ(r.client["intervals"].size(), w.interval_count()) << what;
  double last_t = 0;
  for (const auto& interval : r.client["intervals"]) {
    EXPECT_GT(interval["t"].get<double>(), last_t);
    last_t = interval["t"].get<double>();
  }
  EXPECT_NEAR(last_t, w.duration_s, 1e-9);
  switch (w.type) {
    case WorkloadType::kUdpStream: {
      auto tx = m["tx_packets"].get<std::uint64_t>();
      auto rx = m["rx_packets"].get<std::uint64_t>();
      EXPECT_GT(rx, 0u) << what;
      EXPECT_EQ(tx, rx + m["lost_packets"].get<std::uint64_t>()) << what;
      EXPECT_FALSE(r.combined["counts"].contains("excess_packets")) << what;
      std::uint64_t per_flow = 0;
      for (const auto& n : r.server["details"]["flows"]) per_flow += n.get<std::uint64_t>();
      EXPECT_EQ(per_flow, rx);
      EXPECT_GT(m["rx_pps"].get<double>(), 0);
      EXPECT_TRUE(m.contains("flow_spread"));
      break;
    }
    case WorkloadType::kTcpStream:
      EXPECT_GT(m["tx_bps"].get<double>(), 0) << what;
      EXPECT_GT(m["rx_bps"].get<double>(), 0) << what;
      EXPECT_GT(r.server["counts"]["rx_bytes"].get<std::uint64_t>(), 0u) << what;
      break;
    case WorkloadType::kUdpRr:
    case WorkloadType::kTcpRr:
    case WorkloadType::kTcpCrr: {
      auto tx = m["tx_packets"].get<std::uint64_t>();
      auto rx = m["rx_packets"].get<std::uint64_t>();
      EXPECT_GT(rx, 0u) << what;
      EXPECT_EQ(tx, rx + m["lost_packets"].get<std::uint64_t>()) << what;
      EXPECT_EQ(r.combined["histogram"]["count"].get<std::uint64_t>(), rx) << what;
      EXPECT_GT(m["rtt_p50_us"].get<double>(), 0) << what;
      EXPECT_LE(m["rtt_min_us"].get<double>(), m["rtt_p50_us"].get<double>());
      EXPECT_LE(m["rtt_p50_us"].get<double>(), m["rtt_p99_us"].get<double>());
      EXPECT_LE(m["rtt_p99_us"].get<double>(), m["rtt_max_us"].get<double>());
      EXPECT_GT(m["transactions_per_s"].get<double>(), 0);
      break;
    }
  }
}

}  // namespace nictune::load::testing

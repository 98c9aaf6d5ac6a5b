// nictune-test-agent: the real agent's stdio loop and `hello`, plus methods that misbehave on
// request, so the transport contract can be tested (large messages, slow answers, crashes, an
// agent that will not die).
//
// options: --version | --exit-marker FILE | --linger-ms N | --ignore-term | anything else
// (kept, reported by `argv`).
#include <dirent.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "agents/agent_context.hpp"
#include "agents/methods.hpp"
#include "agents/stdio_server.hpp"
#include "core/errors.hpp"
#include "core/version.hpp"

namespace {

bool stdin_hung_up = false;

// Sleeps, but notices when the other end of stdin goes away (the SSH session died).
void sleep_watching_stdin(int ms) {
  auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    end - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0) return;
    pollfd fd{STDIN_FILENO, POLLRDHUP, 0};
    int ready = ::poll(&fd, 1, static_cast<int>(left));
    if (ready > 0 && (fd.revents & (POLLHUP | POLLRDHUP | POLLERR))) {
      stdin_hung_up = true;
      return;
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string exit_marker;
  int linger_ms = 0;
  bool ignore_term = false;
  std::vector<std::string> args(argv + 1, argv + argc);
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--version") {
      std::cout << "nictune-agent " << nictune::kVersion << " (protocol "
                << nictune::kProtocolVersion << ")\n";
      return 0;
    }
    if (args[i] == "--exit-marker" && i + 1 < args.size()) exit_marker = args[i + 1];
    if (args[i] == "--linger-ms" && i + 1 < args.size()) linger_ms = std::stoi(args[i + 1]);
    if (args[i] == "--ignore-term") ignore_term = true;
  }
  if (ignore_term) signal(SIGTERM, SIG_IGN);

  nictune::agent::AgentContext context;
  nictune::rpc::MethodTable methods;
  nictune::agent::register_hello_methods(methods, context);
  using nictune::Json;
  methods.add("echo", [](const Json& params) { return params; });
  methods.add("argv", [&args](const Json&) { return Json{{"args", args}}; });
  methods.add("pid", [](const Json&) { return Json{{"pid", getpid()}, {"ppid", getppid()}}; });
  methods.add("big", [](const Json& params) {
    return Json{{"data", std::string(params.at("bytes").get<std::size_t>(), 'x')}};
  });
  methods.add("sleep", [](const Json& params) {
    sleep_watching_stdin(params.at("ms").get<int>());
    return Json{{"slept", true}, {"hangup", stdin_hung_up}};
  });
  methods.add("fail", [](const Json& params) -> Json {
    throw nictune::Error(nictune::error_code_from_string(params.at("code").get<std::string>()),
                         params.at("message").get<std::string>());
  });
  methods.add("crash", [](const Json& params) -> Json {
    std::cerr << params.value("message", std::string("test agent: crashing on purpose"))
              << std::endl;
    if (params.contains("signal")) {
      signal(params["signal"].get<int>(), SIG_DFL);
      sigset_t all;
      sigfillset(&all);
      sigprocmask(SIG_UNBLOCK, &all, nullptr);
      raise(params["signal"].get<int>());
    }
    _exit(params.value("status", 3));
  });
  methods.add("interfaces", [](const Json&) {
    Json names = Json::array();
    if (DIR* dir = opendir("/sys/class/net")) {
      while (dirent* entry = readdir(dir)) {
        if (entry->d_name[0] != '.') names.push_back(entry->d_name);
      }
      closedir(dir);
    }
    return Json{{"interfaces", names}};
  });

  auto result = nictune::agent::serve_stdio(methods, STDIN_FILENO, STDOUT_FILENO);
  if (!ignore_term) {
    // serve_stdio blocked these for its signalfd; a lingering test agent should die on TERM.
    sigset_t term;
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    pthread_sigmask(SIG_UNBLOCK, &term, nullptr);
  }
  if (result.reason == nictune::agent::StopReason::kEof) stdin_hung_up = true;
  if (!exit_marker.empty()) {
    std::ofstream marker(exit_marker, std::ios::trunc);
    marker << "reason=" << nictune::agent::to_string(result.reason)
           << "\nstdin_hup=" << (stdin_hung_up ? 1 : 0) << "\n";
  }
  if (linger_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(linger_ms));
  return 0;
}

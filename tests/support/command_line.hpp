// What end-to-end tests share: running a command line the way a user would (exit status and
// everything it printed), and the binaries under test. Header-only so any test folder can use it.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace nictune::testing {

struct CommandResult {
  int code = -1;       // exit status; -1 when it did not exit normally
  std::string output;  // stdout and stderr, interleaved as printed
};

inline CommandResult run_command(const std::string& command) {
  CommandResult r;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return r;
  std::array<char, 4096> buffer{};
  while (std::size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe)) {
    r.output.append(buffer.data(), n);
  }
  int status = ::pclose(pipe);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// The agent users ship is the static release one (scripts/test.sh builds it and says where in
// NICTUNE_RELEASE_BUILD); the test's own build has one too.
inline std::string built_agent_binary() {
  if (const char* release = std::getenv("NICTUNE_RELEASE_BUILD")) {
    std::string path = std::string(release) + "/agents/nictune-agent";
    if (std::filesystem::exists(path)) return path;
  }
  return std::string(NICTUNE_BINARY_DIR) + "/agents/nictune-agent";
}

inline std::string built_nictune_binary() {
  return std::string(NICTUNE_BINARY_DIR) + "/orchestrator/nictune";
}

}  // namespace nictune::testing

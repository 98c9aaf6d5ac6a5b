// The nictune binary as a user meets it: exit codes, help for every command, errors on stderr.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>

namespace {

struct Result {
  int status;
  std::string output;  // stdout and stderr together
};

Result run_nictune(const std::string& args) {
  std::string command = std::string(NICTUNE_BINARY_DIR) + "/orchestrator/nictune " + args + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return {-1, "popen failed"};
  std::string output;
  std::array<char, 4096> buffer{};
  while (std::size_t n = fread(buffer.data(), 1, buffer.size(), pipe))
    output.append(buffer.data(), n);
  int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

const std::string kSource = NICTUNE_SOURCE_DIR;

TEST(Cli, NoArgumentsIsAUsageError) {
  auto r = run_nictune("");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find("usage: nictune <command>"), std::string::npos);
}

TEST(Cli, UnknownCommandSuggestsTheClosest) {
  auto r = run_nictune("valdate x.json");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find("unknown command \"valdate\" (did you mean \"validate\"?)"),
            std::string::npos)
      << r.output;
}

TEST(Cli, EveryListedCommandHasHelp) {
  auto top = run_nictune("--help");
  ASSERT_EQ(top.status, 0);
  for (const char* name : {"run", "validate", "probe", "report", "export", "compare", "check",
                           "ask", "tell", "lab", "knobs", "metrics"}) {
    EXPECT_NE(top.output.find(std::string("  ") + name), std::string::npos) << name;
    auto r = run_nictune(std::string(name) + " --help");
    EXPECT_EQ(r.status, 0) << name;
    EXPECT_NE(r.output.find("usage: nictune " + std::string(name)), std::string::npos) << r.output;
  }
}

TEST(Cli, ValidateShippedExperimentsExitsZero) {
  for (const auto& entry : std::filesystem::directory_iterator(kSource + "/experiments")) {
    if (entry.path().extension() != ".json") continue;
    auto r = run_nictune("validate " + entry.path().string());
    EXPECT_EQ(r.status, 0) << r.output;
    EXPECT_NE(r.output.find(": ok ("), std::string::npos) << r.output;
  }
}

TEST(Cli, ValidateBrokenSpecPrintsPathsAndExitsTwo) {
  auto r = run_nictune("validate " + kSource + "/tests/data/specs/broken/typos.json");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find("typos.json: space.parameters.rps.values[2]: unknown policy \"al\" (did "
                          "you mean \"all\"?)"),
            std::string::npos)
      << r.output;
  EXPECT_EQ(r.output.find("terminate called"), std::string::npos);  // no crash, no stack trace
}

TEST(Cli, MissingSpecFileIsAClearError) {
  auto r = run_nictune("validate /nonexistent/spec.json");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find("/nonexistent/spec.json: cannot open file"), std::string::npos)
      << r.output;
}

TEST(Cli, UnknownOptionIsAUsageError) {
  auto r = run_nictune("run --dryrun " + kSource + "/experiments/loopback-rps.json");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find("unknown option \"--dryrun\" (did you mean \"--dry-run\"?)"),
            std::string::npos)
      << r.output;
}

TEST(Cli, DryRunPrintsThePlanAndTouchesNothing) {
  auto r = run_nictune("run --dry-run " + kSource + "/experiments/loopback-rps.json");
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("8 grid points"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("first points:"), std::string::npos);
  EXPECT_NE(r.output.find("\"rps\":\"none\""), std::string::npos);
  EXPECT_NE(r.output.find("baseline    the DUT's original settings, with the load's fixed LG "
                          "settings (lg:app.cpus=single:0)"),
            std::string::npos)
      << r.output;
  EXPECT_FALSE(std::filesystem::exists("nictune.db"));
}

}  // namespace

// Reads the registries and scans the source tree (NICTUNE_SOURCE_DIR, at test time): no file
// outside a registry's own folder compares a registered name (`== "grid"`, `"ssh" !=`) or lists
// two of them in braces (`{"local", "ssh"}`): such code is what a new entry would have to be
// added to, and what the registry entry's fields (sequential, finite, host checks, ...) replace.
// Docs, tests and experiment specs are not scanned; assigning a name (a lab building its spec)
// is choosing an entry, not knowing about it, and is allowed.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "orchestrator/transport/transport_kinds.hpp"
#include "orchestrator/transport/transport_registry.hpp"
#include "strategies/strategy.hpp"

namespace nictune {
namespace {

namespace fs = std::filesystem;

struct Registry {
  std::string what;
  std::vector<std::string> names;
  std::string home;  // the folder holding the implementations and the registry line
};

std::vector<Registry> registries() {
  return {{"strategy", strategy_names(), "strategies/"},
          {"transport", transport_names(), "orchestrator/transport/"}};
}

// The source folders whose code could compare names (tests, docs and experiments are not).
const char* const kSourceFolders[] = {"agents", "core", "orchestrator", "reports", "strategies"};

std::string without_comment(const std::string& line) {
  auto at = line.find("//");
  return at == std::string::npos ? line : line.substr(0, at);
}

// `quoted` stands next to == or != somewhere in `code` (either side, spaces between).
bool compared(const std::string& code, const std::string& quoted) {
  auto is_operator = [](const std::string& two) { return two == "==" || two == "!="; };
  for (auto at = code.find(quoted); at != std::string::npos; at = code.find(quoted, at + 1)) {
    if (at > 0) {
      auto before = code.find_last_not_of(' ', at - 1);
      if (before != std::string::npos && before >= 1 && is_operator(code.substr(before - 1, 2)))
        return true;
    }
    auto after = code.find_first_not_of(' ', at + quoted.size());
    if (after != std::string::npos && is_operator(code.substr(after, 2))) return true;
  }
  return false;
}

// The offending lines of `text` (file `path`, relative to the source root) for one registry.
std::vector<std::string> leaks(const Registry& registry, const std::string& path,
                               const std::string& text) {
  std::vector<std::string> found;
  if (path.rfind(registry.home, 0) == 0) return found;
  std::istringstream in(text);
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    const std::string code = without_comment(line);
    int listed = 0;
    for (const std::string& name : registry.names) {
      const std::string quoted = "\"" + name + "\"";
      if (compared(code, quoted)) {
        found.push_back(path + ":" + std::to_string(number) + ": compares the " + registry.what +
                        " name " + quoted + ": " + line);
      }
      if (code.find(quoted) != std::string::npos && code.find('{') != std::string::npos) ++listed;
    }
    if (listed >= 2) {
      found.push_back(path + ":" + std::to_string(number) + ": lists " + registry.what +
                      " names by hand: " + line);
    }
  }
  return found;
}

TEST(NameLeaks, ScannerFindsComparisonsAndHandWrittenLists) {
  Registry strategies{"strategy", {"grid", "latin-hypercube"}, "strategies/"};
  EXPECT_EQ(leaks(strategies, "orchestrator/runner/x.cpp", "if (s == \"grid\") f();\n").size(), 1u);
  EXPECT_EQ(leaks(strategies, "orchestrator/x.cpp", "bool b = \"latin-hypercube\" != s;\n").size(),
            1u);
  EXPECT_EQ(
      leaks(strategies, "orchestrator/x.cpp", "r.choice(\"t\", {\"grid\", \"latin-hypercube\"});")
          .size(),
      1u);
  // Its own folder, assignments, comments and other strings are fine.
  EXPECT_TRUE(leaks(strategies, "strategies/grid.cpp", "if (s == \"grid\") f();\n").empty());
  EXPECT_TRUE(leaks(strategies, "orchestrator/lab/x.cpp", "spec.strategy = \"grid\";\n").empty());
  EXPECT_TRUE(
      leaks(strategies, "orchestrator/x.cpp", "// s == \"grid\" used to be here\n").empty());
  EXPECT_TRUE(leaks(strategies, "orchestrator/x.cpp", "if (s == \"gridlock\") f();\n").empty());
}

TEST(NameLeaks, EveryTransportKindHasAFactoryAndBack) {
  std::vector<std::string> factories;
  for (const auto& [name, factory] : transport_factories()) factories.push_back(name);
  EXPECT_EQ(factories, transport_names());
  for (const auto& [name, kind] : transport_kinds()) {
    EXPECT_FALSE(kind.description.empty()) << name;
    EXPECT_TRUE(kind.check_host && kind.same_endpoint && kind.route) << name;
  }
}

TEST(NameLeaks, EveryStrategyEntryIsComplete) {
  for (const auto& [name, entry] : strategy_registry()) {
    EXPECT_TRUE(entry.factory) << name;
    EXPECT_FALSE(entry.description.empty()) << name;
  }
}

TEST(NameLeaks, NoSourceOutsideARegistryFolderComparesARegisteredName) {
  const fs::path root = NICTUNE_SOURCE_DIR;
  std::vector<std::string> found;
  std::size_t files = 0;
  for (const char* folder : kSourceFolders) {
    for (const auto& entry : fs::recursive_directory_iterator(root / folder)) {
      const std::string ext = entry.path().extension().string();
      if (!entry.is_regular_file() || (ext != ".cpp" && ext != ".hpp")) continue;
      ++files;
      std::ifstream in(entry.path());
      std::stringstream text;
      text << in.rdbuf();
      const std::string path = entry.path().lexically_relative(root).generic_string();
      for (const Registry& registry : registries()) {
        for (std::string& leak : leaks(registry, path, text.str())) found.push_back(leak);
      }
    }
  }
  EXPECT_GT(files, 100u) << "the scan found too few sources under " << root;
  for (const Registry& registry : registries()) EXPECT_FALSE(registry.names.empty());
  std::string report;
  for (const std::string& leak : found) report += leak + "\n";
  EXPECT_TRUE(found.empty()) << "names belong to their registry entry:\n" << report;
}

}  // namespace
}  // namespace nictune

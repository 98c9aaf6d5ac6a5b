// Reads the registries (strategies, transports, report formats, load tools: source_scan.cpp)
// and scans the source tree (NICTUNE_SOURCE_DIR, at test time): no file outside a registry's
// own folder compares a registered name (`== "grid"`, `"ssh" !=`) or lists two of them in
// braces (`{"local", "ssh"}`): such code is what a new entry would have to be added to, and
// what the registry entry's fields (sequential, finite, host checks, capabilities, ...) replace.
// Docs, tests and experiment specs are not scanned; assigning a name or pairing it with a value
// (a lab building its spec: {"rps", {"none", "all"}}) is choosing an entry, not knowing about
// it, and is allowed.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "agents/load/load_tool_entries.hpp"
#include "core/knob_catalog.hpp"
#include "core/load_tools.hpp"
#include "orchestrator/transport/transport_kinds.hpp"
#include "orchestrator/transport/transport_registry.hpp"
#include "reports/render.hpp"
#include "strategies/strategy.hpp"
#include "tests/unit/registries/source_scan.hpp"

namespace nictune {
namespace {

using nictune::testing::RegistryNames;
using nictune::testing::without_comment;

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

// `quoted` stands as an element of a hand-written list: another quoted word or the list's end
// follows it (`{"local", "ssh"}`), not a value paired with it (`{"rps", {"none", "all"}}`).
bool listed(const std::string& code, const std::string& quoted) {
  for (auto at = code.find(quoted); at != std::string::npos; at = code.find(quoted, at + 1)) {
    auto next = code.find_first_not_of(' ', at + quoted.size());
    if (next == std::string::npos || code[next] == '}') return true;
    if (code[next] != ',') continue;
    next = code.find_first_not_of(' ', next + 1);
    if (next == std::string::npos || code[next] == '"') return true;
  }
  return false;
}

// The offending lines of `text` (file `path`, relative to the source root) for one registry.
std::vector<std::string> leaks(const RegistryNames& registry, const std::string& path,
                               const std::string& text) {
  std::vector<std::string> found;
  for (const std::string& home : registry.homes) {
    if (path.rfind(home, 0) == 0) return found;
  }
  std::istringstream in(text);
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    const std::string code = without_comment(line);
    int in_list = 0;
    for (const std::string& name : registry.names) {
      const std::string quoted = "\"" + name + "\"";
      if (compared(code, quoted)) {
        found.push_back(path + ":" + std::to_string(number) + ": compares the " + registry.what +
                        " name " + quoted + ": " + line);
      }
      if (code.find('{') != std::string::npos && listed(code, quoted)) ++in_list;
    }
    if (in_list >= 2) {
      found.push_back(path + ":" + std::to_string(number) + ": lists " + registry.what +
                      " names by hand: " + line);
    }
  }
  return found;
}

TEST(NameLeaks, ScannerFindsComparisonsAndHandWrittenLists) {
  RegistryNames strategies{"strategy", {"grid", "latin-hypercube"}, {"strategies/"}};
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

TEST(NameLeaks, KnobNamesPairedWithValuesAreChoicesListsAreLeaks) {
  RegistryNames knobs{
      "knob", {"rps", "channels.rx", "app.cpus"}, {"agents/knobs/", "core/knob_table.hpp"}};
  // A lab writing its spec's space pairs each name with its values.
  EXPECT_TRUE(leaks(knobs, "orchestrator/lab/lab.cpp",
                    "{{\"parameters\", {{\"rps\", {\"none\", \"all\"}}, {\"channels.rx\", n}}}}")
                  .empty());
  EXPECT_EQ(
      leaks(knobs, "agents/safety/x.cpp", "for (auto n : {\"rps\", \"channels.rx\"}) f(n);").size(),
      1u);
  EXPECT_EQ(
      leaks(knobs, "orchestrator/runner/x.cpp", "if (ref.knob == \"app.cpus\") continue;").size(),
      1u);
  EXPECT_TRUE(
      leaks(knobs, "core/knob_table.hpp", "NICTUNE_KNOB(rps, \"rps\", ...) == \"rps\"").empty());
  EXPECT_TRUE(leaks(knobs, "agents/knobs/channels_knob.cpp",
                    "return {\"rss.queues\", \"rps\", \"channels.rx\"};")
                  .empty());
  // "lg:app.cpus" is a space key, not the catalog name.
  EXPECT_TRUE(leaks(knobs, "orchestrator/x.cpp", "if (key == \"lg:app.cpus\") f();").empty());
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

TEST(NameLeaks, EveryLoadToolRowHasEntryPointsAndBack) {
  std::vector<std::string> entries;
  for (const auto& [name, entry] : load::load_tool_entries()) {
    entries.push_back(name);
    EXPECT_TRUE(entry.start_server && entry.run) << name;
  }
  std::vector<std::string> rows = load_tool_names();
  std::sort(rows.begin(), rows.end());
  // Both are made from core/load_tool_table.hpp; a name twice in the table shows here.
  EXPECT_EQ(entries, rows) << "a name is in core/load_tool_table.hpp twice";
  for (const LoadTool& tool : load_tools()) {
    EXPECT_FALSE(tool.description.empty()) << tool.name;
    EXPECT_FALSE(tool.types.empty()) << tool.name;
    EXPECT_TRUE(tool.waits(PollMode::kBlocking)) << tool.name << ": every tool can block";
    EXPECT_EQ(tool.min_interval_ms > 0, tool.max_interval_ms > 0) << tool.name;
    EXPECT_EQ(tool.min_interval_ms > 0, !tool.interval_flag.empty()) << tool.name;
    EXPECT_FALSE(!tool.warmup_flag.empty() && tool.duration_flag.empty())
        << tool.name << ": whole-second warm-up but fractional duration";
  }
}

TEST(NameLeaks, EveryRendererRowIsCompleteAndExtensionsAreUnique) {
  std::set<std::string> extensions;
  for (const auto& [name, info] : report::renderers()) {
    EXPECT_FALSE(info.description.empty()) << name;
    EXPECT_TRUE(info.render) << name;
    EXPECT_FALSE(info.extensions.empty()) << name << ": -o FILE could never choose it";
    for (const std::string& ext : info.extensions) {
      EXPECT_EQ(ext.rfind('.', 0), 0u) << name << ": " << ext;
      EXPECT_TRUE(extensions.insert(ext).second) << ext << " is claimed twice";
    }
  }
  for (auto output :
       {report::Output::kReport, report::Output::kComparison, report::Output::kModels}) {
    std::size_t defaults = 0;
    for (const auto& [name, info] : report::renderers())
      defaults += info.is_default && report::serves(info, output) ? 1 : 0;
    EXPECT_EQ(defaults, 1u) << report::to_string(output) << " needs exactly one default format";
  }
}

std::vector<RegistryNames> scanned_registries() {
  return nictune::testing::all_registries();
}

TEST(NameLeaks, NoSourceOutsideARegistryFolderComparesARegisteredName) {
  const auto registries = scanned_registries();
  std::vector<std::string> found;
  for (const auto& [path, text] : nictune::testing::source_files()) {
    for (const RegistryNames& registry : registries) {
      for (std::string& leak : leaks(registry, path, text)) found.push_back(leak);
    }
  }
  EXPECT_GT(nictune::testing::source_files().size(), 100u) << "the scan found too few sources";
  for (const RegistryNames& registry : registries) EXPECT_FALSE(registry.names.empty());
  std::string report;
  for (const std::string& leak : found) report += leak + "\n";
  EXPECT_TRUE(found.empty()) << "names belong to their registry entry:\n" << report;
}

}  // namespace
}  // namespace nictune

// CONTRIBUTING.md's "what adding one touches" table, held to the code. For each registry (knob,
// strategy, report format, load tool, transport) the table's row states how many files adding
// one touches and names the registry's own files in backticks. This test reads the row, reads
// the registry's names, and finds every source file (docs, tests and experiment specs aside)
// that spells a registered name as a string literal: those are the files a new entry would have
// to appear in. They must be the row's registry files plus at most one implementation (a
// `.cpp`/`.hpp` pair in the registry's folder), and the row's count must be exactly that: the
// registry files plus the implementation (CMake is counted apart, where a file list is
// explicit).
//
// A spelling that is not a registration (a lab choosing "ssh" for the spec it writes, a JSON
// key that happens to be "text") is a named exception below with its reason; so is a registry
// still short of the target on this branch. An exception that no longer applies fails the test,
// so the list only shrinks.
#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/unit/registries/source_scan.hpp"

namespace nictune::testing {
namespace {

namespace fs = std::filesystem;

struct TableRow {
  int files = -1;                  // the number the row states
  std::vector<std::string> paths;  // backticked paths of existing source files: the registry's
  std::string text;
};

// The rows of the table under "What adding one touches" in CONTRIBUTING.md, by their first cell.
std::map<std::string, TableRow> contributing_table() {
  std::ifstream in(fs::path(NICTUNE_SOURCE_DIR) / "CONTRIBUTING.md");
  std::map<std::string, TableRow> rows;
  std::string line;
  bool in_table = false;
  while (std::getline(in, line)) {
    const auto bar = line.find('|');
    if (bar == std::string::npos) {
      in_table = false;
      continue;
    }
    std::vector<std::string> cells;
    std::stringstream split(line.substr(bar + 1));
    std::string cell;
    while (std::getline(split, cell, '|')) {
      const auto first = cell.find_first_not_of(' ');
      const auto last = cell.find_last_not_of(' ');
      cells.push_back(first == std::string::npos ? "" : cell.substr(first, last - first + 1));
    }
    if (cells.size() >= 2 && cells[0] == "add a") in_table = true;
    if (!in_table || cells.size() < 2 || cells[0] == "add a" || cells[0].rfind("---", 0) == 0)
      continue;
    TableRow row;
    row.text = cells[1];
    if (!cells[1].empty() && std::isdigit(static_cast<unsigned char>(cells[1][0])))
      row.files = std::stoi(cells[1]);
    for (auto open = cells[1].find('`'); open != std::string::npos;
         open = cells[1].find('`', open + 1)) {
      const auto close = cells[1].find('`', open + 1);
      if (close == std::string::npos) break;
      const std::string token = cells[1].substr(open + 1, close - open - 1);
      // CMake is counted apart: the row says "plus CMakeLists.txt".
      if (token.find('/') != std::string::npos &&
          token.find("CMakeLists.txt") == std::string::npos &&
          fs::is_regular_file(fs::path(NICTUNE_SOURCE_DIR) / token))
        row.paths.push_back(token);
      open = close;
    }
    rows[cells[0]] = row;
  }
  return rows;
}

struct Exception {
  std::string registry, name, path, why;
};

// Spellings that are not registrations, and registries not yet at their target on this branch.
const std::vector<Exception>& exceptions() {
  static const std::vector<Exception> list = {
      // Choosing an entry, not registering one: a new entry never needs an edit here.
      {"strategy", "grid", "orchestrator/spec/experiment_spec.hpp", "the default strategy"},
      {"strategy", "grid", "orchestrator/lab/lab_plan.cpp", "the lab's template spec chooses grid"},
      {"strategy", "grid", "orchestrator/lab/vm_lab_plan.cpp", "the VM lab's template spec"},
      {"strategy", "grid", "orchestrator/lab/forwarding.cpp", "the forwarding template spec"},
      {"strategy", "grid", "orchestrator/cli/cmd_check.cpp", "check runs one point by grid"},
      {"transport", "local", "orchestrator/lab/netns.cpp", "the lab's hosts are reached locally"},
      {"transport", "local", "orchestrator/lab/forwarding.cpp", "the forwarding lab's hosts"},
      {"transport", "ssh", "orchestrator/lab/lab_state.cpp", "the lab's hosts are reached by ssh"},
      {"transport", "ssh", "orchestrator/lab/vm_forwarding.cpp", "the VM forwarding lab's hosts"},
      {"transport", "ssh", "orchestrator/lab/vm_lab_state.cpp", "the VM lab's hosts are ssh"},
      {"report format", "text", "orchestrator/runner/progress.cpp",
       "the progress event's key \"text\", not the format"},
      {"report format", "json", "reports/export.cpp",
       "the exporter of the same name (reports/export.cpp's own registry)"},
      {"knob", "channels.combined", "orchestrator/lab/vm_lab_plan.cpp", "the VM lab's template"},
      {"knob", "irq_affinity", "orchestrator/lab/vm_lab_plan.cpp", "the VM lab's template"},
      {"knob", "rps", "orchestrator/lab/vm_lab_plan.cpp", "the VM lab's template"},
      {"knob", "coalesce.rx_usecs", "orchestrator/lab/vm_lab_plan.cpp", "the VM lab's template"},
      {"knob", "rings.rx", "orchestrator/lab/vm_lab_plan.cpp", "the VM lab's template"},
      {"knob", "channels.rx", "orchestrator/lab/lab_plan.cpp", "the lab's template spec"},
      {"knob", "rps", "orchestrator/lab/lab_plan.cpp", "the lab's template spec"},
      {"knob", "irq_affinity", "orchestrator/lab/vm_forwarding.cpp", "the VM router's layouts"},
      {"knob", "rps", "orchestrator/lab/vm_forwarding.cpp", "the VM router's layouts"},
      {"knob", "xps", "orchestrator/lab/vm_forwarding.cpp", "the VM router's layouts"},
      {"knob", "rps", "orchestrator/lab/forwarding.cpp", "the forwarding template spec"},
      // A knob family that names a sibling it resets (the same folder, not a registration).
      {"knob", "xps_rxqs", "agents/knobs/channels_knob.cpp",
       "channels lists the per-queue knobs a channel change resets, by hand"},
  };
  return list;
}

bool excepted(const std::string& registry, const std::string& name, const std::string& path) {
  for (const Exception& e : exceptions()) {
    if (e.registry == registry && e.name == name && e.path == path) return true;
  }
  return false;
}

// "agents/load/iperf3_adapter.cpp" -> "agents/load/iperf3_adapter": a .cpp and its .hpp are one
// implementation.
std::string unit_of(const std::string& path) {
  return path.substr(0, path.rfind('.'));
}

// The files spelling each name, comments removed.
std::map<std::string, std::set<std::string>> spellings(const std::vector<std::string>& names) {
  std::map<std::string, std::set<std::string>> out;
  for (const auto& [path, text] : source_files()) {
    const std::string code = code_of(text);
    for (const std::string& name : names) {
      if (spells(code, name)) out[name].insert(path);
    }
  }
  return out;
}

TEST(TouchCount, ScanFindsSpellingsOnly) {
  EXPECT_TRUE(spells(code_of("auto s = \"grid\";\n"), "grid"));
  EXPECT_FALSE(spells(code_of("// the \"grid\" strategy\n"), "grid"));
  EXPECT_FALSE(spells(code_of("auto s = \"gridlock\";\n"), "grid"));
  EXPECT_EQ(unit_of("strategies/random.hpp"), unit_of("strategies/random.cpp"));
}

TEST(TouchCount, EveryRegistryHasATableRowNamingItsFiles) {
  const auto table = contributing_table();
  for (const RegistryNames& registry : all_registries()) {
    auto it = table.find(registry.what);
    ASSERT_NE(it, table.end()) << "CONTRIBUTING.md's table has no row \"" << registry.what << "\"";
    const TableRow& row = it->second;
    EXPECT_FALSE(row.paths.empty())
        << registry.what << ": the row names no registry file in backticks: " << row.text;
    // The implementation plus the registry's own files; the count is the target.
    EXPECT_EQ(row.files, static_cast<int>(row.paths.size()) + 1)
        << registry.what << ": the row states " << row.files << " files but names "
        << row.paths.size() << " registry file(s) besides the implementation: " << row.text;
  }
}

TEST(TouchCount, OnlyTheImplementationAndTheRegistryFilesSpellAName) {
  const auto table = contributing_table();
  std::set<std::string> exceptions_used;
  for (const RegistryNames& registry : all_registries()) {
    auto it = table.find(registry.what);
    if (it == table.end()) continue;  // reported above
    const std::set<std::string> registry_files(it->second.paths.begin(), it->second.paths.end());
    const auto spelled = spellings(registry.names);
    for (const std::string& name : registry.names) {
      std::set<std::string> units;
      std::vector<std::string> outside;
      auto found = spelled.find(name);
      if (found == spelled.end()) continue;
      for (const std::string& path : found->second) {
        if (registry_files.count(path)) continue;
        if (excepted(registry.what, name, path)) {
          exceptions_used.insert(registry.what + "/" + name + "/" + path);
          continue;
        }
        bool home = false;
        for (const std::string& folder : registry.homes) home |= path.rfind(folder, 0) == 0;
        if (home) {
          units.insert(unit_of(path));
        } else {
          outside.push_back(path);
        }
      }
      std::string where;
      for (const std::string& path : outside) where += "\n  " + path;
      EXPECT_TRUE(outside.empty())
          << registry.what << " \"" << name << "\" is spelled outside its registry files ("
          << it->second.text << ") and its implementation:" << where;
      std::string impl;
      for (const std::string& unit : units) impl += "\n  " + unit + ".*";
      EXPECT_LE(units.size(), 1u) << registry.what << " \"" << name
                                  << "\" is spelled by more than one implementation:" << impl;
    }
  }
  for (const Exception& e : exceptions()) {
    EXPECT_TRUE(exceptions_used.count(e.registry + "/" + e.name + "/" + e.path))
        << "stale exception: " << e.path << " no longer spells the " << e.registry << " \""
        << e.name << "\" (" << e.why << "); remove it from the list";
  }
}

}  // namespace
}  // namespace nictune::testing

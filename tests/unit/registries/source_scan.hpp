// What the registry tests share: every registry's names read from the registries themselves, and
// the source files (outside docs, tests and experiment specs) with their comments removed.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace nictune::testing {

struct RegistryNames {
  std::string what;                // "load tool": also its row in CONTRIBUTING.md's table
  std::vector<std::string> names;  // as the registry lists them
  // Folders (relative to the source root) where an implementation may live; the names'
  // comparisons are allowed there (name_leak_test) and one implementation file per name is
  // (touch_count_test).
  std::vector<std::string> homes;
};

// Knobs, strategies, report formats, load tools and transports: the rows of CONTRIBUTING.md's
// "what adding one touches" table.
std::vector<RegistryNames> all_registries();

// Path relative to the source root -> text, for every .cpp/.hpp under the source folders.
const std::map<std::string, std::string>& source_files();

// The line up to a "//" (a comment, or rarely a URL: either way no name is compared there).
std::string without_comment(const std::string& line);
// Every line of `text` without its comment.
std::string code_of(const std::string& text);

// `text` (comments removed) holds the string literal "name".
bool spells(const std::string& text, const std::string& name);

}  // namespace nictune::testing

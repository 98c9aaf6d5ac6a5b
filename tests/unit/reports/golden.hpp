// Golden files of the report tests (tests/data/reports/NAME): one comparison for every format
// and exporter, so each reports the first differing line and NICTUNE_UPDATE_GOLDENS=1 rewrites
// them all the same way. Header-only: NICTUNE_SOURCE_DIR is defined per test target.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "core/version.hpp"
#include "reports/render.hpp"

namespace nictune::testing {

// The reporting tool's own version changes with every release; goldens should not.
inline std::string without_version(std::string text) {
  const std::string version = std::string("nictune ") + kVersion;
  for (std::size_t at = text.find(version); at != std::string::npos; at = text.find(version, at)) {
    text.replace(at, version.size(), "nictune @VERSION@");
  }
  return text;
}

// The file name of a format's golden: the stem with the format's first extension from the
// renderer registry (text: .txt).
inline std::string golden_name(const std::string& stem, const std::string& format) {
  auto it = report::renderers().find(format);
  if (it == report::renderers().end() || it->second.extensions.empty()) return stem + "." + format;
  return stem + it->second.extensions.front();
}

inline void expect_matches_golden(const std::string& name, const std::string& actual) {
  const std::string path = std::string(NICTUNE_SOURCE_DIR) + "/tests/data/reports/" + name;
  if (std::getenv("NICTUNE_UPDATE_GOLDENS")) {
    std::ofstream(path) << actual;
    GTEST_SKIP() << "rewrote " << path;
  }
  std::ifstream in(path);
  ASSERT_TRUE(in) << "missing golden " << path << " (NICTUNE_UPDATE_GOLDENS=1 writes it)";
  std::stringstream expected;
  expected << in.rdbuf();
  if (actual == expected.str()) return;
  std::istringstream a(actual), e(expected.str());
  std::string la, le;
  for (int line = 1;; ++line) {
    const bool more_a = static_cast<bool>(std::getline(a, la));
    const bool more_e = static_cast<bool>(std::getline(e, le));
    if (!more_a && !more_e) break;
    if (la != le || more_a != more_e) {
      FAIL() << path << " differs first at line " << line
             << "\n  expected: " << (more_e ? le : "<end>")
             << "\n  actual:   " << (more_a ? la : "<end>");
    }
  }
  FAIL() << path << " differs (line endings?)";
}

}  // namespace nictune::testing

// The HTML report in a real browser: headless Chromium (Debian's `chromium`) loads the fixed
// experiment's report from a file, and the test reads back the DOM it built, the console (script
// errors and Content-Security-Policy violations, i.e. anything the page tried to fetch) and a
// screenshot. Skips with the reason when Chromium is not installed.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "orchestrator/loaders/report_loaders.hpp"
#include "orchestrator/store/store_backends.hpp"
#include "reports/render.hpp"
#include "tests/unit/reports/rate_search_fixture.hpp"
#include "tests/unit/reports/report_fixture.hpp"

namespace nictune::report {
namespace {

namespace fs = std::filesystem;

const char* chromium_path() {
  for (const char* p : {"/usr/bin/chromium", "/usr/bin/chromium-browser"}) {
    if (access(p, X_OK) == 0) return p;
  }
  return nullptr;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// A fresh directory per test, removed at the end also when an assertion fails.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl =
        (fs::temp_directory_path() / ("nictune-html-" + std::to_string(getpid()) + "-XXXXXX"))
            .string();
    path = mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

struct BrowserRun {
  int exit_code = -1;
  std::string dom;
  std::vector<std::string> console;  // page console messages: errors, CSP violations
  std::string log;
};

// `action` is "--dump-dom" or "--screenshot=FILE".
BrowserRun run_chromium(const TempDir& dir, const fs::path& page, const std::string& action) {
  const fs::path profile = dir.path / "profile";
  const fs::path out = dir.path / "stdout.txt", err = dir.path / "stderr.txt";
  const std::string command = std::string("timeout 120 ") + chromium_path() +
                              " --headless --no-sandbox --disable-gpu --disable-quic "
                              "--no-first-run --disable-background-networking"
                              " --disable-component-update --disable-sync --disable-dev-shm-usage "
                              "--enable-logging=stderr --v=0"
                              " --user-data-dir=" +
                              quote(profile.string()) + " --window-size=1280,2400 " + action + " " +
                              quote("file://" + page.string()) + " >" + quote(out.string()) +
                              " 2>" + quote(err.string()) + " </dev/null";
  BrowserRun run;
  const int status = std::system(command.c_str());
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.dom = read_file(out);
  run.log = read_file(err);
  std::istringstream lines(run.log);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.find(":CONSOLE") != std::string::npos) run.console.push_back(line);
  }
  return run;
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

fs::path write_report(const TempDir& dir) {
  auto fixture = nictune::testing::make_report_fixture();
  const fs::path page = dir.path / "report.html";
  std::ofstream out(page);
  render("html", load_report(*fixture.store, ""), out);
  return page;
}

TEST(HtmlInBrowser, LoadsWithoutErrorsAndShowsEveryPlot) {
  if (!chromium_path()) GTEST_SKIP() << "chromium is not installed (Debian package `chromium`)";
  TempDir dir;
  const fs::path page = write_report(dir);
  const BrowserRun run = run_chromium(dir, page, "--dump-dom");
  ASSERT_EQ(run.exit_code, 0) << run.log;
  EXPECT_TRUE(run.console.empty()) << "the page logged:\n" << run.log;
  const std::string& dom = run.dom;
  ASSERT_NE(dom.find("nictune report: ixgbe-rss-rps"), std::string::npos) << dom.substr(0, 500);
  // The plots the browser built from the markup: one scatter for two objectives, the
  // convergence step plot, 4 knobs x 2 objectives effect plots, the heat map.
  EXPECT_EQ(count(dom, "data-plot=\"scatter\""), 1u);
  EXPECT_EQ(count(dom, "data-plot=\"convergence\""), 1u);
  EXPECT_EQ(count(dom, "data-plot=\"effect\""), 8u);
  EXPECT_EQ(count(dom, "data-plot=\"heatmap\""), 1u);
  EXPECT_EQ(count(dom, "data-plot=\"queue-heatmap\""), 1u);
  // Front points (4) are drawn as filled circles; the pareto table has a row per configuration.
  EXPECT_EQ(count(dom, "class=\"pt-front\""), 4u);
  EXPECT_EQ(count(dom, "<tr class=\"front\""), 4u);
  EXPECT_EQ(count(dom, "<tr class=\"tied\""), 1u);
  EXPECT_EQ(count(dom, "<tr class=\"infeasible\""), 1u);
  // Host context made it through.
  EXPECT_NE(dom.find("6.1.0-18-amd64"), std::string::npos);
  EXPECT_NE(dom.find("0x800003df"), std::string::npos);
}

// A rate-search experiment (tests/unit/reports/rate_search_fixture.hpp): the plot of each
// search and the latency-at-load tables as the browser built them.
TEST(HtmlInBrowser, RateSearchPlotsAndLatencyTables) {
  if (!chromium_path()) GTEST_SKIP() << "chromium is not installed (Debian package `chromium`)";
  TempDir dir;
  auto store = open_store(":memory:");
  nictune::testing::add_rate_search_experiment(*store);
  const fs::path page = dir.path / "rate-search.html";
  {
    std::ofstream out(page);
    render("html", load_report(*store, ""), out);
  }
  const BrowserRun run = run_chromium(dir, page, "--dump-dom");
  ASSERT_EQ(run.exit_code, 0) << run.log;
  EXPECT_TRUE(run.console.empty()) << "the page logged:\n" << run.log;
  const std::string& dom = run.dom;
  EXPECT_EQ(count(dom, "data-plot=\"rate-search\""), 2u) << dom.substr(0, 500);
  EXPECT_EQ(count(dom, "<g class=\"found\">"), 2u);
  EXPECT_GT(count(dom, "class=\"step-pass\""), 4u);
  EXPECT_GT(count(dom, "class=\"step-fail\""), 4u);
  EXPECT_EQ(count(dom, "<table class=\"latency-at-load\">"), 2u);
  EXPECT_NE(dom.find("<th>rtt_p99_us</th>"), std::string::npos);
}

TEST(HtmlInBrowser, ScreenshotIsDrawn) {
  if (!chromium_path()) GTEST_SKIP() << "chromium is not installed (Debian package `chromium`)";
  TempDir dir;
  const fs::path page = write_report(dir);
  const fs::path shot = dir.path / "report.png";
  const BrowserRun run = run_chromium(dir, page, "--screenshot=" + quote(shot.string()));
  ASSERT_EQ(run.exit_code, 0) << run.log;
  EXPECT_TRUE(run.console.empty()) << run.log;
  const std::string png = read_file(shot);
  ASSERT_GT(png.size(), 24u) << "no screenshot: " << run.log;
  EXPECT_EQ(png.substr(1, 3), "PNG");
  // IHDR width and height, big-endian at bytes 16..23.
  auto be32 = [&](std::size_t at) {
    return (static_cast<unsigned>(static_cast<unsigned char>(png[at])) << 24) |
           (static_cast<unsigned>(static_cast<unsigned char>(png[at + 1])) << 16) |
           (static_cast<unsigned>(static_cast<unsigned char>(png[at + 2])) << 8) |
           static_cast<unsigned>(static_cast<unsigned char>(png[at + 3]));
  };
  EXPECT_EQ(be32(16), 1280u);
  EXPECT_EQ(be32(20), 2400u);
  // A blank page compresses to almost nothing; tables, text and plots do not.
  EXPECT_GT(png.size(), 60000u);
}

// The check above can fail: a page with a script error and a blocked fetch is caught.
TEST(HtmlInBrowser, TheConsoleCheckSeesErrors) {
  if (!chromium_path()) GTEST_SKIP() << "chromium is not installed (Debian package `chromium`)";
  TempDir dir;
  const fs::path page = dir.path / "broken.html";
  std::ofstream(page)
      << "<!DOCTYPE html><html><head><meta http-equiv=\"Content-Security-Policy\" "
         "content=\"default-src 'none'; script-src 'unsafe-inline'\"></head><body>"
         "<img src=\"missing.png\"><script>no_such_function();</script></body></html>";
  const BrowserRun run = run_chromium(dir, page, "--dump-dom");
  ASSERT_EQ(run.exit_code, 0) << run.log;
  EXPECT_GE(run.console.size(), 2u) << run.log;
}

}  // namespace
}  // namespace nictune::report

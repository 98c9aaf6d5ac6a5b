// The report, export and compare commands as `nictune` runs them (same error-to-exit-code
// mapping as orchestrator/main.cpp), on a database file written through the SQLite store.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "core/errors.hpp"
#include "orchestrator/cli/args.hpp"
#include "orchestrator/cli/commands.hpp"
#include "tests/unit/reports/report_fixture.hpp"

namespace nictune::cli {
namespace {

namespace fs = std::filesystem;

struct Result {
  int code = -1;
  std::string out, err;
};

Result invoke(const Command& command, const std::vector<std::string>& argv) {
  std::ostringstream out, err;
  auto* old_out = std::cout.rdbuf(out.rdbuf());
  auto* old_err = std::cerr.rdbuf(err.rdbuf());
  Result r;
  try {
    r.code = command.run(argv);
  } catch (const UsageError& e) {
    std::cerr << "nictune " << e.what() << "\n";
    r.code = kExitUsage;
  } catch (const Error& e) {
    std::cerr << "nictune " << command.name << ": " << e.what() << "\n";
    r.code = e.code() == ErrorCode::kInvalid ? kExitUsage : kExitFailed;
  }
  std::cout.rdbuf(old_out);
  std::cerr.rdbuf(old_err);
  r.out = out.str();
  r.err = err.str();
  return r;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl =
        (fs::temp_directory_path() / ("nictune-cli-" + std::to_string(getpid()) + "-XXXXXX"))
            .string();
    dir_ = mkdtemp(tmpl.data());
    db_ = (dir_ / "lab.db").string();
    auto fixture = nictune::testing::make_report_fixture(db_, "on-6.1");
    points_ = fixture.points;
    nictune::testing::add_fixture_experiment(*fixture.store, "on-6.6", 0.9, "6.6.13-amd64",
                                             nullptr);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  fs::path dir_;
  std::string db_;
  std::map<char, std::int64_t> points_;
};

TEST_F(Cli, ReportToStandardOutputAndToFiles) {
  Result r = invoke(report_command(), {"--db", db_, "--experiment", "on-6.1"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("Pareto-best configurations"), std::string::npos);
  EXPECT_NE(r.out.find("kernel: 6.1.0-18-amd64"), std::string::npos);

  // The newest experiment by default; the format from -o's extension.
  const fs::path html = dir_ / "report.html";
  r = invoke(report_command(), {"--db", db_, "-o", html.string()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(r.out.empty());
  const std::string page = slurp(html);
  EXPECT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(page.find("6.6.13-amd64"), std::string::npos);

  for (const std::string format : {"md", "csv", "json"}) {
    r = invoke(report_command(), {"--db", db_, "--format", format, "--experiment", "1"});
    EXPECT_EQ(r.code, 0) << format << ": " << r.err;
    EXPECT_FALSE(r.out.empty()) << format;
  }
}

TEST_F(Cli, ModelsOverSeveralDatabases) {
  const std::string other = (dir_ / "other.db").string();
  nictune::testing::make_report_fixture(other, "elsewhere", 1.2, "6.12.9-amd64");
  Result r = invoke(models_command(), {"--db", db_, "--db", other, "--format", "json"});
  ASSERT_EQ(r.code, 0) << r.err;
  Json doc = Json::parse(r.out);
  ASSERT_EQ(doc.size(), 1u);  // one model, ixgbe, three experiments in two databases
  EXPECT_EQ(doc[0]["model"], "ixgbe");
  ASSERT_EQ(doc[0]["experiments"].size(), 3u);
  EXPECT_EQ(doc[0]["experiments"][2]["database"], other);
  EXPECT_EQ(doc[0]["experiments"][2]["nic"]["kernel"], "6.12.9-amd64");
  // The 20 % faster run elsewhere holds every configuration that is best across them.
  for (const auto& c : doc[0]["groups"][0]["configurations"]) {
    EXPECT_EQ(c["best_across"], c["measured_in"]["database"] == other) << c.dump();
  }
  r = invoke(models_command(), {"--db", db_, "--format", "md"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("## ixgbe"), std::string::npos) << r.out;

  r = invoke(models_command(), {"--db", db_, "--format", "xml"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("unknown format \"xml\""), std::string::npos) << r.err;
  r = invoke(models_command(), {"--db", (dir_ / "missing.db").string()});
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("missing.db"), std::string::npos) << r.err;
}

TEST_F(Cli, ReportUsageErrors) {
  Result r = invoke(report_command(), {"--db", db_, "--format", "htm"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("did you mean \"html\""), std::string::npos) << r.err;
  r = invoke(report_command(), {"--db", (dir_ / "typo.db").string()});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("no database at"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "typo.db"));  // a reader never creates a database
  r = invoke(report_command(), {"--db", db_, "--experiment", "on-6.2"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("no experiment \"on-6.2\""), std::string::npos) << r.err;
  r = invoke(report_command(), {"--db", db_, "--bogus"});
  EXPECT_EQ(r.code, 2);
  r = invoke(report_command(), {"--db", db_, "extra"});
  EXPECT_EQ(r.code, 2);
}

TEST_F(Cli, ReportDefaultsToNictuneDbHere) {
  const fs::path old = fs::current_path();
  fs::current_path(dir_);
  Result missing = invoke(report_command(), {});
  fs::copy_file(db_, dir_ / "nictune.db");
  Result found = invoke(report_command(), {"--format", "csv"});
  fs::current_path(old);
  EXPECT_EQ(missing.code, 2);
  EXPECT_NE(missing.err.find("nictune.db"), std::string::npos) << missing.err;
  EXPECT_EQ(found.code, 0) << found.err;
}

TEST_F(Cli, ExportFormats) {
  const std::string b = std::to_string(points_.at('B'));
  Result r = invoke(export_command(), {"--db", db_, "--point", b, "--format", "sh"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("#!/bin/sh\n", 0), 0u);
  EXPECT_NE(r.out.find("ethtool -L $IFACE combined 4"), std::string::npos);

  const fs::path script = dir_ / "b.sh";
  r = invoke(export_command(),
             {"--db", db_, "--point", b, "--format", "sh", "-o", script.string()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(fs::status(script).permissions() & fs::perms::owner_exec, fs::perms::none);

  const fs::path profile = dir_ / "profile";
  r = invoke(export_command(),
             {"--db", db_, "--point", b, "--format", "tuned", "-o", profile.string()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(slurp(profile / "tuned.conf").find("[sysctl]"), std::string::npos);
  EXPECT_TRUE(fs::exists(profile / "nictune-apply.sh"));

  r = invoke(export_command(), {"--db", db_, "--point", b, "--format", "tuned"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("==> tuned.conf <==\n", 0), 0u);
  EXPECT_NE(r.out.find("\n==> nictune-apply.sh <==\n"), std::string::npos);

  r = invoke(export_command(), {"--db", db_, "--point", b, "--format", "json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(Json::parse(r.out)["point_id"], points_.at('B'));

  const fs::path link = dir_ / "link";
  r = invoke(export_command(), {"--db", db_, "--point", b, "--format", "link", "--match", "pci",
                                "-o", link.string()});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string base = "nictune-point-" + b;
  EXPECT_NE(slurp(link / ("10-" + base + ".link")).find("\n[Match]\nPath=pci-0000:03:00.0\n"),
            std::string::npos);
  EXPECT_NE(slurp(link / ("10-" + base + ".link")).find("\nCombinedChannels=4\n"),
            std::string::npos);
  EXPECT_TRUE(fs::exists(link / ("90-" + base + ".rules")));
  EXPECT_TRUE(fs::exists(link / (base + "@.service")));
  EXPECT_NE(fs::status(link / (base + "-rest.sh")).permissions() & fs::perms::owner_exec,
            fs::perms::none);

  r = invoke(export_command(), {"--db", db_, "--point", b, "--format", "check"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("nictune_check_ethtool 'ethtool -L combined' -l 'Combined' '4'"),
            std::string::npos);
}

TEST_F(Cli, ExportErrors) {
  Result r = invoke(export_command(), {"--db", db_, "--format", "sh"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--point ID is required"), std::string::npos) << r.err;
  r = invoke(export_command(), {"--db", db_, "--point", "3"});
  EXPECT_EQ(r.code, 2);
  r = invoke(export_command(), {"--db", db_, "--point", "x3", "--format", "sh"});
  EXPECT_EQ(r.code, 2);
  r = invoke(export_command(), {"--db", db_, "--point", "99999", "--format", "sh"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("no experiment in the database measured point 99999"), std::string::npos)
      << r.err;
  // G's only trial failed before anything was applied: nothing exact to export.
  r = invoke(export_command(),
             {"--db", db_, "--point", std::to_string(points_.at('G')), "--format", "sh"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("has no recorded commands"), std::string::npos) << r.err;
  r = invoke(export_command(), {"--db", db_, "--point", "3", "--format", "ansible"});
  EXPECT_EQ(r.code, 2);
  const std::string b = std::to_string(points_.at('B'));
  r = invoke(export_command(), {"--db", db_, "--point", b, "--format", "sh", "--match", "path"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--match \"path\" is not one of name, mac, pci"), std::string::npos)
      << r.err;
  // The fixture's probe predates the MAC: refused, nothing written.
  r = invoke(export_command(), {"--db", db_, "--point", b, "--format", "sh", "--match", "mac"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("recorded no MAC address"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

TEST_F(Cli, CompareExitStatus) {
  Result r = invoke(compare_command(), {"--db", db_, "on-6.1", "on-6.6"});
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_NE(r.out.find("REGRESSION"), std::string::npos);
  r = invoke(compare_command(), {"--db", db_, "on-6.1", "on-6.6", "--threshold", "15%"});
  EXPECT_EQ(r.code, 0) << r.out;
  r = invoke(compare_command(), {"--db", db_, "on-6.1", "on-6.1"});
  EXPECT_EQ(r.code, 0);
  r = invoke(compare_command(), {"--db", db_, "on-6.1", "on-6.6", "--format", "json"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(Json::parse(r.out)["any_significant_regression"], true);
  r = invoke(compare_command(), {"--db", db_, "on-6.1", "on-6.6", "--threshold", "5"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("ambiguous"), std::string::npos) << r.err;
  r = invoke(compare_command(), {"--db", db_, "on-6.1"});
  EXPECT_EQ(r.code, 2);
  r = invoke(compare_command(), {"--db", db_, "on-6.1", "nope"});
  EXPECT_EQ(r.code, 2);
}

}  // namespace
}  // namespace nictune::cli

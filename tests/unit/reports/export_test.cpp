// Exports of the fixed experiment: sh and tuned against goldens (tests/data/reports/point-B.*,
// regenerate with NICTUNE_UPDATE_GOLDENS=1), the JSON's content, and the clear failures.
#include "reports/export.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/errors.hpp"
#include "orchestrator/loaders/report_loaders.hpp"
#include "tests/unit/reports/golden.hpp"
#include "tests/unit/reports/report_fixture.hpp"

namespace nictune::report {
namespace {

class Export : public ::testing::Test {
 protected:
  void SetUp() override {
    fixture_ = nictune::testing::make_report_fixture();
    report_ = load_report(*fixture_.store, "");
    nictune::testing::pin_times(report_);
  }
  ExportInput input(char letter) { return export_input(report_, fixture_.points.at(letter)); }
  nictune::testing::ReportFixture fixture_;
  Report report_;
};

TEST_F(Export, ShellScriptGolden) {
  auto files = export_point("sh", input('B'));
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].name, "nictune-point-" + std::to_string(fixture_.points.at('B')) + ".sh");
  EXPECT_TRUE(files[0].executable);
  const std::string& sh = files[0].content;
  EXPECT_EQ(sh.rfind("#!/bin/sh\n", 0), 0u);
  // Where it was measured, and what it applies.
  EXPECT_NE(sh.find("kernel 6.1.0-18-amd64, driver ixgbe 5.19.6, firmware 0x800003df"),
            std::string::npos);
  EXPECT_NE(sh.find("experiment \"ixgbe-rss-rps\""), std::string::npos);
  EXPECT_NE(sh.find("Measured 2024-05-01"), std::string::npos);
  EXPECT_NE(sh.find("\nethtool -L $IFACE combined 4\n"), std::string::npos);
  EXPECT_NE(sh.find("\nsysctl -w net.core.busy_poll=50\n"), std::string::npos);
  EXPECT_NE(sh.find("nictune_find_iface \"${1:-${IFACE:-}}\""), std::string::npos);
  nictune::testing::expect_matches_golden("point-B.sh", sh);
}

TEST_F(Export, TunedProfileGolden) {
  auto files = export_point("tuned", input('B'));
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].name, "tuned.conf");
  EXPECT_EQ(files[1].name, "nictune-apply.sh");
  const std::string& conf = files[0].content;
  EXPECT_NE(conf.find("\n[sysctl]\nnet.core.busy_poll=50\n"), std::string::npos) << conf;
  EXPECT_NE(conf.find("\n[script]\nscript=${i:PROFILE_DIR}/nictune-apply.sh\n"), std::string::npos);
  const std::string& sh = files[1].content;
  EXPECT_EQ(sh.find("    sysctl"), std::string::npos);  // tuned.conf's [sysctl] has them
  EXPECT_NE(sh.find("    ethtool -L $IFACE combined 4 || exit 1\n"), std::string::npos);
  // stop: back to the baseline's values (8 queues, no RPS).
  EXPECT_NE(sh.find("    ethtool -L $IFACE combined 8 || status=1\n"), std::string::npos);
  EXPECT_NE(sh.find("IFACE=${NICTUNE_IFACE:-eth1}"), std::string::npos);
  nictune::testing::expect_matches_golden("point-B.tuned.conf", conf);
  nictune::testing::expect_matches_golden("point-B.nictune-apply.sh", sh);
}

TEST_F(Export, JsonHasCommandsResultsAndContext) {
  auto files = export_point("json", input('B'));
  ASSERT_EQ(files.size(), 1u);
  const Json doc = Json::parse(files[0].content);
  EXPECT_EQ(doc["point_id"], fixture_.points.at('B'));
  EXPECT_EQ(doc["status"], "front");
  EXPECT_EQ(doc["configuration"]["rps"], "all");
  EXPECT_EQ(doc["commands"].size(), 4u);
  EXPECT_EQ(doc["sysctl"]["net.core.busy_poll"], "50");
  EXPECT_EQ(doc["measured_on"][0]["kernel"], "6.1.0-18-amd64");
  EXPECT_EQ(doc["interface_measured"], "eth1");
  EXPECT_EQ(doc["results"][0], "rx_pps 1.250M ± 0.050M (n=3, +25.0% vs baseline, significant)");
}

TEST_F(Export, BaselineExportRestoresTheHostsSettings) {
  auto in = input('b');
  EXPECT_TRUE(in.baseline);
  EXPECT_EQ(in.commands.front(), "ethtool -L $IFACE combined 8");
  auto sh = export_point("sh", in)[0].content;
  EXPECT_NE(sh.find("the baseline (the host's own settings)"), std::string::npos);
}

TEST_F(Export, FailsClearlyWithoutCommands) {
  try {
    input('G');  // its only trial failed before the agent applied anything
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUnsupported);
    EXPECT_NE(std::string(e.what()).find("has no recorded commands"), std::string::npos)
        << e.what();
  }
  try {
    export_input(report_, 4242);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalid);
    EXPECT_NE(std::string(e.what()).find("has no point 4242"), std::string::npos) << e.what();
  }
  EXPECT_THROW(export_point("tuneD", input('A')), Error);
}

TEST_F(Export, LoadsThePointFromTheStore) {
  auto in = load_export_input(*fixture_.store, fixture_.points.at('A'));
  EXPECT_EQ(in.label, "channels.combined=4");
  EXPECT_THROW(load_export_input(*fixture_.store, 99999), Error);
  EXPECT_THROW(load_export_input(*fixture_.store, fixture_.points.at('A'), "no-such-experiment"),
               Error);
}

TEST_F(Export, HeaderTextCannotBreakOutOfComments) {
  auto in = input('A');
  in.label = "x=1\nrm -rf /tmp/victim\n";
  in.experiment.name = "evil\necho pwned";
  const std::string sh = export_point("sh", in)[0].content;
  std::istringstream lines(sh);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.find("pwned") != std::string::npos || line.find("victim") != std::string::npos) {
      EXPECT_EQ(line[0], '#') << line;
    }
  }
}

TEST(ParseSysctl, Forms) {
  using KV = std::pair<std::string, std::string>;
  EXPECT_EQ(parse_sysctl_command("sysctl -w net.core.busy_poll=50"),
            (KV{"net.core.busy_poll", "50"}));
  EXPECT_EQ(parse_sysctl_command("sysctl -q -w net.core.rps_sock_flow_entries=32768"),
            (KV{"net.core.rps_sock_flow_entries", "32768"}));
  EXPECT_EQ(parse_sysctl_command("sysctl -w net.ipv4.tcp_rmem='4096 87380 6291456'"),
            (KV{"net.ipv4.tcp_rmem", "4096 87380 6291456"}));
  EXPECT_EQ(parse_sysctl_command("ethtool -L $IFACE combined 4"), std::nullopt);
  EXPECT_EQ(parse_sysctl_command("sysctl -p /etc/x.conf"), std::nullopt);
  EXPECT_EQ(parse_sysctl_command("sysctl -w net.core.x=$(reboot)"), std::nullopt);
}

}  // namespace
}  // namespace nictune::report

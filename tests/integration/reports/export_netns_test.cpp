// Round trip of an exported configuration on a real kernel: the test creates a network namespace
// with a multi-queue veth pair (PID-unique names, removed also on failure; no addresses, so no
// lab slot), stores a point whose trials recorded the agent's commands, exports it as a shell
// script, a tuned profile, a .link with its companion script and a check script, runs them inside
// the namespace and reads the values back from sysfs, `ethtool --json` and sysctl.
// Needs root; skips with the reason otherwise.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>

#include "core/json_util.hpp"
#include "orchestrator/loaders/report_loaders.hpp"
#include "orchestrator/store/store_backends.hpp"
#include "reports/export.hpp"
#include "tests/support/command_line.hpp"

namespace nictune::report {
namespace {

namespace fs = std::filesystem;

using Shell = nictune::testing::CommandResult;

Shell run(const std::string& command) {
  return nictune::testing::run_command(command);
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// "00000000,00000001" -> "1"
std::string mask(std::string s) {
  s = trim(s);
  std::string out;
  for (char c : s) {
    if (c == ',' || (out.empty() && c == '0')) continue;
    out += c;
  }
  return out.empty() ? "0" : out;
}

class NamespaceLab {
 public:
  NamespaceLab()
      : ns_("ntrep-" + std::to_string(getpid())),
        dev_("vr" + std::to_string(getpid()) + "a"),
        peer_("vr" + std::to_string(getpid()) + "b") {}
  ~NamespaceLab() {
    if (created_) run("ip netns delete " + ns_);
  }
  // "" when ready, else why not.
  std::string create() {
    Shell r = run("ip netns add " + ns_);
    if (r.code != 0) return "cannot create a network namespace: " + r.output;
    created_ = true;
    r = run("ip -n " + ns_ + " link add " + dev_ +
            " numtxqueues 4 numrxqueues 4 type veth peer name " + peer_ +
            " numtxqueues 4 numrxqueues 4");
    if (r.code != 0) return "cannot create a veth pair: " + r.output;
    return "";
  }
  Shell exec(const std::string& command) const {
    return run("ip netns exec " + ns_ + " " + command);
  }
  const std::string& dev() const { return dev_; }
  std::string queues() const {
    Shell r = exec("ls /sys/class/net/" + dev_ + "/queues");
    std::string out;
    for (char c : r.output) out += c == '\n' ? ' ' : c;
    return trim(out);
  }
  std::string read(const std::string& path) const { return trim(exec("cat " + path).output); }
  bool gro() const {
    Shell r = exec("ethtool --json -k " + dev_);
    Json doc = Json::parse(r.output, nullptr, false);
    return !doc.is_discarded() && doc.is_array() &&
           doc[0]["generic-receive-offload"]["active"] == true;
  }

 private:
  std::string ns_, dev_, peer_;
  bool created_ = false;
};

struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl =
        (fs::temp_directory_path() / ("nictune-export-" + std::to_string(getpid()) + "-XXXXXX"))
            .string();
    path = mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

// One experiment: the baseline (4+4 queues, no RPS/XPS, GRO off, somaxconn 4096) and one point.
std::int64_t store_point(Store& store) {
  const Json spec = Json::parse(R"({"name": "veth-export", "hosts": {"dut": {"interface": "veth0"}},
      "objectives": [{"metric": "rx_pps", "goal": "max"}]})");
  const std::int64_t e = store.create_experiment("veth-export", spec, "test");
  store.record_host(e, "dut", "", Json{{"hostname", "lab"}, {"kernel", "test"}});
  auto trial = [&](bool baseline, const Json& config, const std::vector<std::string>& commands,
                   double rx) {
    const std::int64_t point = store.intern_point(e, baseline ? Json::object() : config);
    const std::int64_t t = store.begin_trial(e, point, 0, baseline, "");
    Outcome o;
    o.metrics = {{"rx_pps", rx}};
    o.details = {{"apply", {{"dut", config}, {"commands", commands}}}};
    store.finish_trial(t, o);
    return point;
  };
  trial(true, {{"channels.rx", 4}, {"channels.tx", 4}, {"rps", "none"}, {"offload.gro", false}},
        {"ethtool -L $IFACE rx 4 tx 4", "echo 0 > /sys/class/net/$IFACE/queues/rx-0/rps_cpus",
         "echo 0 > /sys/class/net/$IFACE/queues/rx-0/rps_flow_cnt", "ethtool -K $IFACE gro off",
         "sysctl -w net.core.somaxconn=4096"},
        1e6);
  return trial(
      false, {{"channels.rx", 2}, {"channels.tx", 3}, {"rps", "single:0"}, {"offload.gro", true}},
      {"ethtool -L $IFACE rx 2 tx 3", "echo 1 > /sys/class/net/$IFACE/queues/rx-0/rps_cpus",
       "echo 2048 > /sys/class/net/$IFACE/queues/rx-0/rps_flow_cnt",
       "echo 1 > /sys/class/net/$IFACE/queues/tx-0/xps_cpus", "ethtool -K $IFACE gro on",
       "sysctl -w net.core.somaxconn=2048"},
      1.2e6);
}

void write(const fs::path& path, const std::string& content) {
  std::ofstream(path) << content;
}

// Every test: a namespace of its own with the multi-queue veth pair (skipped without root), a
// temporary directory for the exported files, and a store holding store_point's experiment.
class ExportInNamespace : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root to create network namespaces";
    if (auto why = lab_.create(); !why.empty()) GTEST_SKIP() << why;
    point_ = store_point(*store_);
  }

  NamespaceLab lab_;
  TempDir dir_;
  std::unique_ptr<Store> store_ = open_store(":memory:");
  std::int64_t point_ = 0;
};

TEST_F(ExportInNamespace, ShellScriptAppliesWhatWasMeasured) {
  auto files = export_point("sh", load_export_input(*store_, point_));
  ASSERT_EQ(files.size(), 1u);
  const fs::path script = dir_.path / files[0].name;
  write(script, files[0].content);

  ASSERT_EQ(lab_.queues(), "rx-0 rx-1 rx-2 rx-3 tx-0 tx-1 tx-2 tx-3");
  ASSERT_FALSE(lab_.gro());

  // Refuses without an interface, or with one that is not there.
  EXPECT_EQ(lab_.exec("sh " + script.string()).code, 2);
  EXPECT_EQ(lab_.exec("sh " + script.string() + " nosuchif0").code, 2);
  EXPECT_EQ(lab_.exec("sh " + script.string() + " '-x'").code, 2);

  Shell r = lab_.exec("sh " + script.string() + " " + lab_.dev());
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("applied point " + std::to_string(point_) + " to " + lab_.dev()),
            std::string::npos)
      << r.output;
  const std::string q = "/sys/class/net/" + lab_.dev() + "/queues/";
  EXPECT_EQ(lab_.queues(), "rx-0 rx-1 tx-0 tx-1 tx-2");
  EXPECT_EQ(mask(lab_.read(q + "rx-0/rps_cpus")), "1");
  EXPECT_EQ(lab_.read(q + "rx-0/rps_flow_cnt"), "2048");
  EXPECT_EQ(mask(lab_.read(q + "tx-0/xps_cpus")), "1");
  EXPECT_TRUE(lab_.gro());
  EXPECT_EQ(trim(lab_.exec("sysctl -n net.core.somaxconn").output), "2048");
}

TEST_F(ExportInNamespace, TunedScriptStartsAndStops) {
  auto files = export_point("tuned", load_export_input(*store_, point_));
  ASSERT_EQ(files.size(), 2u);
  EXPECT_NE(files[0].content.find("[sysctl]\nnet.core.somaxconn=2048\n"), std::string::npos)
      << files[0].content;
  const fs::path script = dir_.path / files[1].name;
  write(script, files[1].content);
  const std::string q = "/sys/class/net/" + lab_.dev() + "/queues/";

  Shell r = lab_.exec("env NICTUNE_IFACE=" + lab_.dev() + " sh " + script.string() + " start");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_EQ(lab_.queues(), "rx-0 rx-1 tx-0 tx-1 tx-2");
  EXPECT_EQ(mask(lab_.read(q + "rx-0/rps_cpus")), "1");
  EXPECT_TRUE(lab_.gro());

  r = lab_.exec("env NICTUNE_IFACE=" + lab_.dev() + " sh " + script.string() + " stop");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_EQ(lab_.queues(), "rx-0 rx-1 rx-2 rx-3 tx-0 tx-1 tx-2 tx-3");
  EXPECT_EQ(mask(lab_.read(q + "rx-0/rps_cpus")), "0");
  EXPECT_EQ(lab_.read(q + "rx-0/rps_flow_cnt"), "0");
  EXPECT_FALSE(lab_.gro());
}

// The sh export applies the point, the check export agrees (0), names a knob changed behind its
// back (1, expected vs found), agrees again once it is put back, and cannot tell for an
// interface that is not there (2). The interface is found by its MAC as well as by name.
TEST_F(ExportInNamespace, CheckScriptTellsMatchFromDifference) {
  const auto input = load_export_input(*store_, point_);
  const fs::path apply = dir_.path / "apply.sh", check = dir_.path / "check.sh";
  write(apply, export_point("sh", input)[0].content);
  write(check, export_point("check", input)[0].content);
  const std::string run_check = "sh " + check.string() + " " + lab_.dev();

  Shell r = lab_.exec(run_check);
  EXPECT_EQ(r.code, 1) << r.output;  // the host as found: 4+4 queues, GRO off
  EXPECT_NE(r.output.find("differs: ethtool -L rx: expected 2, found 4"), std::string::npos)
      << r.output;

  r = lab_.exec("sh " + apply.string() + " " + lab_.dev());
  ASSERT_EQ(r.code, 0) << r.output;
  r = lab_.exec(run_check);
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("matches point " + std::to_string(point_) + " (7 settings checked)"),
            std::string::npos)
      << r.output;
  const std::string mac = lab_.read("/sys/class/net/" + lab_.dev() + "/address");
  r = lab_.exec("sh " + check.string() + " mac=" + mac);
  EXPECT_EQ(r.code, 0) << r.output;

  ASSERT_EQ(lab_.exec("ethtool -K " + lab_.dev() + " gro off").code, 0);
  r = lab_.exec(run_check);
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_NE(r.output.find("differs: ethtool -K gro: expected on, found off"), std::string::npos)
      << r.output;
  EXPECT_EQ(r.output.find("differs: /sys"), std::string::npos) << r.output;

  const std::string rps = "/sys/class/net/" + lab_.dev() + "/queues/rx-0/rps_cpus";
  ASSERT_EQ(lab_.exec("sh -c 'echo 0 > " + rps + "'").code, 0);
  r = lab_.exec(run_check);
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_NE(r.output.find("differs: " + rps + ": expected 1, found 0"), std::string::npos)
      << r.output;

  ASSERT_EQ(lab_.exec("ethtool -K " + lab_.dev() + " gro on").code, 0);
  ASSERT_EQ(lab_.exec("sh -c 'echo 1 > " + rps + "'").code, 0);
  r = lab_.exec(run_check);
  EXPECT_EQ(r.code, 0) << r.output;

  // Settings a veth's driver cannot show (a flow hash, an RSS table): 2, naming each with
  // ethtool's own refusal, after checking the rest.
  ExportInput more = input;
  more.commands.push_back("ethtool -N $IFACE rx-flow-hash tcp4 sdfn");
  more.commands.push_back("ethtool -X $IFACE equal 2");
  const fs::path partial = dir_.path / "partial.sh";
  write(partial, export_point("check", more)[0].content);
  r = lab_.exec("sh " + partial.string() + " " + lab_.dev());
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(
      r.output.find("cannot check: ethtool -N rx-flow-hash tcp4 sdfn: ethtool -n " + lab_.dev() +
                    " rx-flow-hash tcp4: Cannot get RX network flow hashing "
                    "options: Operation not supported"),
      std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("cannot check: ethtool -X equal 2: ethtool -x " + lab_.dev() +
                          ": Cannot get RX ring count: Operation not supported"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("in the 7 settings checked; 2 could not be checked"), std::string::npos)
      << r.output;

  r = lab_.exec("sh " + check.string() + " nosuchif0");
  EXPECT_EQ(r.code, 2) << r.output;
  r = lab_.exec("sh " + check.string());
  EXPECT_EQ(r.code, 2) << r.output;
}

// The .link export: what systemd.link can set is in the .link (channels, GRO), the rest in the
// script its unit runs; that script, run in the namespace, sets RPS/XPS/flow count and the sysctl
// and leaves channels and GRO alone (the .link's part).
TEST_F(ExportInNamespace, LinkCompanionScriptAppliesTheRest) {
  auto files = export_point("link", load_export_input(*store_, point_));
  ASSERT_EQ(files.size(), 4u);
  const std::string& link = files[0].content;
  EXPECT_NE(link.find("\n[Match]\nOriginalName=veth0\n"), std::string::npos) << link;
  EXPECT_NE(link.find("\nRxChannels=2\nTxChannels=3\nGenericReceiveOffload=yes\n"),
            std::string::npos)
      << link;
  const fs::path script = dir_.path / files[3].name;
  write(script, files[3].content);

  Shell r = lab_.exec("sh " + script.string() + " " + lab_.dev());
  ASSERT_EQ(r.code, 0) << r.output;
  const std::string q = "/sys/class/net/" + lab_.dev() + "/queues/";
  EXPECT_EQ(mask(lab_.read(q + "rx-0/rps_cpus")), "1");
  EXPECT_EQ(lab_.read(q + "rx-0/rps_flow_cnt"), "2048");
  EXPECT_EQ(mask(lab_.read(q + "tx-0/xps_cpus")), "1");
  EXPECT_EQ(trim(lab_.exec("sysctl -n net.core.somaxconn").output), "2048");
  EXPECT_EQ(lab_.queues(), "rx-0 rx-1 rx-2 rx-3 tx-0 tx-1 tx-2 tx-3");  // the .link's part
  EXPECT_FALSE(lab_.gro());
}

}  // namespace
}  // namespace nictune::report

// The VM lab without root or QEMU: names and addresses of a plan, the option checks, the QEMU
// command line, the per-lab cpio archive (read back by the real cpio), kernel choices refused
// before anything is fetched.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include <unistd.h>

#include "core/errors.hpp"
#include "orchestrator/lab/vm_forwarding.hpp"
#include "orchestrator/lab/vm_image.hpp"
#include "orchestrator/lab/vm_kernel.hpp"
#include "orchestrator/lab/vm_lab.hpp"
#include "orchestrator/spec/experiment_spec.hpp"
#include "orchestrator/transport/subprocess.hpp"

namespace nictune::lab {
namespace {

namespace fs = std::filesystem;

LabConfig config(int index) {
  LabConfig c;
  c.name = "pl";
  c.index = index;
  c.dir = "/var/lib/nictune/lab/pl";
  c.template_path = "/var/lib/nictune/lab/pl/experiment.json";
  return c;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return std::string(e.what()) + (e.code() == ErrorCode::kInvalid ? " [invalid]" : "");
  }
  return "no error";
}

TEST(VmPlan, AddressesNamesAndMacsFollowTheIndex) {
  VmConfig vm;
  VmLabState s = plan_vm_lab(config(3), vm);
  EXPECT_EQ(s.wire_netns, "nt-pl-vm");
  EXPECT_EQ(s.lg.netns, "nt-pl-lg");
  EXPECT_EQ(s.root_address, "198.18.7.1");
  EXPECT_EQ(s.guest_mgmt_address, "198.18.7.2");
  EXPECT_EQ(s.lg.mgmt_address, "198.18.7.6");
  ASSERT_EQ(s.nics.size(), 3u);
  EXPECT_EQ(s.nics[0].guest_interface, "dut-virtio");
  EXPECT_EQ(s.nics[0].guest_address, "198.18.6.1");
  EXPECT_EQ(s.nics[0].lg_address, "198.18.6.2");
  EXPECT_EQ(s.nics[0].queues, 4);
  EXPECT_EQ(s.nics[1].guest_address, "198.18.6.17");
  EXPECT_EQ(s.nics[2].lg_address, "198.18.6.34");
  EXPECT_EQ(s.nics[2].mac, "52:54:00:03:00:03");
  for (const auto& n : s.nics) EXPECT_LE(n.guest_interface.size(), 15u);
  // The template's DUT is the first NIC, reached over ssh without agent_path (uploaded).
  EXPECT_EQ(s.dut_spec().interface, "dut-virtio");
  EXPECT_TRUE(s.dut_spec().agent_path.empty());
  EXPECT_EQ(s.lg_spec("e1000e").interface, "lg-e1000e");
  // A round trip through the state file keeps everything.
  s.udev = true;
  EXPECT_EQ(VmLabState::from_json(s.to_json()).to_json(), s.to_json());
  EXPECT_TRUE(VmLabState::from_json(s.to_json()).udev);
}

std::set<std::string> keys_of(const Json& object) {
  std::set<std::string> keys;
  for (const auto& [key, value] : object.items()) keys.insert(key);
  return keys;
}

// The state file's keys are its format; the round trip above would not notice a field left
// out of both directions, so keys and values are checked one by one.
TEST(VmPlan, StateFileKeepsEveryFieldUnderItsKey) {
  VmConfig vm;
  const VmLabState s = [&] {
    VmLabState planned = plan_vm_lab(config(3), vm);
    planned.accel = "tcg";
    planned.accel_reason = "no /dev/kvm";
    planned.kernel_package = "linux-image-6.1.0-18-amd64";
    planned.kernel_version = "6.1.76-1";
    planned.kernel_release = "6.1.0-18-amd64";
    planned.boot_seconds = 12.5;
    planned.qemu_pid = 4321;
    planned.pid_file = planned.dir + "/qemu.pid";
    planned.console_log = planned.dir + "/console.log";
    planned.mgmt_mac = "52:54:00:03:00:00";
    planned.agent_path = "/x/nictune-agent";
    planned.udev = true;
    return planned;
  }();
  const Json json = s.to_json();
  EXPECT_EQ(keys_of(json), (std::set<std::string>{"accel",
                                                  "accel_reason",
                                                  "agent_path",
                                                  "boot_seconds",
                                                  "console_log",
                                                  "dir",
                                                  "guest_mgmt_address",
                                                  "guest_mgmt_interface",
                                                  "identity_file",
                                                  "index",
                                                  "kernel",
                                                  "kind",
                                                  "known_hosts",
                                                  "lg",
                                                  "mgmt_mac",
                                                  "name",
                                                  "nics",
                                                  "pid_file",
                                                  "qemu_pid",
                                                  "root_address",
                                                  "root_interface",
                                                  "template_path",
                                                  "udev",
                                                  "wire_netns"}));
  ASSERT_EQ(json.at("nics").size(), 3u);
  EXPECT_EQ(
      keys_of(json.at("nics").at(2)),
      (std::set<std::string>{"bridge", "device", "guest_address", "guest_interface", "kind",
                             "lg_address", "lg_interface", "mac", "queues", "tap", "wire_veth"}));
  const VmLabState back = VmLabState::from_json(json);
  EXPECT_EQ(back.name, s.name);
  EXPECT_EQ(back.dir, s.dir);
  EXPECT_EQ(back.index, 3);
  EXPECT_EQ(back.identity_file, s.identity_file);
  EXPECT_EQ(back.known_hosts, s.known_hosts);
  EXPECT_EQ(back.template_path, s.template_path);
  EXPECT_EQ(back.agent_path, "/x/nictune-agent");
  EXPECT_EQ(back.wire_netns, s.wire_netns);
  EXPECT_EQ(back.kernel_package, "linux-image-6.1.0-18-amd64");
  EXPECT_EQ(back.kernel_version, "6.1.76-1");
  EXPECT_EQ(back.kernel_release, "6.1.0-18-amd64");
  EXPECT_EQ(back.accel, "tcg");
  EXPECT_EQ(back.accel_reason, "no /dev/kvm");
  EXPECT_EQ(back.boot_seconds, 12.5);
  EXPECT_EQ(back.qemu_pid, 4321);
  EXPECT_EQ(back.pid_file, s.pid_file);
  EXPECT_EQ(back.console_log, s.console_log);
  EXPECT_EQ(back.guest_mgmt_address, s.guest_mgmt_address);
  EXPECT_EQ(back.root_interface, s.root_interface);
  EXPECT_EQ(back.root_address, s.root_address);
  EXPECT_EQ(back.mgmt_mac, "52:54:00:03:00:00");
  EXPECT_EQ(back.lg.mgmt_address, s.lg.mgmt_address);
  ASSERT_EQ(back.nics.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    const VmNic& a = s.nics[i];
    const VmNic& b = back.nics[i];
    EXPECT_EQ(b.kind, a.kind);
    EXPECT_EQ(b.device, a.device);
    EXPECT_EQ(b.queues, a.queues);
    EXPECT_EQ(b.mac, a.mac);
    EXPECT_EQ(b.guest_interface, a.guest_interface);
    EXPECT_EQ(b.guest_address, a.guest_address);
    EXPECT_EQ(b.tap, a.tap);
    EXPECT_EQ(b.bridge, a.bridge);
    EXPECT_EQ(b.wire_veth, a.wire_veth);
    EXPECT_EQ(b.lg_interface, a.lg_interface);
    EXPECT_EQ(b.lg_address, a.lg_address);
  }
  // Optional keys of older files read as empty; a required one missing makes the file unreadable.
  Json old = json;
  for (const char* key : {"template_path", "agent_path", "accel", "accel_reason", "mgmt_mac"})
    old.erase(key);
  const VmLabState from_old = VmLabState::from_json(old);
  EXPECT_EQ(from_old.accel, "");
  EXPECT_EQ(from_old.mgmt_mac, "");
  EXPECT_EQ(from_old.agent_path, "");
  Json broken = json;
  broken["nics"][0].erase("tap");
  EXPECT_ANY_THROW(VmLabState::from_json(broken));
}

TEST(VmPlan, NicsPickTheirOwnBlocks) {
  VmConfig vm;
  vm.nics = {"e1000e"};
  VmLabState s = plan_vm_lab(config(0), vm);
  ASSERT_EQ(s.nics.size(), 1u);
  EXPECT_EQ(s.nics[0].guest_address, "198.18.0.17");
  EXPECT_EQ(s.lg.data_interface, "lg-e1000e");
  Json spec = vm_experiment_template(s);
  EXPECT_EQ(spec["hosts"]["dut"]["interface"], "dut-e1000e");
  EXPECT_TRUE(spec["space"]["parameters"].contains("coalesce.rx_usecs"));
}

TEST(VmPlan, ExperimentTemplateIsAValidSpec) {
  // The spec checks that the identity file exists: give it one.
  std::string dir =
      fs::temp_directory_path().string() + "/nictune-vm-plan-" + std::to_string(::getpid());
  fs::create_directories(dir);
  std::ofstream(dir + "/id_ed25519") << "not a key, only present\n";
  for (const std::string kind : {"virtio", "e1000e", "vmxnet3"}) {
    LabConfig c = config(5);
    c.dir = dir;
    VmConfig vm;
    vm.nics = {kind};
    try {
      ExperimentSpec spec = parse_spec(vm_experiment_template(plan_vm_lab(c, vm)), "vm.json");
      ASSERT_EQ(spec.benches.size(), 1u);
      EXPECT_EQ(spec.benches[0].dut.host, "198.18.11.2");
      EXPECT_EQ(spec.benches[0].dut.interface, "dut-" + kind);
      EXPECT_EQ(spec.benches[0].lg.interface, "lg-" + kind);
    } catch (const Error& e) {
      ADD_FAILURE() << kind << ": " << e.what();
    }
  }
  fs::remove_all(dir);
}

// Each NIC kind is one row: its QEMU device, tap queues and the search its template runs.
TEST(VmPlan, EachNicKindHasItsDeviceQueuesAndTemplateSearch) {
  const std::map<std::string, std::tuple<std::string, int, Json>> expected = {
      {"virtio",
       {"virtio-net-pci", 4,
        Json::parse(R"({"channels.combined": [1, 2], "irq_affinity": ["spread", "single:1"]})")}},
      {"e1000e",
       {"e1000e", 1,
        Json::parse(R"({"coalesce.rx_usecs": [0, 100], "irq_affinity": ["spread", "single:1"]})")}},
      {"vmxnet3",
       {"vmxnet3", 1, Json::parse(R"({"rps": ["none", "all"], "rings.rx": [256, 1024]})")}}};
  ASSERT_EQ(vm_nic_kinds(), (std::vector<std::string>{"virtio", "e1000e", "vmxnet3"}));
  for (const auto& [kind, row] : expected) {
    VmConfig vm;
    vm.nics = {kind};
    const VmLabState s = plan_vm_lab(config(2), vm);
    ASSERT_EQ(s.nics.size(), 1u);
    EXPECT_EQ(s.nics[0].device, std::get<0>(row)) << kind;
    EXPECT_EQ(s.nics[0].queues, std::get<1>(row)) << kind;
    EXPECT_EQ(vm_experiment_template(s)["space"]["parameters"], std::get<2>(row)) << kind;
  }
  VmConfig none;
  none.nics.clear();
  EXPECT_EQ(error_of([&] { none.validate(); }),
            "--nics is empty: expected some of virtio,e1000e,vmxnet3 [invalid]");
  // A state file naming a kind no row has is refused by name, not read past the table.
  VmLabState damaged = plan_vm_lab(config(2), VmConfig{});
  damaged.nics.front().kind = "rtl8139";
  EXPECT_EQ(error_of([&] { vm_experiment_template(damaged); }),
            "unknown VM NIC \"rtl8139\"; expected virtio, e1000e or vmxnet3 [invalid]");
}

TEST(VmPlan, ForwardingRoutesFromTheFirstNicOutOfTheSecond) {
  VmConfig vm;
  vm.nics = {"virtio", "e1000e"};
  VmLabState s = plan_vm_lab(config(3), vm);
  const ForwardingPlan p = plan_vm_forwarding(s);
  EXPECT_EQ(p.dut_ingress, "dut-virtio");
  EXPECT_EQ(p.dut_egress, "dut-e1000e");
  EXPECT_EQ(p.lg_egress, "lg-virtio");
  EXPECT_EQ(p.lg_sink, "lg-e1000e");
  EXPECT_EQ(p.dut_ingress_address, "198.18.6.1");
  EXPECT_EQ(p.lg_sink_address, "198.18.6.18");
  // Outside every NIC's /28 (198.18.6.0-47) and the management /30s (198.18.7.0-7).
  EXPECT_EQ(p.destination_prefix, "198.18.7.192/26");
  EXPECT_EQ(p.sink_address, "198.18.7.193");
  EXPECT_EQ(p.source_prefix, "198.18.6.128/25");
  s.forwarding = p.to_json();
  EXPECT_EQ(VmLabState::from_json(s.to_json()).to_json(), s.to_json());

  // The template is a valid forwarding spec whose layouts move IRQ, RPS and XPS together: 3
  // points, not 27.
  std::string dir =
      fs::temp_directory_path().string() + "/nictune-vm-fwd-" + std::to_string(::getpid());
  fs::create_directories(dir);
  std::ofstream(dir + "/id_ed25519") << "not a key, only present\n";
  LabConfig c = config(3);
  c.dir = dir;
  VmLabState with_keys = plan_vm_lab(c, vm);
  with_keys.forwarding = plan_vm_forwarding(with_keys).to_json();
  const Json doc = vm_experiment_template(with_keys);
  EXPECT_EQ(doc["hosts"]["forwarding"]["dut_egress"], "dut-e1000e");
  EXPECT_EQ(doc["hosts"]["forwarding"]["lg_sink"], "lg-e1000e");
  EXPECT_EQ(doc["hosts"]["forwarding"]["sink_address"], "198.18.7.193");
  EXPECT_EQ(doc["workload"]["source_prefix"], "198.18.6.128/25");
  try {
    ExperimentSpec spec = parse_spec(doc, "vm.json");
    ASSERT_TRUE(spec.benches.at(0).forwarding);
    std::vector<Json> points;
    spec.space.for_each_grid_point([&](const Point& point) {
      points.push_back(point);
      return true;
    });
    ASSERT_EQ(points.size(), 3u);
    for (const auto& point : points) {
      EXPECT_EQ(point["rps"], point["irq_affinity"]) << point.dump();
      EXPECT_EQ(point["xps"], point["irq_affinity"]) << point.dump();
    }
  } catch (const Error& e) {
    ADD_FAILURE() << e.what();
  }
  fs::remove_all(dir);

  // One data NIC cannot forward: the error names --nics.
  vm.nics = {"virtio"};
  EXPECT_EQ(
      error_of([&] { check_vm_forwarding_nics(vm.nics); }).find("--forwarding needs two data NICs"),
      0u);
  EXPECT_NE(error_of([&] { check_vm_forwarding_nics(vm.nics); }).find("[invalid]"),
            std::string::npos);
}

// experiments/vm/router-seed002-vm.json points at the forwarding VM lab "default" (index 0):
// its hosts are the template's, and with the lab's key present it validates (9 points: the three
// tied layouts by three payloads).
TEST(VmPlan, RouterSeedSpecMatchesTheForwardingLabTemplate) {
  Json spec =
      load_json_file(std::string(NICTUNE_SOURCE_DIR) + "/experiments/vm/router-seed002-vm.json");
  LabConfig c;  // name "default", index 0, /var/lib/nictune/lab/default
  VmConfig vm;
  VmLabState s = plan_vm_lab(c, vm);
  s.forwarding = plan_vm_forwarding(s).to_json();
  const Json lab = vm_experiment_template(s);
  EXPECT_EQ(spec["hosts"], lab["hosts"]) << spec["hosts"].dump(2) << "\n" << lab["hosts"].dump(2);
  EXPECT_EQ(spec["workload"]["source_prefix"], lab["workload"]["source_prefix"]);

  std::string dir =
      fs::temp_directory_path().string() + "/nictune-vm-seed-" + std::to_string(::getpid());
  fs::create_directories(dir);
  std::ofstream(dir + "/id_ed25519") << "not a key, only present\n";
  for (const char* role : {"dut", "lg"}) spec["hosts"][role]["identity_file"] = dir + "/id_ed25519";
  try {
    ExperimentSpec parsed = parse_spec(spec, "router-seed002-vm.json");
    EXPECT_TRUE(parsed.benches.at(0).forwarding);
    EXPECT_EQ(parsed.space.grid_size(), 9u);
  } catch (const Error& e) {
    ADD_FAILURE() << e.what();
  }
  fs::remove_all(dir);
}

TEST(VmPlan, BadOptionsNameTheOption) {
  VmConfig vm;
  vm.nics = {"virtio", "rtl8139"};
  EXPECT_EQ(error_of([&] { vm.validate(); }),
            "--nics: unknown NIC \"rtl8139\"; expected virtio, e1000e or vmxnet3 [invalid]");
  vm.nics = {"virtio", "virtio"};
  EXPECT_NE(error_of([&] { vm.validate(); }).find("named twice"), std::string::npos);
  vm = VmConfig{};
  vm.boot_timeout_s = 1;
  EXPECT_NE(error_of([&] { vm.validate(); }).find("--boot-timeout 1"), std::string::npos);
  EXPECT_EQ(error_of([] { accel_from_string("xen"); }),
            "--accel \"xen\": expected auto, kvm or tcg [invalid]");
  EXPECT_NE(error_of([] { resolve_kernel_package("six"); }).find("--kernel \"six\""),
            std::string::npos);
  EXPECT_NE(error_of([] { resolve_kernel_package("/nonexistent/k.deb"); }).find("no such file"),
            std::string::npos);
}

TEST(VmPlan, QemuCommandLine) {
  QemuLaunch launch;
  launch.netns = "nt-pl-vm";
  launch.kernel = "/k";
  launch.initrd = "/i";
  launch.console_log = "/c";
  launch.pid_file = "/p";
  launch.nics = {{"virtio-net-pci", "tap-virtio", "52:54:00:00:00:01", 4},
                 {"e1000e", "tap-e1000e", "52:54:00:00:00:02", 1}};
  auto argv = qemu_argv(launch);
  std::string line;
  for (const auto& a : argv) line += a + " ";
  EXPECT_EQ(
      line.rfind("ip netns exec nt-pl-vm qemu-system-x86_64 -accel tcg,thread=multi -cpu max", 0),
      0u)
      << line;
  EXPECT_NE(line.find("-netdev tap,id=n0,ifname=tap-virtio,script=no,downscript=no,queues=4 "),
            std::string::npos)
      << line;
  EXPECT_NE(line.find("virtio-net-pci,netdev=n0,mac=52:54:00:00:00:01,mq=on,rss=on,vectors=10"),
            std::string::npos);
  EXPECT_NE(line.find("e1000e,netdev=n1,mac=52:54:00:00:00:02 "), std::string::npos);
  EXPECT_NE(line.find("-pidfile /p"), std::string::npos);
}

TEST(VmImage, CpioArchiveReadsBackWithCpio) {
  if (subprocess::find_program("cpio").empty()) GTEST_SKIP() << "cpio is not installed";
  std::string archive = cpio_archive({{"etc/ssh/authorized_keys", "ssh-ed25519 AAAA x\n", 0600},
                                      {"etc/ssh/key.pub", "pub", 0644}});
  auto listing =
      subprocess::run({"cpio", "-t", "-v", "--quiet"}, std::chrono::seconds(10), archive);
  ASSERT_TRUE(listing.ok()) << listing.failure();
  EXPECT_NE(listing.out.find("drwxr-xr-x"), std::string::npos) << listing.out;
  EXPECT_NE(listing.out.find("-rw-------"), std::string::npos) << listing.out;
  EXPECT_NE(listing.out.find("etc/ssh/authorized_keys"), std::string::npos) << listing.out;
  EXPECT_NE(listing.out.find("root"), std::string::npos) << listing.out;
  auto content = subprocess::run({"cpio", "-i", "--to-stdout", "--quiet", "etc/ssh/key.pub"},
                                 std::chrono::seconds(10), archive);
  EXPECT_EQ(content.out, "pub");
}

}  // namespace
}  // namespace nictune::lab

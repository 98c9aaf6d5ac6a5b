// The VM lab without root or QEMU: names and addresses of a plan, the option checks, the QEMU
// command line, the per-lab cpio archive (read back by the real cpio), kernel choices refused
// before anything is fetched.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "core/errors.hpp"
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
  EXPECT_EQ(VmLabState::from_json(s.to_json()).to_json(), s.to_json());
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

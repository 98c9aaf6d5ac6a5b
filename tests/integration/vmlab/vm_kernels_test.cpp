// The kernel-compare use end to end: the same short experiment on the program's guest and, after
// the lab is brought up again under the same name on the other kernel (6.1 <-> 6.12, as the
// bisect recipe does), on that one; then `nictune compare` between the two experiments and
// `nictune check` of one point against the first kernel's baseline. Asserted: the commands work
// end to end (exit 0 or 1, never 2 or 125) and the compare report names both kernels — not a
// verdict: under TCG the host tap's drops dominate the figures (docs/lab.md, "findings").
// Linked last: it replaces the program's guest (the environment tears down whatever is up).
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "core/json_util.hpp"
#include "support/command_line.hpp"
#include "vm_lab_fixture.hpp"

namespace nictune::lab::vmtest {
namespace {

namespace fs = std::filesystem;
using testing::run_command;

class VmKernels : public VmLab {
 protected:
  // One point (one channel) and the baseline, one repetition of 2 s each: the shortest run
  // that gives compare and check a configuration in common.
  std::string write_spec(const std::string& dir, const std::string& name) {
    Json spec = load_json_file(lab().template_path);
    spec["name"] = name;
    spec["space"]["parameters"] = {{"channels.combined", {1}}};
    spec["workload"]["duration_s"] = 2;
    spec["workload"]["warmup_s"] = 0;
    spec["repetitions"] = {{"count", 1}};
    std::string path = dir + "/" + name + ".json";
    std::ofstream(path) << spec.dump(2);
    return path;
  }

  testing::CommandResult run(const std::string& dir, const std::string& spec) {
    auto started = std::chrono::steady_clock::now();
    auto result = run_command(nictune_binary() + " run --agent " + agent_binary() + " --db " + dir +
                              "/nictune.db " + spec);
    std::cerr << "[vmlab] run " << fs::path(spec).stem().string() << " on " << lab().kernel_release
              << ": "
              << std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()
              << " s\n";
    return result;
  }
};

TEST_F(VmKernels, SameExperimentOnBothKernelsThenCompareAndCheck) {
  // One extra boot and three short runs (about 2 min on a loaded 2-CPU host): a CI that cannot
  // afford it says so here rather than dropping the test.
  if (const char* one = std::getenv("NICTUNE_VM_ONE_KERNEL"); one && *one)
    GTEST_SKIP() << "NICTUNE_VM_ONE_KERNEL is set: the second kernel's boot is skipped";
  auto started = std::chrono::steady_clock::now();
  const std::string dir =
      fs::path(lab().dir).parent_path().string() + "/" + lab().name + "-kernels";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string first_release = lab().kernel_release;
  const std::string other = first_release.rfind("6.12.", 0) == 0 ? "6.1" : "6.12";
  const std::string first_name = "vmk-first";
  const std::string second_name = "vmk-second";

  auto first = run(dir, write_spec(dir, first_name));
  ASSERT_EQ(first.code, 0) << first.output;

  // The same lab (name, index, addresses) on the other kernel: the spec's hosts stay right.
  LabConfig config = lab_config(shared->slot.number());
  config.log = [](const std::string& line) { std::cerr << "[vmlab] " << line << "\n"; };
  VmConfig vm;
  vm.kernel = other;
  auto up_started = std::chrono::steady_clock::now();
  try {
    vm_lab_down(config);
    shared->state = vm_lab_up(config, vm);
  } catch (const std::exception& e) {
    shared->failure = e.what();
    FAIL() << "lab up --vm --kernel " << other << ": " << e.what();
  }
  std::cerr << "[vmlab] lab up on " << lab().kernel_release << ": "
            << std::chrono::duration<double>(std::chrono::steady_clock::now() - up_started).count()
            << " s\n";
  ASSERT_NE(lab().kernel_release, first_release);
  EXPECT_EQ(guest("uname -r"), lab().kernel_release + "\n");

  auto second = run(dir, write_spec(dir, second_name));
  ASSERT_EQ(second.code, 0) << second.output;

  auto compare = run_command(nictune_binary() + " compare --db " + dir + "/nictune.db " +
                             first_name + " " + second_name);
  std::cerr << "[vmlab] compare exit " << compare.code << ":\n" << compare.output << "\n";
  EXPECT_TRUE(compare.code == 0 || compare.code == 1) << compare.output;
  EXPECT_NE(compare.output.find("kernel " + first_release), std::string::npos) << compare.output;
  EXPECT_NE(compare.output.find("kernel " + lab().kernel_release), std::string::npos)
      << compare.output;

  // The one-channel point of the first kernel's experiment, measured now on the other kernel.
  auto report = run_command(nictune_binary() + " report --db " + dir + "/nictune.db --experiment " +
                            first_name + " --format json");
  ASSERT_EQ(report.code, 0) << report.output;
  Json trials = Json::parse(report.output.substr(report.output.find('{'))).at("trials");
  long long point = -1;
  for (const auto& t : trials) {
    if (!t.at("baseline").get<bool>() && t.at("config").value("channels.combined", 0) == 1)
      point = t.at("point_id").get<long long>();
  }
  ASSERT_GT(point, 0) << trials.dump();
  auto check =
      run_command(nictune_binary() + " check --agent " + agent_binary() + " --db " + dir +
                  "/nictune.db --baseline " + first_name + " --point " + std::to_string(point));
  std::cerr << "[vmlab] check exit " << check.code << ": " << check.output << "\n";
  EXPECT_TRUE(check.code == 0 || check.code == 1) << check.output;
  EXPECT_EQ(current_combined("dut-virtio"), 2) << "check left the guest changed";
  std::cerr << "[vmlab] kernels test took "
            << std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()
            << " s\n";
  fs::remove_all(dir);
}

}  // namespace
}  // namespace nictune::lab::vmtest

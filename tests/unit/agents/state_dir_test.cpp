// The state directory follows the network namespace: two namespaces may both have an "eth0",
// and their snapshots and locks must not meet.
#include "agents/safety/state_dir.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace nictune::agent {
namespace {

namespace fs = std::filesystem;

TEST(StateDir, HostNamespaceUsesTheBase) {
  EXPECT_EQ(state_dir_for("/var/lib/nictune", {42, 42, ""}), "/var/lib/nictune");
}

TEST(StateDir, UnknownInitNamespaceUsesTheBase) {
  EXPECT_EQ(state_dir_for("/b", {42, std::nullopt, ""}), "/b");
  EXPECT_EQ(state_dir_for("/b", {0, 7, ""}), "/b");
}

TEST(StateDir, NamedNamespaceGetsItsName) {
  EXPECT_EQ(state_dir_for("/var/lib/nictune", {42, 7, "nt-lab-dut"}),
            "/var/lib/nictune/netns/nt-lab-dut");
  // Also where /proc/1/ns/net is hidden (containers): a name is never the host's namespace...
  EXPECT_EQ(state_dir_for("/b", {42, std::nullopt, "lab"}), "/b/netns/lab");
  // ...unless it is the host's namespace given a name (ip netns attach NAME 1).
  EXPECT_EQ(state_dir_for("/b", {42, 42, "default"}), "/b");
}

TEST(StateDir, AnonymousNamespaceGetsItsInode) {
  EXPECT_EQ(state_dir_for("/b", {4026532001, 4026531992, ""}), "/b/netns/inode-4026532001");
}

// A fake /proc whose self/ns/net and 1/ns/net are ordinary files: their inodes stand in for
// namespace inodes, and a hard link in the fake /run/netns names the namespace.
class FakeNetns : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("nictune-statedir-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_ / "proc/self/ns");
    fs::create_directories(root_ / "proc/1/ns");
    fs::create_directories(root_ / "run/netns");
    std::ofstream(root_ / "proc/self/ns/net") << "self";
    std::ofstream(root_ / "proc/1/ns/net") << "init";
  }
  void TearDown() override { fs::remove_all(root_); }
  std::uint64_t inode(const fs::path& p) {
    struct stat st {};
    EXPECT_EQ(::stat(p.c_str(), &st), 0);
    return st.st_ino;
  }
  fs::path root_;
};

TEST_F(FakeNetns, FindsTheNameOfItsOwnNamespace) {
  std::ofstream(root_ / "run/netns/other") << "other";
  fs::create_hard_link(root_ / "proc/self/ns/net", root_ / "run/netns/mine");
  NetnsIdentity id = read_netns_identity((root_ / "proc").string(), (root_ / "run/netns").string());
  EXPECT_EQ(id.self_inode, inode(root_ / "proc/self/ns/net"));
  ASSERT_TRUE(id.init_inode);
  EXPECT_EQ(*id.init_inode, inode(root_ / "proc/1/ns/net"));
  EXPECT_EQ(id.name, "mine");
  EXPECT_EQ(state_dir_for("/b", id), "/b/netns/mine");
}

TEST_F(FakeNetns, NoNetnsDirectoryLeavesItAnonymous) {
  NetnsIdentity id = read_netns_identity((root_ / "proc").string(), (root_ / "absent").string());
  EXPECT_EQ(id.name, "");
  EXPECT_EQ(state_dir_for("/b", id), "/b/netns/inode-" + std::to_string(id.self_inode));
}

TEST(StateDir, ThisProcessReadsItsRealNamespace) {
  NetnsIdentity id = read_netns_identity();
  EXPECT_NE(id.self_inode, 0u) << "/proc/self/ns/net has no inode";
}

}  // namespace
}  // namespace nictune::agent

#include "agents/safety/state_dir.hpp"

#include <sys/stat.h>

#include <filesystem>
#include <system_error>

namespace nictune::agent {

namespace {

std::optional<std::uint64_t> inode_of(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return static_cast<std::uint64_t>(st.st_ino);
}

}  // namespace

NetnsIdentity read_netns_identity(const std::string& procfs_root, const std::string& netns_dir) {
  NetnsIdentity id;
  id.self_inode = inode_of(procfs_root + "/self/ns/net").value_or(0);
  id.init_inode = inode_of(procfs_root + "/1/ns/net");
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(netns_dir, ec)) {
    if (id.self_inode != 0 && inode_of(entry.path().string()) == id.self_inode) {
      id.name = entry.path().filename().string();
      break;
    }
  }
  return id;
}

std::string state_dir_for(const std::string& base, const NetnsIdentity& netns) {
  if (netns.self_inode == 0) return base;
  if (netns.init_inode && *netns.init_inode == netns.self_inode) return base;
  // A namespace `ip netns` knows is never mistaken for the host's, even where /proc/1 is hidden
  // (containers, sandboxes): its name is the directory.
  if (!netns.name.empty()) return base + "/netns/" + netns.name;
  // Anonymous and the host's namespace unknown: nothing says we are elsewhere.
  if (!netns.init_inode) return base;
  return base + "/netns/inode-" + std::to_string(netns.self_inode);
}

}  // namespace nictune::agent

// Where an agent keeps its snapshots and interface locks. Interface names are only unique
// within a network namespace (every lab and container may have its own "eth0"), so an agent
// in another namespace than the host's gets a directory of its own below the base: named after
// the namespace when `ip netns` knows it (/run/netns/NAME), else after the namespace's inode.
// `nictune-agent --restore` run in the same namespace finds the same directory.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace nictune::agent {

struct NetnsIdentity {
  std::uint64_t self_inode = 0;             // /proc/self/ns/net
  std::optional<std::uint64_t> init_inode;  // /proc/1/ns/net; nullopt when unreadable
  std::string name;                         // the /run/netns entry of self_inode, "" when none
};

// Reads the identity of the calling process's network namespace from `procfs_root` and
// `netns_dir` (the real /proc and /run/netns outside tests).
NetnsIdentity read_netns_identity(const std::string& procfs_root = "/proc",
                                  const std::string& netns_dir = "/run/netns");

// base in the host's namespace, base/netns/NAME in a namespace `ip netns` names (also when
// /proc/1 cannot be read), base/netns/inode-N in another anonymous one, base when nothing
// tells the host's namespace apart.
std::string state_dir_for(const std::string& base, const NetnsIdentity& netns);

}  // namespace nictune::agent

// What every lab (namespace, forwarding, VM) and the sshd setup share: the address blocks in
// 198.18.0.0/15, and files only root may read (keys, configs, state).
#pragma once

#include <filesystem>
#include <string>

#include "core/host_spec.hpp"
#include "core/json_util.hpp"

namespace nictune::lab {

// Block 0..511 is the third octet across 198.18 and 198.19: "198.(18 +
// block/256).(block%256).host".
std::string block_address(int block, int host);

// Writes `content` to `path` (truncating) and sets `perms`; throws Error(kIo) naming the path.
void write_private_file(const std::string& path, const std::string& content,
                        std::filesystem::perms perms);

// A host as an experiment template writes it (hosts.<role>): what the lab set up for it.
Json template_host_json(const HostSpec& spec);

}  // namespace nictune::lab

#include "orchestrator/lab/lab_files.hpp"

#include <fstream>

#include "core/errors.hpp"

namespace nictune::lab {

std::string block_address(int block, int host) {
  return "198." + std::to_string(18 + block / 256) + "." + std::to_string(block % 256) + "." +
         std::to_string(host);
}

void write_private_file(const std::string& path, const std::string& content,
                        std::filesystem::perms perms) {
  std::ofstream out(path, std::ios::trunc);
  out << content;
  out.close();
  if (!out) throw Error(ErrorCode::kIo, "cannot write " + path);
  std::error_code ec;
  std::filesystem::permissions(path, perms, ec);
}

Json template_host_json(const HostSpec& spec) {
  Json out = {{"transport", spec.transport},
              {"host", spec.host},
              {"port", spec.port},
              {"user", spec.user},
              {"identity_file", spec.identity_file},
              {"known_hosts", spec.known_hosts},
              {"interface", spec.interface},
              {"address", spec.address}};
  if (!spec.agent_path.empty()) out["agent_path"] = spec.agent_path;
  return out;
}

}  // namespace nictune::lab

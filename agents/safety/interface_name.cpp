#include "agents/safety/interface_name.hpp"

#include <net/if.h>

#include "core/errors.hpp"

namespace nictune::agent {

void check_interface_name(const std::string& name) {
  if (name.empty()) throw invalid("interface: empty name");
  if (name.size() >= IFNAMSIZ) {
    throw invalid("interface \"" + name.substr(0, 32) + "\": longer than " +
                  std::to_string(IFNAMSIZ - 1) + " characters");
  }
  if (name == "." || name == "..") throw invalid("interface \"" + name + "\": not a name");
  for (char c : name) {
    auto u = static_cast<unsigned char>(c);
    if (c == '/' || c == ':' || u <= 0x20 || u == 0x7f) {
      throw invalid("interface " + json_brief(Json(name)) +
                    ": contains '/', ':', whitespace or a control character");
    }
  }
}

std::string require_interface(const KernelFiles& files, const Json& params, const char* field) {
  if (!params.contains(field))
    throw invalid(std::string("params.") + field + ": missing (the interface to work on)");
  const Json& value = params[field];
  if (!value.is_string()) {
    throw invalid(std::string("params.") + field + ": expected a string, got " +
                  json_type_name(value));
  }
  std::string name = value.get<std::string>();
  check_interface_name(name);
  if (!is_directory(files.net(name, ""))) {
    throw invalid("interface \"" + name + "\": no such interface (" + files.net(name, "") +
                  " is absent)");
  }
  return name;
}

}  // namespace nictune::agent

#include "agents/safety/management_guard.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstring>
#include <sstream>

namespace nictune::agent {

bool ManagementInterfaces::contains(const std::string& interface) const {
  return std::find(interfaces.begin(), interfaces.end(), interface) != interfaces.end();
}

Json ManagementInterfaces::to_json() const {
  return {{"interfaces", interfaces}, {"source", source}};
}

std::string interface_with_address(const std::string& address) {
  std::string text = address.substr(0, address.find('%'));
  if (text.starts_with("::ffff:") && text.find('.') != std::string::npos) text = text.substr(7);
  in_addr v4{};
  in6_addr v6{};
  bool is_v4 = inet_pton(AF_INET, text.c_str(), &v4) == 1;
  bool is_v6 = !is_v4 && inet_pton(AF_INET6, text.c_str(), &v6) == 1;
  if (!is_v4 && !is_v6) return std::string();
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return std::string();
  std::string found;
  for (ifaddrs* a = list; a; a = a->ifa_next) {
    if (!a->ifa_addr) continue;
    if (is_v4 && a->ifa_addr->sa_family == AF_INET) {
      sockaddr_in sin{};
      std::memcpy(&sin, a->ifa_addr, sizeof sin);
      if (sin.sin_addr.s_addr == v4.s_addr) found = a->ifa_name;
    } else if (is_v6 && a->ifa_addr->sa_family == AF_INET6) {
      sockaddr_in6 sin6{};
      std::memcpy(&sin6, a->ifa_addr, sizeof sin6);
      if (std::memcmp(&sin6.sin6_addr, &v6, sizeof v6) == 0) found = a->ifa_name;
    }
    if (!found.empty()) break;
  }
  freeifaddrs(list);
  return found;
}

std::vector<std::string> default_route_interfaces(const KernelFiles& files) {
  std::vector<std::string> out;
  auto add = [&](const std::string& name) {
    if (!name.empty() && name != "lo" && std::find(out.begin(), out.end(), name) == out.end())
      out.push_back(name);
  };
  std::string text;
  if (read_text(files.proc("net/route"), text) == 0) {
    std::istringstream in(text);
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::string iface, destination, gateway, flags, refcnt, use, metric, mask;
      if (fields >> iface >> destination >> gateway >> flags >> refcnt >> use >> metric >> mask &&
          destination == "00000000" && mask == "00000000") {
        add(iface);
      }
    }
  }
  if (read_text(files.proc("net/ipv6_route"), text) == 0) {
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::string destination, prefix_len, source, source_len, next_hop, metric, refcnt, use, flags,
          iface;
      if (fields >> destination >> prefix_len >> source >> source_len >> next_hop >> metric >>
              refcnt >> use >> flags >> iface &&
          destination == std::string(32, '0') && prefix_len == "00") {
        // The kernel lists unreachable default entries on lo; add() skips lo.
        add(iface);
      }
    }
  }
  return out;
}

ManagementInterfaces find_management_interfaces(const KernelFiles& files,
                                                const std::string& ssh_connection,
                                                const AddressToInterface& lookup) {
  ManagementInterfaces result;
  std::istringstream fields(ssh_connection);
  std::string client, client_port, server;
  if (fields >> client >> client_port >> server) {
    std::string iface = lookup(server);
    // A session over loopback (ssh localhost) is a test setup; nothing a knob does to lo cuts it.
    if (!iface.empty() && iface != "lo") {
      result.interfaces.push_back(iface);
      result.source = "SSH_CONNECTION " + server;
      return result;
    }
  }
  result.interfaces = default_route_interfaces(files);
  if (!result.interfaces.empty()) result.source = "default route";
  return result;
}

}  // namespace nictune::agent

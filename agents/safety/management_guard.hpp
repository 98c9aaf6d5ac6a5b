// Which interface carries the management connection, so apply can refuse (code `guarded`) to
// change it: the interface holding SSH_CONNECTION's local address, else the default-route
// interface(s) of the agent's network namespace. lo is never the management interface.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "agents/knobs/kernel_files.hpp"
#include "core/json_util.hpp"

namespace nictune::agent {

struct ManagementInterfaces {
  std::vector<std::string> interfaces;  // empty: none found (the guard then protects nothing)
  std::string source;                   // "SSH_CONNECTION 10.0.0.5", "default route", ""
  bool contains(const std::string& interface) const;
  Json to_json() const;
};

// Address (as SSH_CONNECTION writes it) -> name of the local interface holding it, "" if none.
using AddressToInterface = std::function<std::string(const std::string& address)>;

// getifaddrs(3) in the agent's network namespace; understands IPv4, IPv6 (with %zone) and
// IPv4-mapped IPv6.
std::string interface_with_address(const std::string& address);

// Interfaces of the IPv4 (/proc/net/route) and IPv6 (/proc/net/ipv6_route) default routes.
std::vector<std::string> default_route_interfaces(const KernelFiles& files);

// `ssh_connection` is the SSH_CONNECTION value the agent started with ("" when absent):
// "client_ip client_port server_ip server_port".
ManagementInterfaces find_management_interfaces(
    const KernelFiles& files, const std::string& ssh_connection,
    const AddressToInterface& lookup = interface_with_address);

}  // namespace nictune::agent

// What the spec parser, the plan and the runner need to know about each transport, without
// linking the transports themselves (libssh, Boost.Process): the host fields it needs or
// refuses, when two hosts are the same endpoint, how a host is described. Each transport's kind
// and factory are one row of transport_table.hpp, read here for the kinds only.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/host_spec.hpp"

namespace nictune {

struct TransportKind {
  std::string description;
  // Records problems with the host fields this transport needs or refuses. given(key): the spec
  // wrote the key; issue(key, message) records a problem at that key of the host object.
  std::function<void(const HostSpec& host, const std::function<bool(const std::string&)>& given,
                     const std::function<void(const std::string&, const std::string&)>& issue)>
      check_host;
  // Two hosts of this transport reach the same machine (and namespace), so a trial's DUT and LG
  // share one agent.
  std::function<bool(const HostSpec&, const HostSpec&)> same_endpoint;
  // How the host is reached, for the plan: " via root@dut:22", or "".
  std::function<std::string(const HostSpec&)> route;
};

// name -> kind; the names the spec accepts for hosts.*.transport.
const std::map<std::string, TransportKind>& transport_kinds();
std::vector<std::string> transport_names();
// The kind named by host.transport, or nullptr for an unknown name (the parser reports it).
const TransportKind* find_transport_kind(const std::string& name);

}  // namespace nictune

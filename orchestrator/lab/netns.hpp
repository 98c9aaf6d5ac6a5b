// Network namespaces and links through `ip` (argument vectors, never a shell), for the lab and
// the tests.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "core/json_util.hpp"

namespace nictune::lab {

// `ip ARGS...`; throws Error(kIo, "<what>: `ip ...` failed (exit 2): RTNETLINK answers: ...").
void ip(const std::vector<std::string>& args, const std::string& what);
// `ip -j ARGS...` parsed; an empty array when ip prints nothing.
Json ip_json(const std::vector<std::string>& args);

bool netns_exists(const std::string& name);
void netns_add(const std::string& name);
// Best effort; true when it is gone afterwards.
bool netns_delete(const std::string& name);
// `ip netns pids NAME`: every process whose network namespace is that one.
std::vector<pid_t> netns_pids(const std::string& name);

// A link by name, in `netns` ("" = ours): ip -d -j link show output for it.
std::optional<Json> link_info(const std::string& name, const std::string& netns = "");
bool link_exists(const std::string& name, const std::string& netns = "");
bool link_delete(const std::string& name, const std::string& netns = "");

// The interface in our namespace that holds IPv4 `address`, or "".
std::string interface_holding(const std::string& address, const std::string& netns = "");

// TCP connect to address:port from our namespace within `timeout_ms`.
bool tcp_port_open(const std::string& address, int port, int timeout_ms);

}  // namespace nictune::lab

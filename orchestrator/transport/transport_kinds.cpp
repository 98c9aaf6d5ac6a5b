#include "orchestrator/transport/transport_kinds.hpp"

#include <sys/stat.h>

namespace nictune {

const std::map<std::string, TransportKind>& transport_kinds() {
  static const std::map<std::string, TransportKind> kinds = {
      {"local",
       {.description = "the agent as a child process, optionally inside a network namespace",
        .check_host =
            [](const HostSpec&, const auto& given, const auto& issue) {
              for (const char* key : {"host", "identity_file", "known_hosts", "user"}) {
                if (given(key)) issue(key, "only the ssh transport uses this");
              }
            },
        .same_endpoint = [](const HostSpec& a, const HostSpec& b) { return a.netns == b.netns; },
        .route = [](const HostSpec&) { return std::string(); }}},
      {"ssh",
       {.description = "the agent on a remote host over SSH (libssh), uploaded when missing",
        .check_host =
            [](const HostSpec& host, const auto&, const auto& issue) {
              if (host.host.empty())
                issue("host", "missing: the ssh transport needs the host to connect to");
              if (!host.netns.empty())
                issue("netns", "only the local transport runs the agent in a namespace");
              struct stat st {};
              if (!host.identity_file.empty() && ::stat(host.identity_file.c_str(), &st) != 0) {
                issue("identity_file", "no such file \"" + host.identity_file + "\"");
              }
            },
        .same_endpoint =
            [](const HostSpec& a, const HostSpec& b) {
              return a.host == b.host && a.port == b.port && a.user == b.user;
            },
        .route =
            [](const HostSpec& h) {
              return " via " + h.user + "@" + h.host + ":" + std::to_string(h.port);
            }}},
  };
  return kinds;
}

std::vector<std::string> transport_names() {
  std::vector<std::string> names;
  for (const auto& [name, kind] : transport_kinds()) names.push_back(name);
  return names;
}

const TransportKind* find_transport_kind(const std::string& name) {
  auto it = transport_kinds().find(name);
  return it == transport_kinds().end() ? nullptr : &it->second;
}

}  // namespace nictune

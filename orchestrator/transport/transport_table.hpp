// Every transport, one row each: its name, the class that implements it (its factory) and what
// the spec parser, the plan and the runner need to know about it (TransportKind). The table is
// read twice: by transport_kinds.cpp in the light library the spec parser links (only the kinds;
// the classes stay incomplete there, so no libssh or Boost.Process), and by transport_registry.cpp
// (the factories, `std::make_unique<Class>(host, options)`).
#pragma once

#include <sys/stat.h>

#include <string>

#include "core/host_spec.hpp"
#include "orchestrator/transport/transport_kinds.hpp"

namespace nictune {

class LocalTransport;
class SshTransport;

// Calls visit.row<Class>(name, kind) once per transport.
template <class Visitor>
void visit_transports(Visitor& visit) {
  visit.template row<LocalTransport>(
      "local",
      TransportKind{
          .description = "the agent as a child process, optionally inside a network namespace",
          .check_host =
              [](const HostSpec&, const auto& given, const auto& issue) {
                for (const char* key : {"host", "identity_file", "known_hosts", "user"}) {
                  if (given(key)) issue(key, "only the ssh transport uses this");
                }
              },
          .same_endpoint = [](const HostSpec& a, const HostSpec& b) { return a.netns == b.netns; },
          .route = [](const HostSpec&) { return std::string(); }});
  visit.template row<SshTransport>(
      "ssh",
      TransportKind{
          .description = "the agent on a remote host over SSH (libssh), uploaded when missing",
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
              }});
}

}  // namespace nictune

// The name -> factory map of transports (transport_table.hpp's rows) and what every transport
// needs besides the host's spec.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/host_spec.hpp"
#include "orchestrator/transport/transport.hpp"

namespace nictune {

struct TransportOptions {
  // The agent executable on this machine: what `local` runs (unless the host spec names an
  // agent_path) and what `ssh` uploads when the remote has none of this version. Use the static
  // release build (find_local_agent_binary()).
  std::string agent_binary;
  // Extra agent arguments (--sysfs-root DIR, --state-dir DIR, ...), passed through verbatim.
  std::vector<std::string> agent_args;

  // close(): how long the agent may take to restore and exit after end of input, before
  // SIGTERM, then SIGKILL.
  std::chrono::milliseconds close_grace{std::chrono::seconds(15)};

  // ssh: where uploaded agents are cached on the remote, relative to the remote user's home
  // unless absolute.
  std::string remote_cache_dir = ".cache/nictune";
  // ssh: bound on each helper command (agent --version, upload).
  std::chrono::milliseconds command_timeout{std::chrono::seconds(60)};
  // ssh: a keep-alive request after this much silence; the connection counts as lost when
  // the peer acknowledges nothing for three intervals.
  std::chrono::milliseconds keepalive_interval{std::chrono::seconds(10)};
  // ssh: add an *unknown* host key to known_hosts after printing its fingerprint (OpenSSH's
  // StrictHostKeyChecking=accept-new). A *changed* key is always refused. Off by default.
  bool accept_new_host_keys = false;

  // Notices for the user ("uploading agent to ..."); nothing when empty.
  std::function<void(const std::string&)> log;
};

using TransportFactory =
    std::function<std::unique_ptr<Transport>(const HostSpec&, const TransportOptions&)>;

// name -> factory, made from transport_table.hpp's rows (the one place a transport is
// registered, with its kind).
const std::map<std::string, TransportFactory>& transport_factories();

// Builds and starts (connects) the transport named by spec.transport. Throws Error(kInvalid)
// for an unknown name, TransportError when the host cannot be reached.
std::unique_ptr<Transport> make_transport(const HostSpec& spec, const TransportOptions& options);

// The nictune-agent to run locally or upload: $NICTUNE_AGENT, else next to the running
// executable (same directory, ../agents/ in a build tree, ../libexec/nictune/), else "".
std::string find_local_agent_binary();

}  // namespace nictune

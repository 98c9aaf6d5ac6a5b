// How to reach one host and which interface to tune there, as the experiment spec says it.
#pragma once

#include <string>

namespace nictune {

struct HostSpec {
  std::string role;       // "dut" or "lg"
  std::string bench;      // bench name, "" when the spec has one pair
  std::string transport;  // "local" or "ssh"
  std::string interface;  // the data interface to tune / send through ("lo", "eth1")
  std::string address;    // the data-plane address load is sent to (DUT) or from (LG)

  // local transport: run the agent as a child, optionally inside a network namespace
  std::string netns;

  // ssh transport
  std::string host;  // management address or name to connect to
  int port = 22;
  std::string user = "root";
  std::string identity_file;  // empty: ssh-agent
  std::string known_hosts;    // empty: ~/.ssh/known_hosts
  bool sudo = false;          // run the agent with `sudo -n`
  int connect_timeout_s = 10;

  // where the agent binary is (remote path for ssh; empty: next to nictune, or uploaded)
  std::string agent_path;
  bool allow_management_interface = false;  // let the agent touch the management interface
};

}  // namespace nictune

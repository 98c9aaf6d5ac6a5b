// A namespace lab: a DUT and an LG in their own network namespaces, joined by a veth data link
// with N queues, each reachable from the root namespace over its own management veth where an
// OpenSSH sshd listens. Everything the lab makes is named after the lab, recorded in its state
// file, and removed by lab_down.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

#include "core/host_spec.hpp"
#include "core/json_util.hpp"

namespace nictune::lab {

struct LabConfig {
  std::string name = "default";  // [a-z0-9-], at most 9 characters (interface names are short)
  std::string dir;               // state, keys, sshd files; "" = /var/lib/nictune/lab/<name>
  int queues = 4;                // tx and rx queues of the data veth
  // Address block: data link 198.18.(2k).0/24, management 198.18.(2k+1).0/30 pairs; 0..127.
  int index = 0;
  // Where the experiment template goes; "" = experiments/lab-<name>.json when ./experiments
  // exists, else <dir>/experiment.json.
  std::string template_path;
  std::string sshd_path = "/usr/sbin/sshd";
  // The agent the template's hosts run: the lab's namespaces share this machine's filesystem,
  // so a local path works there and nothing is uploaded. "" leaves agent_path out (the SSH
  // transport then uploads the agent to ~/.cache/nictune).
  std::string agent_path;
  std::function<void(const std::string&)> log;  // progress lines; nothing when empty
  // A second data link and routing through the DUT (orchestrator/lab/forwarding.hpp).
  bool forwarding = false;

  // Throws Error(kInvalid) naming the bad field.
  void validate() const;
  std::string resolved_dir() const;
};

struct LabHost {
  std::string role;            // "dut" or "lg"
  std::string netns;           // "nt-<name>-dut"
  std::string data_interface;  // "nt-dut0", inside netns
  std::string data_address;    // "198.18.0.1"
  std::string mgmt_interface;  // "nt-mgmt0", inside netns
  std::string mgmt_address;    // "198.18.1.2": sshd listens here
  std::string root_interface;  // "ntm-<name>-d", in the root namespace
  std::string root_address;    // "198.18.1.1"
  std::string sshd_dir;        // <dir>/<role>
  pid_t sshd_pid = 0;

  Json to_json() const;
  static LabHost from_json(const Json& json);
};

struct LabState {
  std::string name;
  std::string dir;
  int queues = 0;
  int index = 0;
  std::string identity_file;  // <dir>/id_ed25519 (root on both hosts)
  std::string known_hosts;    // <dir>/known_hosts
  std::string template_path;
  std::string agent_path;
  std::vector<LabHost> hosts;  // dut, lg
  Json forwarding;             // ForwardingPlan::to_json() with --forwarding, else null

  // The host as an experiment spec's hosts.<role> says it (ssh to its management address).
  HostSpec host_spec(const std::string& role) const;
  Json to_json() const;
  static LabState from_json(const Json& json);
};

// What lab_up would create for this config (names and addresses), without touching anything.
LabState plan_lab(const LabConfig& config);

// The experiment template for a lab: hosts pointing at it, a small default search.
Json experiment_template(const LabState& state);

// Builds the lab. An existing healthy lab with the same queues and index is kept as it is;
// anything else under this name (a half-made lab, other settings) is removed first. Needs root.
// On failure, removes what it made and throws Error.
LabState lab_up(const LabConfig& config);

// Removes everything the lab made: sshd and any process left in its namespaces (by PID), the
// namespaces (and with them the veths), root-side links, its files and the template. Works
// from the state file when there is one, from the names otherwise. Returns what it removed.
std::vector<std::string> lab_down(const LabConfig& config);

struct LabHostStatus {
  std::string role;
  bool netns = false;
  bool data_link_up = false;
  int data_queues = 0;
  bool mgmt_link_up = false;
  bool sshd_running = false;
  bool ssh_port_open = false;
  pid_t sshd_pid = 0;
};

struct LabStatus {
  std::string name;
  std::string dir;
  bool state_file = false;
  bool exists = false;   // anything of it is there
  bool healthy = false;  // everything is there and sshd answers on both hosts
  std::vector<std::string> problems;
  std::vector<LabHostStatus> hosts;
  LabState state;  // recorded state, or the plan when there is no state file

  Json to_json() const;
  std::string render() const;
};

LabStatus lab_status(const LabConfig& config);

}  // namespace nictune::lab

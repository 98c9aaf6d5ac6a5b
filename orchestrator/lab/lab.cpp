#include "orchestrator/lab/lab.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/errors.hpp"
#include "orchestrator/lab/forwarding.hpp"
#include "orchestrator/lab/lab_files.hpp"
#include "orchestrator/lab/netns.hpp"
#include "orchestrator/lab/sshd.hpp"
#include "orchestrator/transport/subprocess.hpp"

namespace nictune::lab {
namespace {

namespace fs = std::filesystem;

constexpr const char* kStateFile = "state.json";

void say(const LabConfig& config, const std::string& line) {
  if (config.log) config.log(line);
}

std::optional<LabState> read_state(const std::string& dir) {
  std::string path = dir + "/" + kStateFile;
  if (!fs::exists(path)) return std::nullopt;
  try {
    return LabState::from_json(load_json_file(path));
  } catch (const std::exception&) {
    return std::nullopt;  // a damaged state file: clean up by names
  }
}

}  // namespace

LabStatus lab_status(const LabConfig& config) {
  LabStatus status;
  LabState plan = plan_lab(config);
  auto recorded = read_state(plan.dir);
  status.state_file = recorded.has_value();
  status.state = recorded ? *recorded : plan;
  status.name = status.state.name;
  status.dir = status.state.dir;
  bool all = status.state_file;
  if (!status.state_file)
    status.problems.push_back("no state file " + status.dir + "/" + kStateFile);
  for (const auto& host : status.state.hosts) {
    LabHostStatus h;
    h.role = host.role;
    h.sshd_pid = host.sshd_pid;
    h.netns = netns_exists(host.netns);
    if (h.netns) {
      if (auto info = link_info(host.data_interface, host.netns)) {
        auto flags = info->value("flags", Json::array());
        h.data_link_up = std::find(flags.begin(), flags.end(), "UP") != flags.end();
        h.data_queues = info->value("num_tx_queues", 0);
      }
      if (auto info = link_info(host.mgmt_interface, host.netns)) {
        auto flags = info->value("flags", Json::array());
        h.mgmt_link_up = std::find(flags.begin(), flags.end(), "UP") != flags.end();
      }
    }
    h.sshd_running = host.sshd_pid > 0 && subprocess::alive(host.sshd_pid) &&
                     subprocess::cmdline(host.sshd_pid).find(host.sshd_dir + "/sshd_config") !=
                         std::string::npos;
    h.ssh_port_open = h.netns && tcp_port_open(host.mgmt_address, 22, 500);
    bool root_link = link_exists(host.root_interface);
    status.exists = status.exists || h.netns || root_link;
    if (!h.netns)
      status.problems.push_back(host.role + ": network namespace " + host.netns + " is missing");
    if (h.netns && !h.data_link_up)
      status.problems.push_back(host.role + ": data link " + host.data_interface + " is not up");
    if (h.netns && !h.mgmt_link_up)
      status.problems.push_back(host.role + ": management link " + host.mgmt_interface +
                                " is not up");
    if (!h.sshd_running) status.problems.push_back(host.role + ": sshd is not running");
    if (h.sshd_running && !h.ssh_port_open)
      status.problems.push_back(host.role + ": sshd does not answer on " + host.mgmt_address +
                                ":22");
    all = all && h.netns && h.data_link_up && h.mgmt_link_up && h.sshd_running && h.ssh_port_open;
    status.hosts.push_back(h);
  }
  status.exists = status.exists || status.state_file;
  status.healthy = all;
  return status;
}

std::vector<std::string> lab_down(const LabConfig& config) {
  std::vector<std::string> removed;
  LabState plan = plan_lab(config);
  auto recorded = read_state(plan.dir);
  LabState state = recorded ? *recorded : plan;
  for (const auto& host : state.hosts) {
    if (host.sshd_pid > 0 && subprocess::alive(host.sshd_pid) &&
        subprocess::cmdline(host.sshd_pid).find(host.sshd_dir + "/sshd_config") !=
            std::string::npos) {
      stop_sshd(host.sshd_pid, host.sshd_dir + "/sshd_config");
      removed.push_back("sshd pid " + std::to_string(host.sshd_pid) + " (" + host.role + ")");
    }
    // Whatever still runs in the namespace (agents, load generators, an sshd we lost track
    // of) would keep it alive after `ip netns del`.
    for (int round = 0; round < 3; ++round) {
      auto pids = netns_pids(host.netns);
      if (pids.empty()) break;
      for (pid_t pid : pids) {
        if (pid == getpid()) continue;
        std::string what = subprocess::cmdline(pid);
        if (subprocess::stop(pid, std::chrono::seconds(3), std::chrono::seconds(2))) {
          removed.push_back("process " + std::to_string(pid) + " in " + host.netns + " (" +
                            what.substr(0, 60) + ")");
        }
      }
    }
    if (netns_exists(host.netns)) {
      if (!netns_delete(host.netns))
        throw Error(ErrorCode::kIo, "cannot delete network namespace " + host.netns);
      removed.push_back("network namespace " + host.netns + " (and " + host.data_interface + ", " +
                        host.mgmt_interface + ")");
    }
    if (link_exists(host.root_interface)) {
      if (!link_delete(host.root_interface))
        throw Error(ErrorCode::kIo, "cannot delete link " + host.root_interface);
      removed.push_back("link " + host.root_interface);
    }
  }
  std::error_code ec;
  std::vector<std::string> files = {state.identity_file, state.identity_file + ".pub",
                                    state.known_hosts, state.dir + "/" + kStateFile};
  if (!state.template_path.empty() && recorded) files.push_back(state.template_path);
  for (const auto& host : state.hosts) {
    for (const char* leaf : {"sshd_config", "ssh_host_ed25519_key", "ssh_host_ed25519_key.pub",
                             "authorized_keys", "sshd.log"}) {
      files.push_back(host.sshd_dir + "/" + leaf);
    }
  }
  int removed_files = 0;
  for (const auto& file : files) {
    if (fs::remove(file, ec)) ++removed_files;
  }
  if (removed_files > 0) removed.push_back(std::to_string(removed_files) + " files");
  for (const auto& host : state.hosts) fs::remove(host.sshd_dir, ec);  // only when empty
  if (fs::remove(state.dir, ec)) removed.push_back("directory " + state.dir);
  for (const auto& line : removed) say(config, "removed " + line);
  return removed;
}

LabState lab_up(const LabConfig& config) {
  LabState state = plan_lab(config);
  if (geteuid() != 0) {
    throw Error(ErrorCode::kUnsupported,
                "lab up needs root (it creates network namespaces and runs sshd)");
  }
  for (const char* tool : {"ip", "ssh-keygen"}) {
    if (subprocess::find_program(tool).empty()) {
      throw Error(ErrorCode::kUnsupported,
                  std::string("`") + tool + "` is missing (install iproute2 and openssh-client)");
    }
  }
  if (::access(config.sshd_path.c_str(), X_OK) != 0) {
    throw Error(ErrorCode::kUnsupported, config.sshd_path + " is missing: install openssh-server");
  }
  auto status = lab_status(config);
  if (status.healthy && status.state.queues == config.queues &&
      status.state.forwarding.is_null() == !config.forwarding &&
      status.state.index == config.index && fs::exists(status.state.template_path)) {
    say(config, "lab \"" + config.name + "\" is already up");
    return status.state;
  }
  if (status.exists) {
    say(config, "cleaning up what is left of lab \"" + config.name + "\"");
    lab_down(config);
  }
  for (const auto& host : state.hosts) {
    std::string holder = interface_holding(host.root_address);
    if (!holder.empty()) {
      throw Error(ErrorCode::kBusy, host.root_address + " is already in use on " + holder +
                                        " (another lab? pick another address block with --index)");
    }
    if (link_exists(host.root_interface)) {
      throw Error(ErrorCode::kBusy, "link " + host.root_interface + " already exists");
    }
  }
  std::string insecure = world_writable_parent(fs::path(state.dir).parent_path().string());
  if (!insecure.empty()) {
    throw invalid("--dir " + state.dir + ": " + insecure +
                  " is writable by others, and sshd refuses keys kept below such a directory; "
                  "choose a directory "
                  "under a root-owned path (the default is /var/lib/nictune/lab/<name>)");
  }

  try {
    std::error_code ec;
    fs::create_directories(state.dir, ec);
    if (ec) throw Error(ErrorCode::kIo, "cannot create " + state.dir + ": " + ec.message());
    fs::permissions(state.dir, fs::perms::owner_all, ec);
    say(config, "generating keys in " + state.dir);
    generate_ed25519_key(state.identity_file, "nictune-lab-" + config.name);

    const std::string queues = std::to_string(config.queues);
    const LabHost& dut = state.hosts[0];
    const LabHost& lg = state.hosts[1];
    say(config, "creating namespaces " + dut.netns + " and " + lg.netns);
    netns_add(dut.netns);
    netns_add(lg.netns);
    say(config, "data link " + dut.data_interface + " <-> " + lg.data_interface + " (" + queues +
                    " queues)");
    ip({"link",
        "add",
        dut.data_interface,
        "netns",
        dut.netns,
        "numtxqueues",
        queues,
        "numrxqueues",
        queues,
        "type",
        "veth",
        "peer",
        "name",
        lg.data_interface,
        "netns",
        lg.netns,
        "numtxqueues",
        queues,
        "numrxqueues",
        queues},
       "create the data link");
    for (const auto& host : state.hosts) {
      ip({"-n", host.netns, "addr", "add", host.data_address + "/24", "dev", host.data_interface},
         "address the data link");
      ip({"-n", host.netns, "link", "set", host.data_interface, "up"}, "bring up the data link");
      say(config, host.role + " management link " + host.root_interface + " " + host.root_address +
                      " <-> " + host.mgmt_interface + " " + host.mgmt_address);
      ip({"link", "add", host.root_interface, "type", "veth", "peer", "name", host.mgmt_interface,
          "netns", host.netns},
         "create the management link");
      ip({"addr", "add", host.root_address + "/30", "dev", host.root_interface},
         "address the management link");
      ip({"link", "set", host.root_interface, "up"}, "bring up the management link");
      ip({"-n", host.netns, "addr", "add", host.mgmt_address + "/30", "dev", host.mgmt_interface},
         "address the management link");
      ip({"-n", host.netns, "link", "set", host.mgmt_interface, "up"},
         "bring up the management link");
    }
    if (config.forwarding) {
      const ForwardingPlan plan = plan_forwarding(state);
      say(config, "forwarding: " + plan.lg_egress + " -> DUT " + plan.dut_ingress + " / " +
                      plan.dut_egress + " -> " + plan.lg_sink + " (sink " + plan.sink_address +
                      ", routed " + plan.destination_prefix + ")");
      add_forwarding(state, plan, config.queues);
      state.forwarding = plan.to_json();
    }
    std::string known_hosts;
    for (auto& host : state.hosts) {
      SshdSetup setup;
      setup.dir = host.sshd_dir;
      setup.netns = host.netns;
      setup.listen_address = host.mgmt_address;
      setup.authorized_public_keys = {state.identity_file + ".pub"};
      setup.sshd_path = config.sshd_path;
      prepare_sshd(setup);
      host.sshd_pid = start_sshd(setup);
      say(config, host.role + " sshd pid " + std::to_string(host.sshd_pid) + " on " +
                      host.mgmt_address + ":22");
      known_hosts += known_hosts_line(host.mgmt_address, 22, setup.host_key_path() + ".pub");
      // Record as we go: a crash from here on leaves PIDs lab_down can find.
      write_private_file(state.dir + "/" + kStateFile, state.to_json().dump(2) + "\n",
                         fs::perms::owner_read | fs::perms::owner_write);
    }
    write_private_file(state.known_hosts, known_hosts,
                       fs::perms::owner_read | fs::perms::owner_write);
    fs::create_directories(fs::path(state.template_path).parent_path(), ec);
    write_private_file(state.template_path, experiment_template(state).dump(2) + "\n",
                       fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                           fs::perms::others_read);
    say(config, "experiment template " + state.template_path);
    return state;
  } catch (...) {
    try {
      LabConfig quiet = config;
      quiet.log = nullptr;
      // The state file may not be written yet: lab_down falls back to the names, and the
      // template path is only removed when recorded.
      lab_down(quiet);
    } catch (...) {
      // Report the original failure.
    }
    throw;
  }
}

}  // namespace nictune::lab

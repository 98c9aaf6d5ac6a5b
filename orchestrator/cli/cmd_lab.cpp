// `nictune lab up|down|status`: a DUT and an LG in network namespaces, reachable over SSH.
#include <iostream>

#include "core/errors.hpp"
#include "orchestrator/cli/cmd_lab_vm.hpp"
#include "orchestrator/cli/command_table.hpp"
#include "orchestrator/cli/commands.hpp"
#include "orchestrator/lab/lab.hpp"
#include "orchestrator/lab/vm_forwarding.hpp"
#include "orchestrator/lab/vm_lab.hpp"
#include "orchestrator/transport/agent_client.hpp"
#include "orchestrator/transport/transport_registry.hpp"

namespace nictune::cli {
namespace {

constexpr const char* kLabHelp =
    R"(usage: nictune lab up [--queues N] [--name NAME] [--dir DIR] [--index K] [--template PATH]
                     [--forwarding]
       nictune lab up --vm [--kernel 6.1|6.12|PACKAGE|FILE.deb] [--nics virtio,e1000e,vmxnet3]
                      [--accel auto|kvm|tcg] [--boot-timeout S] [--cache DIR] [--qemu PATH]
                      [--udev] [--forwarding]
                      [--name NAME] [--dir DIR] [--index K] [--template PATH]
       nictune lab down [--name NAME] [--dir DIR]
       nictune lab status [--name NAME] [--dir DIR] [--ssh] [--json]

A lab lets you try nictune without hardware: two network namespaces, a DUT and an LG, joined by
a veth data link with N queues (DUT 198.18.0.1/24, LG 198.18.0.2/24), each reachable from this
namespace over its own management veth (root 198.18.1.1 <-> dut 198.18.1.2, root 198.18.1.5 <->
lg 198.18.1.6) where an OpenSSH sshd listens with keys generated for the lab. It writes
known_hosts and an experiment template that points at it. Needs root.

  up       build the lab (an existing healthy lab is kept; a half-made one is removed first)
  down     remove everything the lab made: sshd and other processes in its namespaces (by PID),
           the namespaces and veths, its files and the template
  status   what exists and whether sshd answers; exit 0 when the lab is healthy, 1 otherwise

options:
  --name NAME      lab name, 1-9 characters of a-z 0-9 - (default "default")
  --dir DIR        state, keys and sshd files (default /var/lib/nictune/lab/NAME)
  --queues N       tx/rx queues of the data veth (default 4)
  --index K        address block 0-127: data 198.18.(2K).0/24, management 198.18.(2K+1).0/24
                   (default 0; give each lab that runs at the same time its own)
  --template PATH  where the experiment template goes (default experiments/lab-NAME.json when
                   ./experiments exists, else DIR/experiment.json)
  --forwarding     up: a second data link DUT nt-dut1 198.18.(2K+1).129 <-> LG nt-lg1 .130;
                   the DUT forwards 198.18.(2K+1).192/26 out of it to the LG's sink
                   (198.18.(2K+1).193); 198.18.(2K).128/25 is local on the LG as flow sources
  --ssh            status: also connect over SSH and say hello to each agent

VM lab (`lab up --vm`; `lab down` and `lab status` find it by its state file): the DUT is a QEMU
guest running a real Debian kernel with real NIC drivers, the LG a namespace (docs/lab.md).
  --kernel K       6.1 or 6.12 (the newest of that series apt offers), an exact package
                   linux-image-...-amd64-unsigned, or the path of a kernel .deb (default 6.1)
  --nics LIST      data NICs, comma-separated: virtio (4 queues, RSS table), e1000e (coalescing,
                   pause, rings), vmxnet3 (RSS table) (default all three; the first is the
                   template's)
  --accel A        auto (KVM where a bounded probe boot works, else TCG), kvm, tcg (default auto)
  --boot-timeout S seconds for the guest's sshd to answer (default 240)
  --cache DIR      kernels, packages and initramfs (default $NICTUNE_VM_CACHE or
                   /var/cache/nictune/vm); a second `lab up` downloads nothing
  --qemu PATH      the QEMU binary (default qemu-system-x86_64)
  --udev           put Debian's udev in the guest (not started at boot; `systemd-udevd --daemon`
                   in the guest starts it), to apply an exported .link file for real
  --forwarding     with --vm: the guest routes from its first data NIC (ingress) out of its
                   second (egress) to the LG's sink 198.18.(2K+1).193 (routed
                   198.18.(2K+1).192/26); needs two NICs in --nics
  --json           status: print JSON
)";

struct LabArgs {
  std::string action;
  lab::LabConfig config;
  bool json = false;
  bool ssh = false;
  bool vm = false;
  lab::VmConfig vm_config;
  bool vm_option = false;  // a VM-only option was given
};

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    if (comma > start) out.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

int parse_int(const std::string& option, const std::string& text) {
  try {
    std::size_t used = 0;
    int value = std::stoi(text, &used);
    if (used == text.size()) return value;
  } catch (const std::exception&) {
  }
  throw invalid(option + " \"" + text + "\": expected an integer");
}

LabArgs parse(const std::vector<std::string>& args) {
  LabArgs out;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= args.size()) throw invalid(arg + " needs a value (`nictune lab --help`)");
      return args[++i];
    };
    if (arg == "--name") {
      out.config.name = value();
    } else if (arg == "--dir") {
      out.config.dir = value();
    } else if (arg == "--queues") {
      out.config.queues = parse_int(arg, value());
    } else if (arg == "--index") {
      out.config.index = parse_int(arg, value());
    } else if (arg == "--template") {
      out.config.template_path = value();
    } else if (arg == "--forwarding") {
      out.config.forwarding = true;
    } else if (arg == "--vm") {
      out.vm = true;
    } else if (arg == "--kernel") {
      out.vm_config.kernel = value();
      out.vm_option = true;
    } else if (arg == "--nics") {
      out.vm_config.nics = split_list(value());
      out.vm_option = true;
    } else if (arg == "--accel") {
      out.vm_config.accel = lab::accel_from_string(value());
      out.vm_option = true;
    } else if (arg == "--boot-timeout") {
      out.vm_config.boot_timeout_s = parse_int(arg, value());
      out.vm_option = true;
    } else if (arg == "--cache") {
      out.vm_config.cache_dir = value();
      out.vm_option = true;
    } else if (arg == "--qemu") {
      out.vm_config.qemu = value();
      out.vm_option = true;
    } else if (arg == "--udev") {
      out.vm_config.udev = true;
      out.vm_option = true;
    } else if (arg == "--json") {
      out.json = true;
    } else if (arg == "--ssh") {
      out.ssh = true;
    } else if (!arg.empty() && arg[0] == '-') {
      throw invalid("lab: unknown option \"" + arg + "\" (`nictune lab --help` lists them)");
    } else if (out.action.empty()) {
      out.action = arg;
    } else {
      throw invalid("lab: unexpected argument \"" + arg + "\"");
    }
  }
  if (out.action != "up" && out.action != "down" && out.action != "status") {
    throw invalid(out.action.empty()
                      ? "lab: expected up, down or status (`nictune lab --help`)"
                      : "lab: unknown action \"" + out.action + "\"; expected up, down or status");
  }
  bool up = out.action == "up";
  if (!up &&
      (out.config.queues != 4 || !out.config.template_path.empty() || out.config.forwarding)) {
    throw invalid("lab " + out.action +
                  ": --queues, --template and --forwarding belong to `lab up`");
  }
  if (out.action != "status" && (out.json || out.ssh)) {
    throw invalid("lab " + out.action + ": --json and --ssh belong to `lab status`");
  }
  if (out.vm_option && !(up && out.vm)) {
    throw invalid("lab " + out.action +
                  ": --kernel, --nics, --accel, --boot-timeout, --cache, --qemu and --udev "
                  "belong to `lab up --vm`");
  }
  if (out.vm && out.config.queues != 4) {
    throw invalid("lab up --vm: --queues is the namespace lab's (the VM lab's virtio NIC has 4)");
  }
  if (out.vm && out.config.forwarding) lab::check_vm_forwarding_nics(out.vm_config.nics);
  out.config.validate();
  if (out.vm) out.vm_config.validate();
  return out;
}

int run_up(LabArgs& args) {
  args.config.log = [](const std::string& line) { std::cerr << "lab: " << line << "\n"; };
  args.config.agent_path = find_local_agent_binary();
  lab::LabState state = lab::lab_up(args.config);
  const auto& dut = state.hosts[0];
  const auto& lg = state.hosts[1];
  std::cout << "lab \"" << state.name << "\" is up (" << state.queues << " queues)\n";
  for (const auto& host : {dut, lg}) {
    std::cout << "  " << host.role << (host.role.size() < 3 ? " " : "") << "  netns " << host.netns
              << "  data " << host.data_interface << " " << host.data_address << "/24  ssh root@"
              << host.mgmt_address << " (sshd pid " << host.sshd_pid << ")\n";
  }
  std::cout << "  keys and known_hosts in " << state.dir << "\n"
            << "  experiment template: " << state.template_path << "\n"
            << "next: nictune run " << state.template_path << "   (and `nictune lab down"
            << (state.name == "default" ? std::string() : " --name " + state.name)
            << "` when done)\n";
  return kExitOk;
}

int run_down(LabArgs& args) {
  auto removed = lab::lab_down(args.config);
  if (removed.empty()) {
    std::cout << "lab \"" << args.config.name << "\": nothing to remove\n";
  } else {
    std::cout << "lab \"" << args.config.name << "\" removed:\n";
    for (const auto& line : removed) std::cout << "  " << line << "\n";
  }
  return kExitOk;
}

int run_status(LabArgs& args) {
  auto status = lab::lab_status(args.config);
  Json agents = Json::object();
  bool agents_ok = true;
  if (args.ssh && status.exists) {
    TransportOptions options;
    options.agent_binary = find_local_agent_binary();
    options.log = [](const std::string& line) { std::cerr << line << "\n"; };
    std::vector<HostSpec> hosts;
    for (const auto& host : status.state.hosts) {
      HostSpec spec = status.state.host_spec(host.role);
      // The namespaces see this machine's files: run the local agent there, upload nothing.
      if (spec.agent_path.empty()) spec.agent_path = options.agent_binary;
      hosts.push_back(spec);
    }
    agents = lab_agents(hosts, options, agents_ok);
  }
  print_lab_status(status.to_json(), status.render(), agents, args.json, args.ssh);
  return status.healthy && agents_ok ? kExitOk : kExitFailed;
}

}  // namespace

Json lab_agents(const std::vector<HostSpec>& hosts, const TransportOptions& options, bool& all_ok) {
  Json agents = Json::object();
  for (const auto& spec : hosts) {
    try {
      auto client = AgentClient::connect(spec, options);
      const Json& facts = client->facts();
      agents[spec.role] = {{"ok", true}, {"describe", client->label()}, {"facts", facts}};
      client->close();
    } catch (const Error& e) {
      all_ok = false;
      agents[spec.role] = {{"ok", false}, {"error", e.what()}};
    }
  }
  return agents;
}

void print_lab_status(Json status_json, const std::string& status_text, const Json& agents,
                      bool json, bool with_agents) {
  if (json) {
    if (with_agents) status_json["agents"] = agents;
    std::cout << status_json.dump(2) << "\n";
    return;
  }
  std::cout << status_text;
  for (const auto& [role, agent] : agents.items()) {
    if (agent.value("ok", false)) {
      const Json& facts = agent["facts"];
      std::cout << "  " << role << " agent: " << facts.value("agent", "?") << " "
                << facts.value("version", "?") << " on " << facts.value("hostname", "?")
                << ", kernel " << facts.value("kernel", "?") << "\n";
    } else {
      std::cout << "  " << role << " agent: " << agent.value("error", "?") << "\n";
    }
  }
}

Command lab_command() {
  return Command{"lab",
                 "a DUT and an LG in network namespaces with sshd, to try nictune without hardware",
                 kLabHelp, [](const std::vector<std::string>& raw) {
                   LabArgs args = parse(raw);
                   // down and status find a VM lab by its state file.
                   bool vm = args.vm || (args.action != "up" && lab::is_vm_lab(args.config));
                   if (vm) {
                     if (args.action == "up") return run_vm_up(args.config, args.vm_config);
                     if (args.action == "down") return run_vm_down(args.config);
                     return run_vm_status(args.config, args.json, args.ssh);
                   }
                   if (args.action == "up") return run_up(args);
                   if (args.action == "down") return run_down(args);
                   return run_status(args);
                 }};
}

}  // namespace nictune::cli

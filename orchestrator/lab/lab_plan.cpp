// The namespace lab's plan: the config's checks, the names and addresses lab_up would create
// (nothing touched), and the experiment template that points at them.
#include <filesystem>

#include "core/errors.hpp"
#include "orchestrator/lab/forwarding.hpp"
#include "orchestrator/lab/lab.hpp"
#include "orchestrator/lab/lab_files.hpp"

namespace nictune::lab {
namespace {

namespace fs = std::filesystem;

std::vector<int> channel_counts(int queues) {
  std::vector<int> counts;
  for (int n = 1; n <= queues && counts.size() < 3; n *= 2) counts.push_back(n);
  if (counts.back() != queues && counts.size() < 3) counts.push_back(queues);
  return counts;
}

}  // namespace

void LabConfig::validate() const {
  if (name.empty() || name.size() > 9 ||
      name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string::npos ||
      name.front() == '-') {
    throw invalid("lab name \"" + name +
                  "\": expected 1 to 9 characters of a-z, 0-9 and '-' (it is part of interface "
                  "names, which are "
                  "at most 15 characters)");
  }
  if (queues < 1 || queues > 64) {
    throw invalid("--queues " + std::to_string(queues) + ": expected 1 to 64");
  }
  if (index < 0 || index > 127) {
    throw invalid("--index " + std::to_string(index) +
                  ": expected 0 to 127 (address blocks in 198.18.0.0/16)");
  }
}

std::string LabConfig::resolved_dir() const {
  return dir.empty() ? "/var/lib/nictune/lab/" + name : dir;
}

LabState plan_lab(const LabConfig& config) {
  config.validate();
  LabState state;
  state.name = config.name;
  state.dir = fs::absolute(config.resolved_dir()).lexically_normal().string();
  while (state.dir.size() > 1 && state.dir.back() == '/') state.dir.pop_back();
  state.queues = config.queues;
  state.index = config.index;
  state.agent_path = config.agent_path;
  state.identity_file = state.dir + "/id_ed25519";
  state.known_hosts = state.dir + "/known_hosts";
  if (!config.template_path.empty()) {
    state.template_path = fs::absolute(config.template_path).lexically_normal().string();
  } else if (fs::is_directory("experiments")) {
    state.template_path =
        fs::absolute("experiments/lab-" + config.name + ".json").lexically_normal().string();
  } else {
    state.template_path = state.dir + "/experiment.json";
  }
  const int data_block = 2 * config.index;
  const int mgmt_block = 2 * config.index + 1;
  struct Shape {
    const char* role;
    char letter;
    int data_host;
    int root_host;
  };
  for (const Shape& shape : {Shape{"dut", 'd', 1, 1}, Shape{"lg", 'l', 2, 5}}) {
    LabHost host;
    host.role = shape.role;
    host.netns = "nt-" + config.name + "-" + shape.role;
    host.data_interface = std::string("nt-") + shape.role + "0";
    host.data_address = block_address(data_block, shape.data_host);
    host.mgmt_interface = "nt-mgmt0";
    host.root_interface = "ntm-" + config.name + "-" + shape.letter;
    host.root_address = block_address(mgmt_block, shape.root_host);
    host.mgmt_address = block_address(mgmt_block, shape.root_host + 1);
    host.sshd_dir = state.dir + "/" + shape.role;
    state.hosts.push_back(host);
  }
  return state;
}

Json experiment_template(const LabState& state) {
  Json hosts = Json::object();
  for (const auto& host : state.hosts) {
    HostSpec spec = state.host_spec(host.role);
    hosts[host.role] = template_host_json(spec);
  }
  if (state.forwarding.is_object())
    return forwarding_experiment(state, plan_forwarding(state), hosts);
  // veth has separate rx and tx channels (ethtool -L rx N tx N) and no combined ones, so the
  // grid varies channels.rx; channels.combined would be refused by the probe.
  return {
      {"version", 1},
      {"name", "lab-" + state.name},
      {"description", "namespace lab \"" + state.name +
                          "\" (nictune lab up): RPS x channels on a " +
                          std::to_string(state.queues) + "-queue veth, 64-byte UDP"},
      {"hosts", hosts},
      {"space",
       {{"parameters", {{"rps", {"none", "all"}}, {"channels.rx", channel_counts(state.queues)}}}}},
      {"workload",
       {{"type", "udp_stream"}, {"payload", 64}, {"flows", 4}, {"duration_s", 3}, {"warmup_s", 1}}},
      {"objectives",
       {{{"metric", "rx_pps"}, {"goal", "max"}}, {{"metric", "dut_cpu_util"}, {"goal", "min"}}}},
      {"strategy", {{"type", "grid"}, {"budget", 20}, {"seed", 1}}},
      {"repetitions", {{"count", 1}}}};
}

}  // namespace nictune::lab

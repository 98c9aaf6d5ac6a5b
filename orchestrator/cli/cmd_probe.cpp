#include <iomanip>
#include <iostream>

#include "core/knob_catalog.hpp"
#include "orchestrator/cli/args.hpp"
#include "orchestrator/cli/commands.hpp"
#include "orchestrator/runner/client_caller.hpp"
#include "orchestrator/spec/experiment_spec.hpp"

namespace nictune::cli {
namespace {

std::string brief(const Json& value) {
  if (value.is_null()) return "-";
  std::string text = value.is_string() ? value.get<std::string>() : value.dump();
  return text.size() > 28 ? text.substr(0, 25) + "..." : text;
}

void print_host(const HostSpec& host, const Json& probe, const ExperimentSpec& spec,
                std::ostream& out) {
  out << "== " << host.role << (host.bench.empty() ? "" : " (" + host.bench + ")") << ": "
      << host.interface << "\n";
  for (const char* section : {"host", "nic"}) {
    if (!probe.contains(section)) continue;
    for (const auto& [key, value] : probe[section].items()) {
      out << "  " << std::left << std::setw(16) << key << brief(value) << "\n";
    }
  }
  if (probe.contains("perf")) {
    const Json& perf = probe["perf"];
    out << "  " << std::left << std::setw(16) << "perf"
        << (perf.value("available", false)
                ? "yes (" + perf.value("perf", std::string()) + ", cpu-clock, all CPUs)"
                : "no: " + perf.value("reason", std::string("not reported")))
        << (spec.profile.enabled ? "  [spec profiles the DUT]" : "") << "\n";
  }
  const Json knobs = probe.value("knobs", Json::object());
  out << "  " << std::left << std::setw(36) << "knob" << std::setw(10) << "searched"
      << std::setw(30) << "current"
      << "support\n";
  for (const auto& info : knob_catalog()) {
    if (info.scope == KnobScope::kApplication) continue;
    std::string key = host.role == "dut" ? info.name : "lg:" + info.name;
    bool searched = spec.space.find(key) != nullptr;
    const Json k = knobs.value(info.name, Json::object());
    std::string support = k.value("supported", false)
                              ? "yes"
                              : "no: " + k.value("reason", std::string("not reported"));
    out << "  " << std::left << std::setw(36) << info.name << std::setw(10)
        << (searched ? "yes" : "-") << std::setw(30) << brief(k.value("current", Json())) << support
        << "\n";
  }
}

}  // namespace

Command probe_command() {
  return {"probe", "show each host's facts and which knobs it can vary, and why not",
          R"(usage: nictune probe [--agent FILE] [--json] SPEC

Connects to every host of SPEC, asks its agent for host facts (kernel, CPU, topology, NIC
driver/firmware, NUMA node) and each knob's capability (supported or the exact reason, current
value), and prints what the search will and will not be able to vary. Changes nothing.
)",
          [](const std::vector<std::string>& argv) {
            Args args("probe", argv, {"--json"}, {"--agent"});
            args.expect_positionals(1, "one SPEC file");
            ExperimentSpec spec = load_spec(args.positionals()[0]);
            TransportOptions transport;
            transport.agent_binary = args.option_or("--agent", find_local_agent_binary());
            auto connect = make_client_connector(transport);
            Json all = Json::array();
            int unsupported = 0;
            for (const auto& bench : spec.benches) {
              for (const HostSpec* host : {&bench.dut, &bench.lg}) {
                auto agent = connect(*host);
                Json probe = agent->call("probe", {{"interface", host->interface}},
                                         std::chrono::seconds(60));
                // perf on the DUT: whether the spec's "profile" section (or a later one) can
                // sample it, and perf's own words if not.
                if (host->role == "dut")
                  probe["perf"] =
                      agent->call("profile.probe", Json::object(), std::chrono::seconds(30));
                agent->close();
                for (const auto& p : spec.space.parameters()) {
                  KnobRef ref = split_knob_key(p.name);
                  if (ref.role != host->role || is_placement_knob(ref.knob)) continue;
                  if (!probe.value("knobs", Json::object())
                           .value(ref.knob, Json::object())
                           .value("supported", false))
                    ++unsupported;
                }
                if (args.flag("--json")) {
                  all.push_back({{"role", host->role}, {"bench", host->bench}, {"probe", probe}});
                } else {
                  print_host(*host, probe, spec, std::cout);
                }
              }
            }
            if (args.flag("--json")) std::cout << all.dump(2) << "\n";
            if (unsupported) {
              std::cerr << "nictune probe: " << unsupported
                        << " knob(s) of the space are not supported on these hosts; "
                        << "`nictune run` will refuse the spec\n";
              return kExitUsage;
            }
            return kExitOk;
          }};
}

}  // namespace nictune::cli

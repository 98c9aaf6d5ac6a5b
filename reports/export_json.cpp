// The configuration as data: values, commands, results and where it was measured.
#include "reports/export.hpp"

namespace nictune::report {

std::vector<ExportFile> export_json(const ExportInput& in) {
  Json hosts = Json::array();
  for (const auto& c : in.contexts) {
    Json context = {{"role", c.role}, {"bench", c.bench}};
    for (const auto& [key, value] : c.fields) context[key] = value;
    hosts.push_back(context);
  }
  Json sysctl = Json::object();
  for (const auto& c : in.commands) {
    if (auto kv = parse_sysctl_command(c)) sysctl[kv->first] = kv->second;
  }
  Json irqs = Json::object();
  for (const auto& [irq, q] : in.nic.irqs) {
    irqs[std::to_string(irq)] = {
        {"queue", q.queue}, {"direction", to_string(q.direction)}, {"name", q.name}};
  }
  const Json nic = {{"name", in.nic.name},
                    {"mac", in.nic.mac},
                    {"bus_info", in.nic.bus_info},
                    {"driver", in.nic.driver},
                    {"irqs", irqs}};
  Json doc = {{"nictune_export", 1},
              {"experiment",
               {{"id", in.experiment.id},
                {"name", in.experiment.name},
                {"spec_hash", in.experiment.spec_hash},
                {"tool_version", in.experiment.tool_version}}},
              {"point_id", in.point_id},
              {"baseline", in.baseline},
              {"status", in.status},
              {"configuration", in.config},
              {"changes_from_baseline", in.label},
              {"interface_measured", in.interface},
              {"nic_measured", nic},
              {"measured_at", in.measured_at},
              {"measured_utc", format_utc(in.measured_at)},
              {"commands", in.commands},
              {"lg_commands", in.lg_commands},
              {"baseline_commands", in.baseline_commands},
              {"sysctl", sysctl},
              {"results", in.results},
              {"measured_on", hosts}};
  return {{"nictune-point-" + std::to_string(in.point_id) + ".json",
           doc.dump(2, ' ', false, Json::error_handler_t::replace) + "\n", false}};
}

}  // namespace nictune::report

#include "core/cost_per_packet.hpp"

namespace nictune {

Json CostPerPacket::to_json() const {
  return Json{{"packets", packets},
              {"cpu_seconds", cpu_seconds},
              {"seconds", seconds},
              {"packets_from", packets_from},
              {"rx_pps_per_cpu", rx_pps_per_cpu()},
              {"cpu_ns_per_packet", cpu_ns_per_packet()}};
}

std::optional<CostPerPacket> cost_per_packet(const Json& details, double sink_rx_pps) {
  if (!details.is_object()) return std::nullopt;
  CostPerPacket cost;
  cost.seconds = details.value("seconds", 0.0);
  if (!(cost.seconds > 0)) return std::nullopt;
  // Busy percent of each CPU over the window, as CPU-seconds: 100 % for the window = `seconds`.
  if (details.contains("per_cpu") && details["per_cpu"].is_array()) {
    for (const auto& row : details["per_cpu"]) {
      if (row.is_object() && row.contains("busy") && row["busy"].is_number())
        cost.cpu_seconds += row["busy"].get<double>() / 100 * cost.seconds;
    }
  }
  if (!(cost.cpu_seconds > 0)) return std::nullopt;
  const Json* link = details.contains("link") ? &details["link"] : nullptr;
  if (link && link->is_object() && link->contains("rx_packets") &&
      (*link)["rx_packets"].is_number() && (*link)["rx_packets"].get<double>() > 0) {
    cost.packets = (*link)["rx_packets"].get<double>();
    cost.packets_from = "interface";
  } else if (sink_rx_pps > 0) {
    cost.packets = sink_rx_pps * cost.seconds;
    cost.packets_from = "sink";
  } else {
    return std::nullopt;
  }
  return cost;
}

}  // namespace nictune

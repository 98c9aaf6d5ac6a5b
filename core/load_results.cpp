#include "core/load_results.hpp"

#include <cstdint>
#include <optional>

namespace nictune {
namespace {

const Json& member(const Json& doc, const char* key) {
  static const Json empty = Json::object();
  if (!doc.is_object()) return empty;
  auto it = doc.find(key);
  return it != doc.end() && it->is_object() ? *it : empty;
}

std::optional<double> number(const Json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

}  // namespace

Json combine_load_results(const Workload& w, const Json& client, const Json& server) {
  const Json& client_metrics = member(client, "metrics");
  const Json& client_counts = member(client, "counts");
  const Json& server_metrics = member(server, "metrics");
  const Json& server_counts = member(server, "counts");
  Json metrics = client_metrics;
  double seconds = w.duration_s;
  if (client.is_object() && client.contains("duration_s") && client["duration_s"].is_number() &&
      client["duration_s"].get<double>() > 0) {
    seconds = client["duration_s"].get<double>();
  }
  Json counts = client_counts;

  if (w.type == WorkloadType::kUdpStream) {
    // The receiver's count, from the server when it has one (built-in, sockperf), else from the
    // tool's own end-to-end report (iperf3).
    const Json& rx_source = server_counts.contains("rx_packets") ? server_counts : client_counts;
    auto tx = number(client_counts, "tx_packets");
    auto rx = number(rx_source, "rx_packets");
    if (rx) {
      auto received = static_cast<std::uint64_t>(*rx);
      auto sent = static_cast<std::uint64_t>(tx.value_or(0));
      std::uint64_t lost = sent > received ? sent - received : 0;
      auto rx_bytes =
          number(rx_source, "rx_bytes").value_or(static_cast<double>(received) * w.payload);
      metrics["rx_packets"] = received;
      metrics["lost_packets"] = lost;
      metrics["rx_pps"] = static_cast<double>(received) / seconds;
      metrics["rx_bps"] = rx_bytes * 8 / seconds;
      metrics["loss_ratio"] = sent ? static_cast<double>(lost) / static_cast<double>(sent) : 0.0;
      counts["rx_packets"] = received;
      counts["rx_bytes"] = static_cast<std::uint64_t>(rx_bytes);
      counts["lost_packets"] = lost;
      if (received > sent) counts["excess_packets"] = received - sent;  // duplicates or stray
    }
    if (auto spread = number(server_metrics, "flow_spread")) metrics["flow_spread"] = *spread;
    if (!metrics.contains("jitter_us")) {
      if (auto jitter = number(server_metrics, "jitter_us")) metrics["jitter_us"] = *jitter;
    }
  } else if (w.type == WorkloadType::kTcpStream) {
    if (!metrics.contains("rx_bps")) {
      if (auto rx_bps = number(server_metrics, "rx_bps")) {
        metrics["rx_bps"] = *rx_bps;
      } else if (auto rx_bytes = number(server_counts, "rx_bytes")) {
        // A server that counts bytes but has no clock of the window (sockperf): the client's.
        metrics["rx_bps"] = *rx_bytes * 8 / seconds;
      }
    }
  }
  // The server's own measurement of its CPU wins over a tool's estimate from the client side.
  if (auto cpu = number(server_metrics, "serve_cpu_util")) metrics["serve_cpu_util"] = *cpu;

  Json intervals =
      client.is_object() && client.contains("intervals") && client["intervals"].is_array()
          ? client["intervals"]
          : Json::array();
  if (server.is_object() && server.contains("intervals") && server["intervals"].is_array()) {
    const Json& theirs = server["intervals"];
    for (std::size_t i = 0; i < intervals.size() && i < theirs.size(); ++i) {
      for (const char* name : {"rx_pps", "rx_bps"}) {
        if (!intervals[i].contains(name) && theirs[i].contains(name))
          intervals[i][name] = theirs[i][name];
      }
    }
  }
  Json out{{"metrics", std::move(metrics)},
           {"counts", std::move(counts)},
           {"intervals", std::move(intervals)}};
  if (client.is_object() && client.contains("histogram")) out["histogram"] = client["histogram"];
  return out;
}

}  // namespace nictune

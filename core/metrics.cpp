#include "core/metrics.hpp"

#include "core/rate_search_metrics.hpp"

namespace nictune {

namespace {

// The catalog plus the RTT percentiles a rate search measures at fractions of its rate.
std::vector<MetricInfo> with_latency_at_load(std::vector<MetricInfo> catalog) {
  for (const char* criterion : {"ndr", "pdr"}) {
    for (int percent : latency_percents()) {
      for (const auto& rtt : latency_rtt_metrics()) {
        catalog.push_back({latency_metric_name(rtt, percent, criterion), "us", Goal::kMinimize,
                           rtt.substr(4, rtt.size() - 7) + " round-trip time at " +
                               std::to_string(percent) + " % of the " + criterion +
                               " rate (rate_search.latency_at)"});
      }
    }
  }
  return catalog;
}

}  // namespace

const std::vector<MetricInfo>& metric_catalog() {
  using G = Goal;
  static const std::vector<MetricInfo> catalog = with_latency_at_load({
      {"rx_pps", "packets/s", G::kMaximize, "packets received by the sink per second"},
      {"tx_pps", "packets/s", G::kMaximize, "packets sent by the generator per second"},
      {"rx_bps", "bits/s", G::kMaximize, "payload bits received per second"},
      {"tx_bps", "bits/s", G::kMaximize, "payload bits sent per second"},
      {"loss_ratio", "ratio", G::kMinimize, "lost / sent packets"},
      {"flow_spread", "ratio", G::kMaximize, "min/max packets per flow at the receiver"},
      {"transactions_per_s", "1/s", G::kMaximize, "request/response transactions per second"},
      {"connections_per_s", "1/s", G::kMaximize, "connect-request-close cycles per second"},
      {"rtt_min_us", "us", G::kMinimize, "minimum round-trip time"},
      {"rtt_mean_us", "us", G::kMinimize, "mean round-trip time"},
      {"rtt_p50_us", "us", G::kMinimize, "median round-trip time"},
      {"rtt_p90_us", "us", G::kMinimize, "90th percentile round-trip time"},
      {"rtt_p99_us", "us", G::kMinimize, "99th percentile round-trip time"},
      {"rtt_p999_us", "us", G::kMinimize, "99.9th percentile round-trip time"},
      {"rtt_p9999_us", "us", G::kMinimize, "99.99th percentile round-trip time"},
      {"rtt_max_us", "us", G::kMinimize, "maximum round-trip time"},
      {"jitter_us", "us", G::kMinimize, "packet delay variation (iperf3 jitter)"},
      {"retransmits", "count", G::kMinimize, "TCP retransmissions during the run"},
      {"dut_cpu_util", "percent", G::kMinimize, "DUT CPU busy time, sum over CPUs (100 = one CPU)"},
      {"dut_softirq_util", "percent", G::kMinimize, "DUT softirq time, sum over CPUs"},
      {"dut_irq_per_s", "1/s", G::kMinimize, "DUT interrupts per second on the interface's IRQs"},
      {"dut_softnet_dropped", "count", G::kMinimize, "softnet_stat drops on the DUT"},
      {"dut_time_squeeze", "count", G::kMinimize, "softnet_stat time_squeeze on the DUT"},
      {"lg_cpu_util", "percent", G::kMinimize, "load generator CPU busy time, sum over CPUs"},
      {"rx_pps_per_cpu", "packets/s", G::kMaximize,
       "packets the DUT received per busy CPU-second (its interface's count over the counter "
       "window)"},
      {"cpu_ns_per_packet", "ns", G::kMinimize,
       "DUT busy CPU time per packet received (1e9 / rx_pps_per_cpu)"},
      {"ndr_pps", "packets/s", G::kMaximize,
       "highest offered rate with no loss (workload.rate_search, criterion ndr)"},
      {"pdr_pps", "packets/s", G::kMaximize,
       "highest offered rate with loss up to rate_search.loss_ratio (criterion pdr)"},
      {"dut_background_cpu_util", "percent", G::kMinimize,
       "DUT CPU time of processes other than the agents' own work (100 = one CPU): noise"},
      {"lg_background_cpu_util", "percent", G::kMinimize,
       "LG CPU time of processes other than the agents' own work (100 = one CPU): noise"},
      {"dut_steal_util", "percent", G::kMinimize, "DUT steal time, sum over CPUs: noise"},
      {"lg_steal_util", "percent", G::kMinimize, "LG steal time, sum over CPUs: noise"},
      {"dut_other_irq_per_s", "1/s", G::kMinimize,
       "DUT interrupts per second outside the interface's IRQs: noise"},
      {"lg_other_irq_per_s", "1/s", G::kMinimize,
       "LG interrupts per second outside the interface's IRQs: noise"},
      {"tx_packets", "count", G::kMaximize,
       "packets (requests, writes) sent in the measured window"},
      {"rx_packets", "count", G::kMaximize, "packets (replies) received in the measured window"},
      {"lost_packets", "count", G::kMinimize, "sent but never received: tx_packets - rx_packets"},
      {"load_cpu_util", "percent", G::kMinimize,
       "CPU time of the load generator's own threads (100 = one CPU)"},
      {"serve_cpu_util", "percent", G::kMinimize,
       "CPU time of the server's own threads while traffic flowed"},
      {"fwd_pps", "packets/s", G::kMaximize,
       "packets the DUT forwarded to the LG's sink per second (the sink's count over the "
       "measured window; forwarding benches)"},
      {"dut_ingress_rx_pps", "packets/s", G::kMaximize,
       "packets the DUT's ingress link received per second of the counter window (forwarding)"},
      {"dut_egress_tx_pps", "packets/s", G::kMaximize,
       "packets the DUT's egress link sent per second of the counter window (forwarding)"},
      {"fwd_counter_mismatch", "ratio", G::kMinimize,
       "|DUT egress tx - sink received| / sink received over the counter window; above 0.01 "
       "the trial is flagged (forwarding)"},
      {"dut_softirq_max_cpu_util", "percent", G::kMinimize,
       "softirq time of the DUT's busiest CPU in softirq (100 = the whole CPU)"},
  });
  return catalog;
}

const MetricInfo* find_metric(std::string_view name) {
  for (const auto& metric : metric_catalog()) {
    if (metric.name == name) return &metric;
  }
  return nullptr;
}

MetricRange metric_range(std::string_view name) {
  const MetricInfo* info = find_metric(name);
  if (!info) return {};
  MetricRange range;
  range.lo = 0;
  if (info->unit == "ratio") range.hi = 1;
  return range;
}

std::vector<std::string> metric_names() {
  std::vector<std::string> names;
  for (const auto& metric : metric_catalog()) names.push_back(metric.name);
  return names;
}

}  // namespace nictune

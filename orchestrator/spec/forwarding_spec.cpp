#include "orchestrator/spec/forwarding_spec.hpp"

#include <arpa/inet.h>

#include "orchestrator/spec/field_reader.hpp"
#include "orchestrator/transport/transport_kinds.hpp"

namespace nictune {

std::optional<ForwardingSpec> parse_forwarding(const Json& doc, const std::string& path,
                                               const HostSpec& dut, const HostSpec& lg,
                                               Issues& issues) {
  const std::size_t before = issues.size();
  FieldReader r(doc, path, issues, {"dut_egress", "lg_sink", "sink_address"});
  if (!r.ok()) return std::nullopt;
  ForwardingSpec f;
  f.dut_egress = r.string("dut_egress", true).value_or("");
  f.lg_sink = r.string("lg_sink", true).value_or("");
  f.sink_address = r.string("sink_address", true).value_or("");
  const std::string bench = path.substr(0, path.rfind('.'));
  // Forwarding needs a link in and a link out on the DUT, and the LG at both ends of the path.
  if (!f.dut_egress.empty() && f.dut_egress == dut.interface) {
    issues.add(r.path("dut_egress"), "a forwarding bench needs two DUT links: the ingress " +
                                         bench + ".dut.interface and an egress link; both are \"" +
                                         f.dut_egress + "\"");
  }
  if (!f.lg_sink.empty() && f.lg_sink == lg.interface) {
    issues.add(r.path("lg_sink"), "a forwarding bench needs two LG links: the sender's " + bench +
                                      ".lg.interface and the sink's link; both are \"" + f.lg_sink +
                                      "\"");
  }
  if (dut.interface == "lo") {
    issues.add(bench + ".dut.interface",
               "a forwarding DUT routes between two links; \"lo\" forwards nothing");
  }
  unsigned char buffer[4];
  if (!f.sink_address.empty() && inet_pton(AF_INET, f.sink_address.c_str(), buffer) != 1) {
    issues.add(r.path("sink_address"),
               "expected an IPv4 address (the LG's sink behind the DUT), found \"" +
                   f.sink_address + "\"");
  }
  const TransportKind* kind = find_transport_kind(dut.transport);
  const bool same_host =
      dut.transport == lg.transport && kind != nullptr && kind->same_endpoint(dut, lg);
  if (same_host) {
    issues.add(path,
               "a forwarding bench needs the DUT and the LG on separate hosts (or "
               "namespaces): the LG's packets must cross the DUT");
  }
  if (issues.size() != before) return std::nullopt;
  return f;
}

bool is_forwarding_metric(const std::string& metric) {
  return metric == "fwd_pps" || metric == "fwd_counter_mismatch" ||
         metric == "dut_ingress_rx_pps" || metric == "dut_egress_tx_pps";
}

}  // namespace nictune

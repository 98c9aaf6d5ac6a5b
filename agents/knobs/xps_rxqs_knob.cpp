// xps_rxqs: transmit queue selection by receive queue (queues/tx-N/xps_rxqs, a bitmap of rx
// queues, kernel 4.18+ with CONFIG_XPS). A socket whose packets arrived on rx-N sends on a tx
// queue whose map holds N, so one queue pair serves a flow both ways: the busy-poll / ADQ
// idiom is "same-index" (tx-N -> rx-N). The state is {"tx-0": "rx queue list", ...}.
#include "agents/knobs/queue_file_knob.hpp"
#include "agents/knobs/registry.hpp"
#include "core/errors.hpp"

namespace nictune::agent {
namespace {

std::vector<CpuSet> map_tx_to_rx(const std::string& knob, const Json& requested, std::size_t queues,
                                 unsigned rx_queues) {
  const std::string expected =
      knob + R"(: expected "none", "same-index", "all" or "list:RXQUEUES" (e.g. "list:0-1"), got )";
  if (!requested.is_string())
    throw invalid(expected + json_brief(requested) + " (" + json_type_name(requested) + ")");
  const std::string value = requested.get<std::string>();
  std::vector<CpuSet> sets(queues);
  if (value == "none") return sets;
  if (value == "all") {
    if (rx_queues > 0) sets.assign(queues, CpuSet::range(0, rx_queues - 1));
    return sets;
  }
  if (value == "same-index") {
    if (rx_queues == 0) throw invalid(knob + ": \"same-index\" needs rx queues; there are none");
    // More tx than rx queues: the extra tx queues wrap around, so every one serves some flows.
    for (std::size_t i = 0; i < queues; ++i) sets[i].add(static_cast<unsigned>(i % rx_queues));
    return sets;
  }
  if (value.starts_with("list:")) {
    CpuSet rx;
    try {
      rx = CpuSet::parse_list(value.substr(5));
    } catch (const Error& e) {
      throw invalid(knob + ": rx queue list \"" + value.substr(5) + "\": " + e.what());
    }
    if (rx.empty())
      throw invalid(knob + ": empty rx queue list in \"" + value + "\" (say \"none\")");
    sets.assign(queues, rx);
    return sets;
  }
  throw invalid(expected + json_brief(requested));
}

}  // namespace

std::unique_ptr<Knob> make_xps_rxqs_knob(const KnobInfo& info) {
  return make_queue_file_knob(info, {.direction = "tx",
                                     .file = "xps_rxqs",
                                     .kind = QueueFileSpec::Kind::kQueueMask,
                                     .missing_hint = "a kernel before 4.18 or without CONFIG_XPS",
                                     .map_queues = map_tx_to_rx,
                                     .choices = {"none", "same-index", "all", "list:RXQUEUES"}});
}

}  // namespace nictune::agent

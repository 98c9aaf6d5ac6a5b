#include "tests/unit/reports/rate_search_fixture.hpp"

#include <algorithm>
#include <cmath>

namespace nictune::testing {
namespace {

constexpr double kMaxPps = 1000000;
constexpr double kPrecision = 0.01;

Json spec_document() {
  return Json::parse(R"({
    "version": 1, "name": "veth-ndr",
    "hosts": {"dut": {"transport": "local", "netns": "nt-dut", "interface": "veth0", "address": "198.18.0.1"},
              "lg": {"transport": "local", "netns": "nt-lg", "interface": "veth1", "address": "198.18.0.2"}},
    "space": {"parameters": {"rps": ["none", "all"]}},
    "workload": {"type": "udp_stream", "duration_s": 4, "payload": 64,
                 "rate_search": {"criterion": "ndr", "max_pps": 1000000, "precision": 0.01,
                                 "initial_trial_s": 1, "phases": 3, "latency_at": [50, 90]}},
    "objectives": [{"metric": "ndr_pps", "goal": "max"}],
    "strategy": {"type": "grid"},
    "repetitions": {"count": 2}
  })");
}

// Bisection from max_pps down to the capacity (received = min(offered, capacity)), the trial
// duration growing 1, 2, 4 s as the interval narrows; `wobble` moves the capacity a little per
// repetition.
Json rate_search_details(double capacity) {
  Json steps = Json::array();
  double lo = 0, hi = 0, rate = kMaxPps;
  int result_step = -1;
  for (int i = 0; i < 20; ++i) {
    const double width = hi > 0 ? (hi - lo) / hi : 1;
    const int phase = width > 0.1 ? 1 : width > 0.03 ? 2 : 3;
    const double duration = phase == 1 ? 1 : phase == 2 ? 2 : 4;
    const double received = std::min(rate, capacity);
    const auto sent = static_cast<std::uint64_t>(std::llround(rate * duration));
    const auto got = static_cast<std::uint64_t>(std::llround(received * duration));
    const bool passed = got >= sent;
    Json step = {{"phase", phase},         {"offered_pps", rate},
                 {"duration_s", duration}, {"measured_s", duration},
                 {"sent", sent},           {"received", got},
                 {"lost", sent - got},     {"loss_ratio", double(sent - got) / double(sent)},
                 {"passed", passed}};
    if (!passed) step["reason"] = "loss " + std::to_string(sent - got) + " > 0";
    steps.push_back(step);
    if (passed) {
      lo = rate;
      if (phase == 3) result_step = i;
    } else {
      hi = rate;
    }
    if (hi > 0 && (hi - lo) / hi <= kPrecision && phase == 3 && passed) break;
    rate = lo > 0 || hi > 0 ? (lo + hi) / 2 : rate;
    rate = std::round(rate);
  }
  Json latency = Json::array();
  for (int percent : {50, 90}) {
    latency.push_back({{"percent", percent},
                       {"offered_pps", lo * percent / 100},
                       {"tx_packets", std::round(lo * percent / 100 * 4)},
                       {"lost_packets", 0},
                       {"rtt_p50_us", percent == 50 ? 21.5 : 33.0},
                       {"rtt_p99_us", percent == 50 ? 48.0 : 97.0}});
  }
  double seconds = 0;
  for (const auto& s : steps) seconds += s["duration_s"].get<double>();
  return {{"rate_pps", lo},           {"upper_pps", hi},
          {"complete", true},         {"result_step", result_step},
          {"trial_seconds", seconds}, {"steps", steps},
          {"latency", latency}};
}

}  // namespace

std::int64_t add_rate_search_experiment(Store& store) {
  const std::int64_t e = store.create_experiment("veth-ndr", spec_document(), "0.0.7");
  store.record_host(e, "dut", "",
                    {{"hostname", "lab-dut"},
                     {"kernel", "6.1.0-sim"},
                     {"driver", "veth"},
                     {"nic", {{"pci_id", ""}, {"speed_mbps", 10000}}}});
  struct Row {
    Json point;
    bool baseline;
    double capacity;
  };
  const Row rows[] = {{Json::object(), true, kBaselineCapacityPps},
                      {{{"rps", "none"}}, false, kBaselineCapacityPps},
                      {{{"rps", "all"}}, false, kRpsAllCapacityPps}};
  for (const auto& row : rows) {
    const std::int64_t point = store.intern_point(e, row.point);
    for (int rep = 0; rep < 2; ++rep) {
      const double capacity = row.capacity * (rep == 0 ? 1.0 : 1.004);
      Json rs = rate_search_details(capacity);
      Outcome o;
      o.state = TrialState::kComplete;
      o.metrics = {{"ndr_pps", rs["rate_pps"].get<double>()},
                   {"rtt_p99_us_at_50pct_ndr", 48.0},
                   {"rtt_p99_us_at_90pct_ndr", 97.0}};
      o.details = {{"rate_search", rs}};
      store.finish_trial(store.begin_trial(e, point, rep, row.baseline, ""), o);
    }
  }
  store.set_experiment_status(e, ExperimentStatus::kComplete);
  return e;
}

}  // namespace nictune::testing

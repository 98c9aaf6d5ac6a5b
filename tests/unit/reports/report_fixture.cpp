#include "tests/unit/reports/report_fixture.hpp"

#include <vector>

#include "orchestrator/store/store_backends.hpp"

namespace nictune::testing {
namespace {

struct FixturePoint {
  char letter;
  int channels;
  std::string rps;
  int rx_usecs;
  int busy_poll;
  std::vector<double> rx_pps;
  std::vector<double> cpu;
  std::vector<double> loss;
  bool fails = false;
};

const std::vector<FixturePoint>& fixture_points() {
  static const std::vector<FixturePoint> points = {
      {'b', 8, "none", 50, 0, {1.00e6, 1.02e6, 0.98e6}, {200, 204, 196}, {0, 0, 0.0001}},
      {'A', 4, "none", 50, 0, {1.10e6, 1.11e6, 1.09e6}, {180, 182, 178}, {0, 0, 0}},
      {'B', 4, "all", 50, 50, {1.25e6, 1.27e6, 1.23e6}, {260, 262, 258}, {0.0002, 0.0002, 0.0002}},
      {'C', 8, "all", 8, 0, {1.30e6, 1.31e6, 1.29e6}, {330, 335, 325}, {0.004, 0.005, 0.003}},
      {'D', 2, "none", 50, 0, {0.95e6, 0.96e6, 0.94e6}, {150, 152, 148}, {0, 0, 0}},
      {'E', 2, "all", 50, 0, {1.05e6, 1.15e6, 1.00e6}, {185, 195, 176}, {0, 0, 0}},
      {'F', 8, "none", 8, 0, {0.90e6, 0.91e6, 0.89e6}, {300, 305, 295}, {0, 0, 0}},
      {'G', 8, "all", 50, 0, {}, {}, {}, true},
      {'H', 2, "all", 8, 0, {1.20e6}, {240}, {0}},
  };
  return points;
}

Json spec_document(const std::string& name) {
  return Json::parse(R"({
    "version": 1,
    "name": ")" + name +
                     R"(",
    "description": "queues x RPS x coalescing on ixgbe, 64-byte UDP, 16 flows",
    "hosts": {
      "dut": {"transport": "ssh", "host": "dut1.lab", "interface": "eth1", "address": "198.18.0.1"},
      "lg": {"transport": "ssh", "host": "lg1.lab", "interface": "eth1", "address": "198.18.0.2"}
    },
    "space": {"parameters": {
      "channels.combined": [2, 4, 8], "rps": ["none", "all"], "coalesce.rx_usecs": [8, 50],
      "sysctl.net.core.busy_poll": [0, 50]}},
    "workload": {"type": "udp_stream", "payload": 64, "flows": 16, "duration_s": 10},
    "objectives": [{"metric": "rx_pps", "goal": "max"}, {"metric": "dut_cpu_util", "goal": "min"}],
    "outcome_constraints": ["loss_ratio <= 0.001"],
    "strategy": {"type": "grid", "budget": 24, "seed": 7},
    "repetitions": {"min": 1, "max": 3}
  })");
}

Json dut_facts(const std::string& kernel) {
  return Json::parse(R"({
    "hostname": "dut1", "kernel": ")" +
                     kernel + R"(", "machine": "x86_64",
    "interface": {"name": "eth1", "driver": "ixgbe", "driver_version": "5.19.6",
                  "firmware": "0x800003df", "bus_info": "0000:03:00.0", "numa_node": 0},
    "nic": {"model": "Intel 82599ES 10-Gigabit SFI/SFP+"},
    "cpu": {"model": "Intel Xeon E5-2630 v4 @ 2.20GHz", "count": 4},
    "numa": {"nodes": 2}
  })");
}

Json lg_facts() {
  return Json::parse(R"({"hostname": "lg1", "kernel": "6.1.0-18-amd64",
    "interface": {"name": "eth1", "driver": "ixgbe"}, "cpu": {"model": "AMD EPYC 7302P", "count": 16}})");
}

std::vector<std::string> apply_commands(const FixturePoint& p) {
  return {"ethtool -L $IFACE combined " + std::to_string(p.channels),
          std::string("echo ") + (p.rps == "all" ? "f" : "0") +
              " > /sys/class/net/$IFACE/queues/rx-0/rps_cpus",
          "ethtool -C $IFACE rx-usecs " + std::to_string(p.rx_usecs),
          "sysctl -w net.core.busy_poll=" + std::to_string(p.busy_poll)};
}

// Which CPUs handled the receive work, in the agent's counters format: the baseline has every
// queue's interrupt on CPU 0, which saturates; point B spreads the queues over the 4 CPUs.
Json counters(char letter, int repetition) {
  if (letter != 'b' && letter != 'B') return Json::object();
  const bool base = letter == 'b';
  Json per_cpu = Json::array(), softnet = Json::array(), irqs = Json::object();
  for (int cpu = 0; cpu < 4; ++cpu) {
    const bool hot = base && cpu == 0;
    per_cpu.push_back({{"cpu", cpu},
                       {"busy", hot    ? 98.0
                                : base ? 20.0
                                       : 65.0 + repetition},
                       {"user", 1.0},
                       {"softirq", hot    ? 60.0
                                   : base ? 2.0
                                          : 30.0},
                       {"irq", hot    ? 12.0
                               : base ? 0.5
                                      : 5.0},
                       {"idle", hot    ? 2.0
                                : base ? 80.0
                                       : 35.0},
                       {"net_rx_softirqs", hot    ? 90000
                                           : base ? 500
                                                  : 25000 + 10 * repetition}});
    softnet.push_back({{"cpu", cpu},
                       {"processed", hot    ? 9000000
                                     : base ? 100000
                                            : 3000000},
                       {"dropped", 0}});
    Json cells = Json::object();
    if (base) {
      cells["0"] = 50000 + 100 * repetition;
    } else {
      cells[std::to_string(cpu)] = 40000;
    }
    irqs[std::to_string(120 + cpu)] = {{"name", "eth1-TxRx-" + std::to_string(cpu)},
                                       {"queue", "rx-" + std::to_string(cpu)},
                                       {"total", base ? 50000 : 40000},
                                       {"per_cpu", cells}};
  }
  return {{"seconds", 10}, {"per_cpu", per_cpu}, {"softnet", softnet}, {"irqs", irqs}};
}

}  // namespace

std::int64_t add_fixture_experiment(Store& store, const std::string& name, double rx_scale,
                                    const std::string& kernel, std::map<char, std::int64_t>* ids) {
  const std::int64_t e = store.create_experiment(name, spec_document(name), "0.0.7");
  store.record_host(e, "dut", "", dut_facts(kernel));
  store.record_host(e, "lg", "", lg_facts());
  for (const auto& p : fixture_points()) {
    const Json config = {{"channels.combined", p.channels},
                         {"rps", p.rps},
                         {"coalesce.rx_usecs", p.rx_usecs},
                         {"sysctl.net.core.busy_poll", p.busy_poll}};
    // Like the runner: the baseline is the empty point, and every trial records the values it
    // applied (the host's originals for knobs the point leaves alone) and the agent's commands.
    const bool baseline = p.letter == 'b';
    const std::int64_t point = store.intern_point(e, baseline ? Json::object() : config);
    if (ids) (*ids)[p.letter] = point;
    const std::size_t reps = p.fails ? 1 : p.rx_pps.size();
    for (std::size_t rep = 0; rep < reps; ++rep) {
      const std::int64_t trial = store.begin_trial(e, point, static_cast<int>(rep), baseline, "");
      Outcome outcome;
      if (p.fails) {
        outcome.state = TrialState::kFailed;
        outcome.error = "apply: ethtool -L eth1 combined 8: Operation not supported";
      } else {
        outcome.metrics = {{"rx_pps", p.rx_pps[rep] * rx_scale},
                           {"dut_cpu_util", p.cpu[rep]},
                           {"loss_ratio", p.loss[rep]}};
        Json details = {{"apply",
                         {{"dut", config},
                          {"lg", Json::object()},
                          {"commands", apply_commands(p)},
                          {"lg_commands", Json::array()}}}};
        Json c = counters(p.letter, static_cast<int>(rep));
        if (!c.empty()) details["counters"] = c;
        outcome.details = details;
      }
      store.finish_trial(trial, outcome);
    }
  }
  store.set_experiment_status(e, ExperimentStatus::kComplete);
  return e;
}

ReportFixture make_report_fixture(const std::string& path, const std::string& name, double rx_scale,
                                  const std::string& kernel) {
  ReportFixture f;
  f.store = open_store(path);
  f.experiment = add_fixture_experiment(*f.store, name, rx_scale, kernel, &f.points);
  return f;
}

void pin_times(report::Report& report) {
  constexpr double kStart = 1714564800;  // 2024-05-01 12:00:00 UTC
  report.experiment.created_at = kStart;
  for (std::size_t i = 0; i < report.trials.size(); ++i) {
    report.trials[i].started_at = kStart + 15.0 * static_cast<double>(i);
    report.trials[i].ended_at = report.trials[i].started_at + 12;
  }
}

}  // namespace nictune::testing

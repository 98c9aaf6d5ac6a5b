// Scripted agents for the runner's tests: FakeHost is one simulated host (knob values that
// apply/restore change, counters of what was asked), FakeAgent answers the agent's methods
// from it, Harness runs a spec through a Runner against a DUT and an LG fake and an in-memory
// store. Header-only, shared by runner_test.cpp and the runner_*_test.cpp files.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "orchestrator/runner/runner.hpp"
#include "orchestrator/store/store_backends.hpp"
#include "orchestrator/transport/transport.hpp"

namespace nictune::testing {

// One simulated host: knob values that apply/restore change, and counters of what was asked.
struct FakeHost {
  Json original = {{"rps", "none"}, {"offload.gro", true}};
  Json current = original;
  std::set<std::string> unsupported;
  int applies = 0, restores = 0, load_runs = 0, serves_open = 0, connects = 0;
  int lose_connection_at_load = -1;  // throw TransportError on this load.run (0-based)
  // The agent's lease ran out before this lease.renew (0-based): it restored on its own.
  int lease_expires_at_renew = -1;
  int renews = 0;
  std::vector<double> leases;           // lease_s of every apply
  std::function<void(int)> after_load;  // called with the load.run count
  double noise = 0;
  int wobble = 0;
  // The host's capacity by how many rates it measured before (0-based): a factor on the rate;
  // unset is 1.
  std::function<double(int)> capacity;
  std::vector<double> load_durations;  // workload.duration_s of every load.run
  // Benches: load.run calls in flight across every host sharing these, and the most seen at once.
  std::atomic<int>* loads_in_flight = nullptr;
  std::atomic<int>* most_in_flight = nullptr;
};

class FakeAgent : public AgentCaller {
 public:
  FakeAgent(FakeHost& host, std::string name) : host_(host), name_(std::move(name)) {
    ++host_.connects;
  }

  Json call(const std::string& method, const Json& params, std::chrono::milliseconds) override {
    if (method == "probe") {
      Json knobs = Json::object();
      for (const auto& [k, v] : host_.original.items()) {
        knobs[k] = host_.unsupported.count(k)
                       ? Json{{"supported", false}, {"reason", "EOPNOTSUPP from the driver"}}
                       : Json{{"supported", true}, {"current", v}};
      }
      return {{"host", {{"kernel", "6.1.0-fake"}}}, {"knobs", knobs}};
    }
    if (method == "snapshot") {
      Json values = Json::object();
      for (const auto& k : params["knobs"])
        values[k.get<std::string>()] = host_.original[k.get<std::string>()];
      return {{"values", values}};
    }
    if (method == "apply") {
      ++host_.applies;
      for (const auto& [k, v] : params["values"].items()) host_.current[k] = v;
      Json commands = Json::array();
      for (const auto& [k, v] : params["values"].items())
        commands.push_back("set " + k + " " + v.dump());
      host_.leases.push_back(params.at("lease_s").get<double>());
      return {
          {"applied", params["values"]}, {"commands", commands}, {"lease_s", params["lease_s"]}};
    }
    if (method == "lease.renew") {
      if (host_.renews++ != host_.lease_expires_at_renew) return {{"lease_s", 1}};
      host_.current = host_.original;
      return {{"lease_s", 0},
              {"expired",
               {{"lease_s", 1},
                {"expired_at", "2026-01-01T00:00:00Z"},
                {"last_renewal", "2026-01-01T00:00:00Z"},
                {"restored", {"rps"}},
                {"mismatches", Json::array()}}}};
    }
    if (method == "resolve") return {{"cpus", params["policy"] == "single:1" ? "1" : "0"}};
    if (method == "restore") {
      ++host_.restores;
      host_.current = host_.original;
      return {{"restored", Json::array()}, {"mismatches", Json::array()}};
    }
    if (method == "serve.start") {
      ++host_.serves_open;
      return {{"id", "s1"}, {"port", 5000}};
    }
    if (method == "serve.stop") {
      --host_.serves_open;
      return {{"metrics", {{"rx_pps", rx_pps()}}}};
    }
    if (method == "counters.start") return {{"ok", true}};
    if (method == "counters.stop")
      return {{"metrics", {{"dut_cpu_util", host_.current["rps"] == "all" ? 150.0 : 100.0}}}};
    if (method == "load.run") {
      int n = host_.load_runs++;
      host_.load_durations.push_back(params["workload"].value("duration_s", 0.0));
      if (n == host_.lose_connection_at_load)
        throw TransportError(TransportErrorKind::kAgentCrash, name_ + ": agent exited");
      if (host_.after_load) host_.after_load(host_.load_runs);
      if (host_.loads_in_flight) {
        int now = ++*host_.loads_in_flight;
        int most = host_.most_in_flight->load();
        while (now > most && !host_.most_in_flight->compare_exchange_weak(most, now)) {
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(30));
        --*host_.loads_in_flight;
      }
      return {{"metrics", {{"tx_pps", 2e6}}}, {"intervals", {{{"t", 1.0}, {"tx_pps", 2e6}}}}};
    }
    throw Error(ErrorCode::kUnsupported, "fake: no method " + method);
  }
  std::string describe() const override { return name_; }
  void close() override {}

 private:
  double rx_pps() {
    double v = 1e6;
    if (host_.current["rps"] == "all") v *= 1.3;
    if (host_.current["offload.gro"] == false) v *= 0.9;
    if (host_.capacity) v *= host_.capacity(host_.wobble);
    return v * (1 + host_.noise * ((host_.wobble++ % 2) ? 1 : -1));
  }
  FakeHost& host_;
  std::string name_;
};

inline Json spec_doc() {
  return Json::parse(R"({
    "version": 1, "name": "fake",
    "hosts": {"dut": {"transport": "local", "interface": "eth1", "address": "198.18.0.1"},
              "lg": {"transport": "local", "netns": "nt-lg", "interface": "eth1", "address": "198.18.0.2"}},
    "space": {"parameters": {"rps": ["none", "all"], "offload.gro": [true, false]}},
    "workload": {"type": "udp_stream", "duration_s": 1, "warmup_s": 0},
    "objectives": [{"metric": "rx_pps", "goal": "max"}, {"metric": "dut_cpu_util", "goal": "min"}],
    "repetitions": {"count": 2},
    "settle_s": 0
  })");
}

struct Harness {
  FakeHost dut, lg;
  std::unique_ptr<Store> store = open_store(":memory:");
  std::atomic<bool> interrupted{false};
  std::ostringstream out;

  RunResult run(const Json& doc, RunOptions options = {}) {
    ExperimentSpec spec = parse_spec(doc, "test");
    Progress progress(ProgressMode::kPlain, out, spec.objectives);
    auto connector = [this](const HostSpec& h) -> std::unique_ptr<AgentCaller> {
      return std::make_unique<FakeAgent>(h.role == "dut" ? dut : lg, h.role + " fake");
    };
    options.reconnect_first_delay_s = 0.001;
    Runner runner(spec, *store, connector, progress, interrupted, options);
    return runner.run();
  }
};

}  // namespace nictune::testing

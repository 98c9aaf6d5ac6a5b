// counters.start / counters.stop: one measurement window at a time, with optional periodic
// samples taken by a background thread (it only reads files, never touches knobs).
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "agents/counters/counter_window.hpp"

namespace nictune::agent {

class CounterSession {
 public:
  CounterSession(KernelFiles files, Ethtool& ethtool);
  ~CounterSession();
  CounterSession(const CounterSession&) = delete;
  CounterSession& operator=(const CounterSession&) = delete;

  // {"interface"?: IF, "links"?: [IF], "sample_interval_ms"?: 0 | 10..60000, "prefix"?: "dut" |
  // "lg",
  //  "driver_stats"?: bool}. A start while a window is open replaces it.
  Json start(const Json& params);
  // {"prefix"?: ...} -> {"metrics", "details"}.
  Json stop(const Json& params);
  // Ends the sampler without a result (shutdown).
  void cancel();

 private:
  void sampler_loop(std::chrono::milliseconds interval);
  void stop_sampler();

  KernelFiles files_;
  Ethtool& ethtool_;
  SampleOptions options_;
  std::string prefix_ = "dut";
  std::vector<InterfaceIrq> irqs_;
  std::optional<CounterSample> first_;

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  Json samples_ = Json::array();
  std::thread sampler_;
};

}  // namespace nictune::agent

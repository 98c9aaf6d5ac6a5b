#include "agents/counters/counter_session.hpp"

#include "agents/knobs/knob.hpp"
#include "agents/safety/interface_name.hpp"
#include "core/errors.hpp"

namespace nictune::agent {
namespace {

// Ten hours of 1 s samples; beyond that the oldest are kept and later ones dropped.
constexpr std::size_t kMaxSamples = 36000;

std::string parse_prefix(const Json& params, const std::string& fallback) {
  if (!params.contains("prefix")) return fallback;
  if (!params["prefix"].is_string() || (params["prefix"] != "dut" && params["prefix"] != "lg")) {
    throw invalid("params.prefix: expected \"dut\" or \"lg\", got " + json_brief(params["prefix"]));
  }
  return params["prefix"].get<std::string>();
}

}  // namespace

CounterSession::CounterSession(KernelFiles files, Ethtool& ethtool)
    : files_(std::move(files)), ethtool_(ethtool) {}

CounterSession::~CounterSession() {
  stop_sampler();
}

void CounterSession::cancel() {
  stop_sampler();
  first_.reset();
}

void CounterSession::stop_sampler() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (sampler_.joinable()) sampler_.join();
  std::lock_guard<std::mutex> lock(mutex_);
  stopping_ = false;
}

Json CounterSession::start(const Json& params) {
  SampleOptions options;
  options.ethtool = &ethtool_;
  options.processes = true;  // the window's ends carry every process's CPU time
  if (params.contains("interface")) options.interface = require_interface(files_, params);
  if (params.contains("links")) {
    const Json& links = params["links"];
    if (!links.is_array())
      throw invalid("params.links: expected an array of interface names, got " +
                    json_type_name(links));
    for (std::size_t i = 0; i < links.size(); ++i) {
      // The error names the element: "params.links[1]: expected a string ...".
      const std::string field = "links[" + std::to_string(i) + "]";
      const Json one = {{field, links[i]}};
      options.links.push_back(require_interface(files_, one, field.c_str()));
    }
  }
  if (params.contains("driver_stats"))
    options.driver_stats = require_bool("params.driver_stats", params["driver_stats"]);
  long long interval = 0;
  if (params.contains("sample_interval_ms")) {
    interval = require_int("params.sample_interval_ms", params["sample_interval_ms"], 0, 60000);
    if (interval != 0 && interval < 10)
      throw invalid("params.sample_interval_ms: expected 0 (no samples) or 10..60000");
  }
  std::string prefix = parse_prefix(params, "dut");

  cancel();
  options_ = options;
  prefix_ = prefix;
  irqs_.clear();
  if (!options_.interface.empty()) irqs_ = probe_nic_device(files_, options_.interface).irqs;
  first_ = take_counter_sample(files_, options_);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    samples_ = Json::array();
  }
  if (interval > 0)
    sampler_ = std::thread([this, interval] { sampler_loop(std::chrono::milliseconds(interval)); });
  return {{"ok", true}, {"irqs", irqs_.size()}};
}

void CounterSession::sampler_loop(std::chrono::milliseconds interval) {
  SampleOptions light = options_;
  light.driver_stats = false;  // ETHTOOL_GSTATS can be slow on big NICs; window totals have them
  light.processes = false;     // so can a /proc/<pid> walk on a busy host
  CounterSample previous = *first_;
  auto start = previous.time;
  auto next = start + interval;
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    if (wake_.wait_until(lock, next, [this] { return stopping_; })) break;
    lock.unlock();
    Json sample;
    try {
      CounterSample now = take_counter_sample(files_, light);
      sample = counter_metrics(previous, now, irqs_, prefix_);
      sample["t_s"] = std::chrono::duration<double>(now.time - start).count();
      for (const char* name : {"rx_packets", "tx_packets"}) {
        auto after = now.link.find(name);
        auto before = previous.link.find(name);
        // A counter that went backwards was reset (driver reload): no packets to report.
        if (after != now.link.end() && before != previous.link.end()) {
          sample[name] = after->second >= before->second ? after->second - before->second : 0;
        }
      }
      previous = std::move(now);
    } catch (const Error&) {
    }
    lock.lock();
    if (!sample.is_null() && samples_.size() < kMaxSamples) samples_.push_back(std::move(sample));
    next += interval;
  }
}

Json CounterSession::stop(const Json& params) {
  if (!first_) throw invalid("counters.stop: no window is open (call counters.start first)");
  std::string prefix = parse_prefix(params, prefix_);
  CounterSample last = take_counter_sample(files_, options_);
  stop_sampler();
  Json result = counter_delta(*first_, last, irqs_, prefix);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    result["details"]["samples"] = samples_;
    samples_ = Json::array();
  }
  result["details"]["interface"] = options_.interface;
  first_.reset();
  return result;
}

}  // namespace nictune::agent

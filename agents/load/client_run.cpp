#include "agents/load/client_run.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

namespace nictune::load {

RunClock RunClock::starting_at(std::int64_t start_ns, const Workload& workload) {
  RunClock c;
  c.start_ns = start_ns;
  c.measure_ns = start_ns + static_cast<std::int64_t>(std::llround(workload.warmup_s * 1e9));
  c.end_ns = c.measure_ns + static_cast<std::int64_t>(std::llround(workload.duration_s * 1e9));
  c.interval_ns = static_cast<std::int64_t>(workload.interval_ms) * 1000000;
  c.intervals = static_cast<std::uint32_t>(workload.interval_count());
  return c;
}

double RunClock::interval_seconds(std::uint32_t i) const {
  std::int64_t begin = measure_ns + interval_ns * i;
  std::int64_t end = std::min(begin + interval_ns, end_ns);
  return static_cast<double>(std::max<std::int64_t>(end - begin, 1)) / 1e9;
}

double RunClock::interval_end_s(std::uint32_t i) const {
  return static_cast<double>(std::min<std::int64_t>(interval_ns * (i + 1), end_ns - measure_ns)) /
         1e9;
}

void PhaseTracker::advance(std::int64_t now) {
  if (now >= clock_.end_ns) {
    phase_ = Phase::kDone;
    next_ = INT64_MAX;
    return;
  }
  phase_ = Phase::kMeasure;
  auto index = static_cast<std::uint32_t>((now - clock_.measure_ns) / clock_.interval_ns);
  interval_ = std::min(index, clock_.intervals - 1);
  next_ = std::min(clock_.measure_ns + clock_.interval_ns * (interval_ + 1), clock_.end_ns);
}

std::uint64_t Pacer::due(std::int64_t now) const {
  if (now < start_) return 0;
  return static_cast<std::uint64_t>(static_cast<double>(now - start_) * rate_ / 1e9) + 1;
}

unsigned Pacer::allow(std::int64_t& now, std::int64_t limit_ns) {
  if (unlimited()) return max_burst_;
  std::uint64_t ready = due(now);
  if (ready <= sent_) {
    // Wait for a chunk big enough that the wait is worth a sleep, or one unit at low rates.
    double chunk = std::clamp(std::ceil(rate_ * 50e-6), 1.0, static_cast<double>(max_burst_));
    auto target =
        start_ + static_cast<std::int64_t>((static_cast<double>(sent_) + chunk - 1) * 1e9 / rate_);
    target = std::min(target, limit_ns);
    if (target - now > 20000) {
      sleep_until_ns(target);
    } else {
      while (now_ns() < target) {
      }
    }
    now = now_ns();
    ready = due(now);
    if (ready <= sent_) return 0;
  }
  return static_cast<unsigned>(std::min<std::uint64_t>(ready - sent_, max_burst_));
}

IntervalHistograms::IntervalHistograms(WorkerReport& report) : report_(report) {}

void IntervalHistograms::switch_to(std::uint32_t interval) {
  if (current_hist_.count() != 0) {
    auto& slot = report_.interval_histograms.at(current_);
    auto buckets = current_hist_.nonzero_buckets();
    slot.insert(slot.end(), buckets.begin(), buckets.end());
    report_.histogram->merge(current_hist_);
    current_hist_.reset();
  }
  current_ = interval;
}

void IntervalHistograms::finish() {
  switch_to(current_);
}

std::vector<int> flows_of_worker(const Workload& workload, unsigned index) {
  std::vector<int> flows;
  for (int f = static_cast<int>(index); f < workload.flows; f += workload.threads)
    flows.push_back(f);
  return flows;
}

void add_rtt_metrics(Json& metrics, const LatencyHistogram& h) {
  if (h.count() == 0) return;
  auto us = [](double ns) { return ns / 1000.0; };
  metrics["rtt_min_us"] = us(static_cast<double>(h.min()));
  metrics["rtt_mean_us"] = us(h.mean());
  metrics["rtt_p50_us"] = us(static_cast<double>(h.percentile(50)));
  metrics["rtt_p90_us"] = us(static_cast<double>(h.percentile(90)));
  metrics["rtt_p99_us"] = us(static_cast<double>(h.percentile(99)));
  metrics["rtt_p999_us"] = us(static_cast<double>(h.percentile(99.9)));
  metrics["rtt_p9999_us"] = us(static_cast<double>(h.percentile(99.99)));
  metrics["rtt_max_us"] = us(static_cast<double>(h.max()));
}

Json client_metrics(const Workload& w, const Counts& c, double seconds, const LatencyHistogram* h) {
  Json m = Json::object();
  double s = seconds > 0 ? seconds : 1;
  auto rate = [s](std::uint64_t n) { return static_cast<double>(n) / s; };
  switch (w.type) {
    case WorkloadType::kUdpStream:
      m["tx_packets"] = c.tx_packets;
      m["tx_pps"] = rate(c.tx_packets);
      m["tx_bps"] = rate(c.tx_bytes) * 8;
      break;
    case WorkloadType::kTcpStream:
      m["tx_bps"] = rate(c.tx_bytes) * 8;
      m["rx_bps"] = rate(c.rx_bytes) * 8;  // acknowledged by the receiver
      break;
    case WorkloadType::kUdpRr:
    case WorkloadType::kTcpRr:
    case WorkloadType::kTcpCrr:
      m["tx_packets"] = c.tx_packets;
      m["rx_packets"] = c.rx_packets;
      m["lost_packets"] = c.lost;
      m["tx_pps"] = rate(c.tx_packets);
      m["rx_pps"] = rate(c.rx_packets);
      m["transactions_per_s"] = rate(c.rx_packets);
      if (w.type == WorkloadType::kTcpCrr) m["connections_per_s"] = rate(c.rx_packets);
      m["loss_ratio"] =
          c.tx_packets ? static_cast<double>(c.lost) / static_cast<double>(c.tx_packets) : 0.0;
      m["tx_bps"] = rate(c.tx_bytes) * 8;
      m["rx_bps"] = rate(c.rx_bytes) * 8;
      if (h) add_rtt_metrics(m, *h);
      break;
  }
  return m;
}

std::string udp_peer_error(int error, const char* what) {
  if (error == ECONNREFUSED) {
    return std::string("the target refused the ") + what +
           " (ICMP port unreachable): is the server still running?";
  }
  return errno_text(error) + ": is the server still reachable?";
}

namespace {

Json counts_json(const Counts& c) {
  return Json{{"tx_packets", c.tx_packets},
              {"tx_bytes", c.tx_bytes},
              {"rx_packets", c.rx_packets},
              {"rx_bytes", c.rx_bytes},
              {"lost_packets", c.lost}};
}

}  // namespace

Json run_client_workers(const Workload& w, const RunOptions& options, const WorkerFactory& make) {
  const auto n = static_cast<unsigned>(w.threads);
  const std::size_t intervals = w.interval_count();
  std::vector<std::unique_ptr<ClientWorker>> workers;
  for (unsigned i = 0; i < n; ++i) {
    workers.push_back(make(i));
    auto& r = workers.back()->report;
    r.intervals.resize(intervals);
    if (w.is_rr()) {
      r.histogram = std::make_unique<LatencyHistogram>();
      r.interval_histograms.resize(intervals);
    }
  }

  std::mutex mutex;
  std::condition_variable cv;
  unsigned ready = 0;
  bool go = false;
  RunClock clock;
  std::atomic<bool> abort{false};
  std::vector<std::thread> threads;
  for (unsigned i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      ClientWorker& worker = *workers[i];
      try {
        if (!options.cpus.empty()) pin_current_thread(options.cpus[i % options.cpus.size()]);
        worker.report.cpu = current_cpu();
        worker.setup();
      } catch (const Error& e) {
        fail(worker.report, abort, e.what(), e.code());
      } catch (const std::exception& e) {
        fail(worker.report, abort, e.what(), ErrorCode::kInternal);
      }
      {
        std::unique_lock lock(mutex);
        ++ready;
        cv.notify_all();
        cv.wait(lock, [&] { return go; });
      }
      if (abort.load()) return;
      try {
        worker.run(clock, abort);
      } catch (const Error& e) {
        fail(worker.report, abort, e.what(), e.code());
      } catch (const std::exception& e) {
        fail(worker.report, abort, e.what(), ErrorCode::kInternal);
      }
    });
  }
  {
    std::unique_lock lock(mutex);
    cv.wait(lock, [&] { return ready == n; });
    // A short lead so every worker is waiting on the same start time.
    clock = RunClock::starting_at(now_ns() + 2000000, w);
    go = true;
    cv.notify_all();
  }
  for (auto& t : threads) t.join();

  std::vector<std::string> errors;
  ErrorCode code = ErrorCode::kIo;
  for (const auto& worker : workers) {
    const auto& e = worker->report.error;
    if (!e.empty() && std::find(errors.begin(), errors.end(), e) == errors.end()) {
      if (errors.empty()) code = worker->report.error_code;
      errors.push_back(e);
    }
  }
  if (!errors.empty()) {
    std::string text = errors.front();
    if (errors.size() > 1)
      text += " (and " + std::to_string(errors.size() - 1) + " other errors: " + errors[1] +
              (errors.size() > 2 ? ", ..." : "") + ")";
    throw Error(code, std::string(to_string(w.type)) + " to " + options.target + ":" +
                          std::to_string(options.port) + ": " + text);
  }

  // Merge.
  Counts total, warmup;
  LatencyHistogram histogram;
  double cpu_seconds = 0;
  std::uint64_t retransmits = 0;
  Json thread_details = Json::array();
  for (const auto& worker : workers) {
    const auto& r = worker->report;
    Counts mine;
    for (const auto& c : r.intervals) mine.add(c);
    total.add(mine);
    warmup.add(r.warmup);
    if (r.histogram) histogram.merge(*r.histogram);
    cpu_seconds += r.cpu_seconds;
    retransmits += r.retransmits;
    Json t = r.details;
    t["cpu"] = r.cpu;
    t["counts"] = counts_json(mine);
    t["cpu_seconds"] = r.cpu_seconds;
    thread_details.push_back(std::move(t));
  }
  const double seconds = w.duration_s;
  Json result;
  result["tool"] = "builtin";
  result["type"] = to_string(w.type);
  result["duration_s"] = seconds;
  result["warmup_s"] = w.warmup_s;
  result["counts"] = counts_json(total);
  Json metrics = client_metrics(w, total, seconds, w.is_rr() ? &histogram : nullptr);
  metrics["load_cpu_util"] = cpu_seconds / seconds * 100.0;
  if (w.type == WorkloadType::kTcpStream || w.type == WorkloadType::kTcpRr)
    metrics["retransmits"] = retransmits;
  result["metrics"] = std::move(metrics);

  Json interval_list = Json::array();
  for (std::uint32_t i = 0; i < clock.intervals; ++i) {
    Counts c;
    LatencyHistogram h;
    for (const auto& worker : workers) {
      c.add(worker->report.intervals[i]);
      if (w.is_rr()) {
        for (const auto& [low, count] : worker->report.interval_histograms[i])
          h.record_n(low, count);
      }
    }
    double len = clock.interval_seconds(i);
    Json entry = client_metrics(w, c, len, nullptr);
    for (const char* count_name : {"tx_packets", "rx_packets", "lost_packets"})
      entry.erase(count_name);
    entry["t"] = clock.interval_end_s(i);
    if (h.count()) {
      entry["rtt_p50_us"] = static_cast<double>(h.percentile(50)) / 1000.0;
      entry["rtt_p99_us"] = static_cast<double>(h.percentile(99)) / 1000.0;
    }
    interval_list.push_back(std::move(entry));
  }
  result["intervals"] = std::move(interval_list);
  if (w.is_rr()) result["histogram"] = histogram.to_json();
  result["details"] = Json{{"threads", std::move(thread_details)}, {"warmup", counts_json(warmup)}};
  return result;
}

}  // namespace nictune::load

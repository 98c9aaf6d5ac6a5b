// iperf3 adapter: udp_stream and tcp_stream through `iperf3 -J`. Warm-up is iperf3's -O (omit),
// whole seconds like -t. For UDP, received packets are sum_received.bytes / blksize and lost =
// sent - received: iperf3's own lost_packets is wrong when -O is used (it counts the omitted
// packets as lost), while the byte count is not.
#include <signal.h>

#include <cmath>

#include "agents/load/adapters.hpp"
#include "agents/load/child_process.hpp"
#include "agents/load/client_run.hpp"
#include "core/errors.hpp"

namespace nictune::load {
namespace {

Json parse_tool_json(const std::string& text, const char* what) {
  try {
    return Json::parse(text);
  } catch (const Json::parse_error&) {
    std::string brief = text.substr(0, 300);
    throw Error(ErrorCode::kIo, std::string(what) + " printed no JSON" +
                                    (brief.empty() ? std::string(" (no output)") : ": " + brief));
  }
}

double number_at(const Json& object, const char* key, double fallback = 0) {
  auto it = object.find(key);
  return it != object.end() && it->is_number() ? it->get<double>() : fallback;
}

const Json& object_at(const Json& object, const char* key) {
  static const Json empty = Json::object();
  auto it = object.find(key);
  return it != object.end() && it->is_object() ? *it : empty;
}

std::string seconds_text(double s) {
  return std::to_string(static_cast<long long>(std::llround(s)));
}

}  // namespace

std::vector<std::string> iperf3_client_args(const Workload& w, const RunOptions& options,
                                            const std::string& exe) {
  std::vector<std::string> args = {exe,
                                   "-c",
                                   options.target,
                                   "-p",
                                   std::to_string(options.port),
                                   "-J",
                                   "-t",
                                   seconds_text(w.duration_s),
                                   "-O",
                                   seconds_text(w.warmup_s),
                                   "-P",
                                   std::to_string(w.flows),
                                   "-l",
                                   std::to_string(w.payload)};
  Json interval = static_cast<double>(w.interval_ms) / 1000.0;
  args.insert(args.end(), {"-i", interval.dump()});
  args.insert(args.end(),
              {"--connect-timeout", std::to_string(static_cast<int>(w.peer_timeout_s * 1000))});
  // -b is per stream, in bits/s of payload.
  const double per_stream_bps = w.rate_pps * w.payload * 8.0 / w.flows;
  if (w.type == WorkloadType::kUdpStream) {
    args.insert(args.end(),
                {"-u", "-b", w.rate_pps > 0 ? std::to_string(std::llround(per_stream_bps)) : "0"});
  } else if (w.rate_pps > 0) {
    args.insert(args.end(), {"-b", std::to_string(std::llround(per_stream_bps))});
  }
  if (!options.bind.empty()) args.insert(args.end(), {"-B", options.bind});
  return args;
}

Json parse_iperf3_client(const Workload& w, const std::string& text) {
  Json doc = parse_tool_json(text, "iperf3");
  if (!doc.is_object()) throw Error(ErrorCode::kIo, "iperf3 printed JSON that is not an object");
  if (doc.contains("error")) {
    throw Error(ErrorCode::kIo, "iperf3: " + doc["error"].get<std::string>());
  }
  const Json& start = object_at(doc, "start");
  const Json& end = object_at(doc, "end");
  const Json& test = object_at(start, "test_start");
  const bool udp = test.value("protocol", std::string(w.is_udp() ? "UDP" : "TCP")) == "UDP";
  const double blksize = number_at(test, "blksize", w.payload);
  const Json& sent = end.contains("sum_sent") ? object_at(end, "sum_sent") : object_at(end, "sum");
  const Json& received = object_at(end, "sum_received");
  if (sent.empty())
    throw Error(ErrorCode::kIo, "iperf3 JSON has no end.sum_sent: the test did not run");

  const double seconds = number_at(sent, "seconds", w.duration_s);
  Counts c;
  c.tx_bytes = static_cast<std::uint64_t>(number_at(sent, "bytes"));
  c.rx_bytes = static_cast<std::uint64_t>(number_at(received, "bytes"));
  Json metrics;
  if (udp) {
    c.tx_packets = static_cast<std::uint64_t>(number_at(sent, "packets"));
    c.rx_packets = static_cast<std::uint64_t>(static_cast<double>(c.rx_bytes) / blksize);
    c.lost = c.tx_packets > c.rx_packets ? c.tx_packets - c.rx_packets : 0;
    metrics = client_metrics(w, c, seconds, nullptr);
    metrics["rx_packets"] = c.rx_packets;
    metrics["lost_packets"] = c.lost;
    metrics["rx_pps"] = static_cast<double>(c.rx_packets) / seconds;
    metrics["rx_bps"] = static_cast<double>(c.rx_bytes) * 8 / seconds;
    metrics["loss_ratio"] =
        c.tx_packets ? static_cast<double>(c.lost) / static_cast<double>(c.tx_packets) : 0.0;
    metrics["jitter_us"] =
        number_at(received, "jitter_ms", number_at(object_at(end, "sum"), "jitter_ms")) * 1000;
  } else {
    metrics = client_metrics(w, c, seconds, nullptr);
    metrics["rx_bps"] = number_at(received, "bits_per_second");
    metrics["retransmits"] = static_cast<std::uint64_t>(number_at(sent, "retransmits"));
  }
  const Json& cpu = object_at(end, "cpu_utilization_percent");
  if (cpu.contains("host_total")) metrics["load_cpu_util"] = number_at(cpu, "host_total");
  if (cpu.contains("remote_total")) metrics["serve_cpu_util"] = number_at(cpu, "remote_total");

  Json intervals = Json::array();
  double t = 0;
  if (doc.contains("intervals") && doc["intervals"].is_array()) {
    for (const auto& interval : doc["intervals"]) {
      const Json& sum = object_at(interval, "sum");
      if (sum.value("omitted", false)) continue;
      double len = number_at(sum, "seconds");
      if (len <= 0) continue;
      t += len;
      Json entry{{"t", t}, {"tx_bps", number_at(sum, "bits_per_second")}};
      if (udp) entry["tx_pps"] = number_at(sum, "packets") / len;
      intervals.push_back(std::move(entry));
    }
  }
  Json details{{"version", start.value("version", "")},
               {"blksize", static_cast<std::uint64_t>(blksize)},
               {"omit_s", number_at(test, "omit")},
               {"streams", static_cast<std::uint64_t>(number_at(test, "num_streams", w.flows))}};
  if (end.contains("sender_tcp_congestion"))
    details["tcp_congestion"] = end["sender_tcp_congestion"];
  return Json{{"tool", "iperf3"},
              {"type", to_string(w.type)},
              {"duration_s", seconds},
              {"warmup_s", number_at(test, "omit", w.warmup_s)},
              {"counts", Json{{"tx_packets", c.tx_packets},
                              {"tx_bytes", c.tx_bytes},
                              {"rx_packets", c.rx_packets},
                              {"rx_bytes", c.rx_bytes},
                              {"lost_packets", c.lost}}},
              {"metrics", std::move(metrics)},
              {"intervals", std::move(intervals)},
              {"details", std::move(details)}};
}

Json parse_iperf3_server(const Workload& w, const std::string& text) {
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
    return Json{
        {"metrics", Json::object()},
        {"counts", Json::object()},
        {"intervals", Json::array()},
        {"details", Json{{"tool", "iperf3"}, {"note", "no iperf3 test ran against this server"}}}};
  }
  Json doc = parse_tool_json(text, "iperf3 server");
  Json details{{"tool", "iperf3"}};
  if (doc.contains("error")) details["error"] = doc["error"];
  const Json& end = object_at(doc, "end");
  const Json& test = object_at(object_at(doc, "start"), "test_start");
  const Json& received = object_at(end, "sum_received");
  Json metrics = Json::object();
  Json counts = Json::object();
  if (!received.empty()) {
    const double seconds = number_at(received, "seconds", w.duration_s);
    const double bytes = number_at(received, "bytes");
    counts["rx_bytes"] = static_cast<std::uint64_t>(bytes);
    metrics["rx_bps"] = seconds > 0 ? bytes * 8 / seconds : 0.0;
    if (test.value("protocol", "") == "UDP" || w.is_udp()) {
      const double packets = std::floor(bytes / number_at(test, "blksize", w.payload));
      counts["rx_packets"] = static_cast<std::uint64_t>(packets);
      metrics["rx_packets"] = static_cast<std::uint64_t>(packets);
      metrics["rx_pps"] = seconds > 0 ? packets / seconds : 0.0;
      metrics["jitter_us"] = number_at(received, "jitter_ms") * 1000;
    }
  }
  const Json& cpu = object_at(end, "cpu_utilization_percent");
  if (cpu.contains("host_total")) metrics["serve_cpu_util"] = number_at(cpu, "host_total");
  return Json{{"metrics", std::move(metrics)},
              {"counts", std::move(counts)},
              {"intervals", Json::array()},
              {"details", std::move(details)}};
}

Json run_iperf3(const Workload& w, const RunOptions& options) {
  const std::string exe = find_tool("iperf3", "iperf3", options.search_path);
  ChildProcess child(iperf3_client_args(w, options, exe), options.cpus);
  const double limit_s = std::round(w.warmup_s) + std::round(w.duration_s) + w.peer_timeout_s + 10;
  auto status = child.wait_for(static_cast<int>(limit_s * 1000));
  if (!status) {
    child.stop(SIGTERM, 2000);
    throw Error(ErrorCode::kIo, "iperf3 did not finish within " +
                                    std::to_string(static_cast<int>(limit_s)) + " s; stopped it");
  }
  std::string out = child.output();
  if (out.find('{') == std::string::npos) {
    throw Error(ErrorCode::kIo, "iperf3 " + ChildProcess::describe(*status) +
                                    " without JSON output: " + child.errors().substr(0, 300));
  }
  return parse_iperf3_client(w, out);
}

namespace {

class Iperf3Server : public LoadServer {
 public:
  Iperf3Server(const Workload& w, const ServeOptions& options) : w_(w) {
    const std::string exe = find_tool("iperf3", "iperf3", options.search_path);
    port_ = options.port ? options.port : pick_free_port(options.bind);
    std::vector<std::string> args = {exe, "-s", "-1", "-J", "-p", std::to_string(port_)};
    if (options.bind != "0.0.0.0" && options.bind != "::")
      args.insert(args.end(), {"-B", options.bind});
    child_ = std::make_unique<ChildProcess>(args, options.cpus);
    if (!wait_for_bound_port("tcp", port_, 3000)) {
      auto status = child_->stop(SIGKILL, 1000);
      throw Error(ErrorCode::kIo, "iperf3 -s did not start listening on port " +
                                      std::to_string(port_) + " (" +
                                      ChildProcess::describe(status) +
                                      "): " + (child_->output() + child_->errors()).substr(0, 300));
    }
  }
  int port() const override { return port_; }
  Json stop() override {
    // -1: the server exits just after its one test; otherwise no test came and it is told to stop.
    if (!child_->wait_for(1000)) child_->stop(SIGTERM, 2000);
    return parse_iperf3_server(w_, child_->output());
  }

 private:
  Workload w_;
  int port_ = 0;
  std::unique_ptr<ChildProcess> child_;
};

}  // namespace

std::unique_ptr<LoadServer> start_iperf3_server(const Workload& w, const ServeOptions& options) {
  return std::make_unique<Iperf3Server>(w, options);
}

}  // namespace nictune::load

// sockperf adapter. Ping-pong (udp_rr, tcp_rr) is read from --full-log --full-rtt: one CSV row
// per reply with the send and receive times, so the histogram is built from every sample (not
// from sockperf's printed percentiles, which are half the round trip by default) and warm-up and
// duration are cut by send time exactly as the built-in generator does. Throughput (udp_stream,
// tcp_stream) has no machine-readable output: the client's "Total of N messages sent in T sec"
// and the server's "Total N messages received" lines are the only figures sockperf gives.
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmath>
#include <fstream>
#include <regex>
#include <sstream>

#include "agents/load/adapters.hpp"
#include "agents/load/child_process.hpp"
#include "agents/load/client_run.hpp"
#include "core/errors.hpp"

namespace nictune::load {
namespace {

// "2.429690554" -> 2429690554 ns, exactly (no floating point).
bool parse_seconds_ns(std::string text, std::int64_t& out) {
  auto b = text.find_first_not_of(" \t");
  auto e = text.find_last_not_of(" \t\r");
  if (b == std::string::npos) return false;
  text = text.substr(b, e - b + 1);
  auto dot = text.find('.');
  std::string whole = text.substr(0, dot);
  std::string frac = dot == std::string::npos ? "" : text.substr(dot + 1);
  if (whole.empty() || whole.find_first_not_of("0123456789") != std::string::npos ||
      frac.find_first_not_of("0123456789") != std::string::npos) {
    return false;
  }
  frac = (frac + "000000000").substr(0, 9);
  out = std::stoll(whole) * 1000000000 + std::stoll(frac);
  return true;
}

// The first line of sockperf's output that says what went wrong, or "".
std::string sockperf_error(const std::string& output) {
  std::istringstream in(strip_ansi(output));
  std::string line;
  while (std::getline(in, line)) {
    if (line.find("ERROR") != std::string::npos ||
        line.find("No messages were received") != std::string::npos) {
      auto pos = line.find("sockperf: ");
      return pos == std::string::npos ? line : line.substr(pos + 10);
    }
  }
  return "";
}

std::uint64_t number_after(const std::string& text, const std::regex& pattern, bool& found) {
  std::smatch m;
  found = std::regex_search(text, m, pattern);
  return found ? std::stoull(m[1].str()) : 0;
}

std::string whole_seconds(double s) {
  return std::to_string(std::max<long long>(1, std::llround(s)));
}

}  // namespace

std::vector<std::string> sockperf_client_args(const Workload& w, const RunOptions& options,
                                              const std::string& exe, const std::string& full_log) {
  std::vector<std::string> args = {
      exe,  w.is_rr() ? "ping-pong" : "throughput", "-i", options.target,
      "-p", std::to_string(options.port),           "-m", std::to_string(w.payload)};
  if (w.is_rr()) {
    // Long enough that, after sockperf's own start-up cut, warm-up plus duration are covered.
    args.insert(args.end(), {"-t", whole_seconds(std::ceil(w.warmup_s + w.duration_s) + 1),
                             "--full-rtt", "--full-log", full_log});
  } else {
    args.insert(args.end(), {"-t", whole_seconds(w.duration_s)});
  }
  args.push_back(w.rate_pps > 0 ? "--mps=" + std::to_string(std::llround(w.rate_pps))
                                : "--mps=max");
  if (!w.is_udp()) args.push_back("--tcp");
  if (!options.bind.empty()) args.insert(args.end(), {"--client_ip", options.bind});
  if (w.poll_mode == PollMode::kSpin) args.push_back("--nonblocked");
  if (w.effective_busy_poll_us() > 0)
    args.insert(args.end(), {"--lls", std::to_string(w.effective_busy_poll_us())});
  return args;
}

Json parse_sockperf_pingpong(const Workload& w, const std::string& full_log,
                             const std::string& output) {
  std::vector<std::pair<std::int64_t, std::int64_t>> samples;  // (send, receive) ns
  std::istringstream in(full_log);
  std::string line;
  bool in_table = false;
  std::uint64_t dropped = 0;
  static const std::regex dropped_re(R"(# dropped messages = (\d+))");
  while (std::getline(in, line)) {
    if (!in_table) {
      if (line.rfind("packet, txTime", 0) == 0) in_table = true;
      bool found = false;
      std::uint64_t d = number_after(line, dropped_re, found);
      if (found) dropped = d;
      continue;
    }
    std::istringstream row(line);
    std::string index, tx, rx;
    if (!std::getline(row, index, ',') || !std::getline(row, tx, ',') ||
        !std::getline(row, rx, ','))
      continue;
    std::int64_t t_tx, t_rx;
    if (parse_seconds_ns(tx, t_tx) && parse_seconds_ns(rx, t_rx) && t_rx >= t_tx)
      samples.emplace_back(t_tx, t_rx);
  }
  if (samples.empty()) {
    std::string why = sockperf_error(output);
    throw Error(ErrorCode::kIo,
                "sockperf ping-pong: " +
                    (why.empty() ? std::string("no reply samples in its full log") : why));
  }
  RunClock clock = RunClock::starting_at(samples.front().first, w);
  const std::int64_t covered = std::min(samples.back().first + 1, clock.end_ns);
  if (covered <= clock.measure_ns) {
    throw Error(ErrorCode::kIo, "sockperf ping-pong: its samples do not reach past the warm-up");
  }
  const double seconds = static_cast<double>(covered - clock.measure_ns) / 1e9;
  LatencyHistogram histogram;
  std::vector<LatencyHistogram> per_interval(clock.intervals);
  Counts total;
  std::vector<Counts> interval_counts(clock.intervals);
  for (const auto& [t_tx, t_rx] : samples) {
    if (t_tx < clock.measure_ns || t_tx >= clock.end_ns) continue;
    auto i = std::min<std::uint32_t>(
        static_cast<std::uint32_t>((t_tx - clock.measure_ns) / clock.interval_ns),
        clock.intervals - 1);
    auto rtt = static_cast<std::uint64_t>(t_rx - t_tx);
    histogram.record(rtt);
    per_interval[i].record(rtt);
    for (Counts* c : {&total, &interval_counts[i]}) {
      ++c->tx_packets;
      ++c->rx_packets;
      c->tx_bytes += static_cast<std::uint64_t>(w.payload);
      c->rx_bytes += static_cast<std::uint64_t>(w.payload);
    }
  }
  // sockperf counts drops over its whole run, not per sample: they are added to the window.
  total.lost = dropped;
  total.tx_packets += dropped;
  Json metrics = client_metrics(w, total, seconds, &histogram);
  Json intervals = Json::array();
  for (std::uint32_t i = 0; i < clock.intervals; ++i) {
    if (clock.measure_ns + clock.interval_ns * i >= covered) break;
    double len = clock.interval_seconds(i);
    Json entry{{"t", clock.interval_end_s(i)},
               {"transactions_per_s", static_cast<double>(interval_counts[i].rx_packets) / len}};
    if (per_interval[i].count()) {
      entry["rtt_p50_us"] = static_cast<double>(per_interval[i].percentile(50)) / 1000.0;
      entry["rtt_p99_us"] = static_cast<double>(per_interval[i].percentile(99)) / 1000.0;
    }
    intervals.push_back(std::move(entry));
  }
  return Json{{"tool", "sockperf"},
              {"type", to_string(w.type)},
              {"duration_s", seconds},
              {"warmup_s", w.warmup_s},
              {"counts", Json{{"tx_packets", total.tx_packets},
                              {"tx_bytes", total.tx_bytes},
                              {"rx_packets", total.rx_packets},
                              {"rx_bytes", total.rx_bytes},
                              {"lost_packets", total.lost}}},
              {"metrics", std::move(metrics)},
              {"intervals", std::move(intervals)},
              {"histogram", histogram.to_json()},
              {"details", Json{{"samples_in_log", samples.size()}, {"dropped_messages", dropped}}}};
}

Json parse_sockperf_throughput(const Workload& w, const std::string& output) {
  static const std::regex sent_re(R"(Total of (\d+) messages sent in ([0-9.]+) sec)");
  std::string text = strip_ansi(output);
  std::smatch m;
  if (!std::regex_search(text, m, sent_re)) {
    std::string why = sockperf_error(output);
    throw Error(ErrorCode::kIo,
                "sockperf throughput: " +
                    (why.empty() ? std::string("no \"Total of N messages sent\" line in its output")
                                 : why));
  }
  Counts c;
  c.tx_packets = std::stoull(m[1].str());
  c.tx_bytes = c.tx_packets * static_cast<std::uint64_t>(w.payload);
  double seconds = std::stod(m[2].str());
  if (seconds <= 0) seconds = w.duration_s;
  Json metrics = client_metrics(w, c, seconds, nullptr);
  // The client does not know what arrived (tcp_stream's rx_bps would read 0): the server's
  // count says, over this window (combine_load_results).
  metrics.erase("rx_bps");
  return Json{
      {"tool", "sockperf"},
      {"type", to_string(w.type)},
      {"duration_s", seconds},
      {"warmup_s", 0},
      {"counts", Json{{"tx_packets", c.tx_packets}, {"tx_bytes", c.tx_bytes}}},
      {"metrics", std::move(metrics)},
      {"intervals", Json::array()},
      {"details",
       Json{{"note", "sockperf throughput has no warm-up cut and no per-interval output"}}}};
}

Json parse_sockperf_server(const Workload& w, const std::string& output) {
  static const std::regex received_re(R"(Total (\d+) messages received)");
  std::string text = strip_ansi(output);
  std::smatch m;
  Json counts = Json::object(), metrics = Json::object();
  Json details{{"tool", "sockperf"}};
  if (std::regex_search(text, m, received_re)) {
    std::uint64_t n = std::stoull(m[1].str());
    // Includes sockperf's own warm-up messages; the time base is the client's.
    counts["rx_packets"] = n;
    counts["rx_bytes"] = n * static_cast<std::uint64_t>(w.payload);
  } else {
    std::string why = sockperf_error(output);
    details["note"] = why.empty() ? "the server printed no received count" : why;
  }
  return Json{
      {"metrics", metrics}, {"counts", counts}, {"intervals", Json::array()}, {"details", details}};
}

Json run_sockperf(const Workload& w, const RunOptions& options) {
  const std::string exe = find_tool("sockperf", "sockperf", options.search_path);
  std::string log_path;
  if (w.is_rr()) {
    char name[] = "/tmp/nictune-sockperf-XXXXXX.csv";
    int fd = mkstemps(name, 4);
    if (fd < 0)
      throw Error(ErrorCode::kIo,
                  "cannot create a file for sockperf --full-log: " + errno_text(errno));
    ::close(fd);
    log_path = name;
  }
  struct Remove {
    std::string path;
    ~Remove() {
      if (!path.empty()) ::unlink(path.c_str());
    }
  } remove{log_path};
  ChildProcess child(sockperf_client_args(w, options, exe, log_path), options.cpus);
  const double run_s =
      w.is_rr() ? std::ceil(w.warmup_s + w.duration_s) + 1 : std::round(w.duration_s);
  const double limit_s = run_s + w.peer_timeout_s + 10;
  auto status = child.wait_for(static_cast<int>(limit_s * 1000));
  if (!status) {
    child.stop(SIGINT, 2000);
    throw Error(ErrorCode::kIo, "sockperf did not finish within " +
                                    std::to_string(static_cast<int>(limit_s)) + " s; stopped it");
  }
  const std::string output = child.output() + child.errors();
  if (!w.is_rr()) return parse_sockperf_throughput(w, output);
  std::ifstream in(log_path);
  std::stringstream log;
  log << in.rdbuf();
  return parse_sockperf_pingpong(w, log.str(), output);
}

namespace {

class SockperfServer : public LoadServer {
 public:
  SockperfServer(const Workload& w, const ServeOptions& options) : w_(w) {
    const std::string exe = find_tool("sockperf", "sockperf", options.search_path);
    port_ = options.port ? options.port : pick_free_port(options.bind);
    std::vector<std::string> args = {exe,          "server", "-i",
                                     options.bind, "-p",     std::to_string(port_)};
    if (!w.is_udp()) args.push_back("--tcp");
    if (w.poll_mode == PollMode::kSpin) args.push_back("--nonblocked");
    if (w.effective_busy_poll_us() > 0)
      args.insert(args.end(), {"--lls", std::to_string(w.effective_busy_poll_us())});
    child_ = std::make_unique<ChildProcess>(args, options.cpus);
    if (!wait_for_bound_port(w.is_udp() ? "udp" : "tcp", port_, 3000)) {
      auto status = child_->stop(SIGKILL, 1000);
      throw Error(ErrorCode::kIo, "sockperf server did not bind port " + std::to_string(port_) +
                                      " (" + ChildProcess::describe(status) +
                                      "): " + sockperf_error(child_->output() + child_->errors()));
    }
  }
  int port() const override { return port_; }
  Json stop() override {
    child_->stop(SIGINT, 2000);  // sockperf prints its totals on SIGINT
    return parse_sockperf_server(w_, child_->output() + child_->errors());
  }

 private:
  Workload w_;
  int port_ = 0;
  std::unique_ptr<ChildProcess> child_;
};

}  // namespace

std::unique_ptr<LoadServer> start_sockperf_server(const Workload& w, const ServeOptions& options) {
  return std::make_unique<SockperfServer>(w, options);
}

}  // namespace nictune::load

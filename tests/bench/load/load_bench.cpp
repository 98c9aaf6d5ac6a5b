// load_bench: the built-in generators against iperf3, sockperf and minimal reference loops on
// loopback, each case run several times in one go; prints median, spread and the ratios the
// load issue targets. Not a test: the figures depend on the box (see docs/performance.md).
//
//   load_bench [--seconds S] [--reps N] [--sender-cpu C] [--receiver-cpu C] [--group G]
//   (G: stream, rr or cost; default all three)
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "agents/load/histogram.hpp"
#include "agents/load/load_runner.hpp"
#include "agents/load/sys_util.hpp"
#include "core/load_results.hpp"
#include "minimal_loops.hpp"

namespace {

using nictune::Json;
using nictune::Workload;
using namespace nictune::load;
using namespace nictune::load::bench;

struct Options {
  double seconds = 3;
  int reps = 3;
  unsigned sender_cpu = 0;
  unsigned receiver_cpu = 1;
  std::string group;  // "" = all
};

struct Figure {
  Figure(std::string n, std::string u) : name(std::move(n)), unit(std::move(u)) {}
  std::string name;
  std::string unit;
  std::vector<double> runs;
  std::string note;
  double median() const {
    if (runs.empty()) return NAN;
    std::vector<double> v = runs;
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  }
  double spread_percent() const {
    if (runs.size() < 2) return 0;
    auto [lo, hi] = std::minmax_element(runs.begin(), runs.end());
    return (*hi - *lo) / median() * 100;
  }
};

// One measurement through the same entry points the agent methods use.
Json measure(const Workload& w, const Options& o) {
  ServeOptions so;
  so.bind = "127.0.0.1";
  so.cpus = {o.receiver_cpu};
  auto server = start_server(w, so);
  RunOptions ro;
  ro.target = "127.0.0.1";
  ro.port = server->port();
  ro.cpus = {o.sender_cpu};
  Json client;
  try {
    client = run_load(w, ro);
  } catch (...) {
    server->stop();
    throw;
  }
  Json result = nictune::combine_load_results(w, client, server->stop());
  return result;
}

Workload workload(Json doc, const Options& o) {
  doc["duration_s"] = o.seconds;
  if (!doc.contains("warmup_s")) doc["warmup_s"] = 1;
  doc["interval_ms"] = static_cast<int>(o.seconds * 1000);
  return nictune::parse_workload(doc);
}

using Case = std::pair<Figure*, std::function<double()>>;

// Runs the cases of a group in turn, rep after rep (A B C A B C ...), so that a change in the
// box's background load over time hits every case alike instead of the ones that ran last.
void run_group(const char* name, const char* title, const Options& o,
               const std::vector<Case>& cases) {
  if (!o.group.empty() && o.group != name) return;
  std::fprintf(stderr, "%s\n", title);
  for (int rep = 0; rep < o.reps; ++rep) {
    for (const auto& [figure, once] : cases) {
      if (!figure->note.empty()) continue;  // failed before: do not retry
      try {
        double v = once();
        figure->runs.push_back(v);
        std::fprintf(stderr, "  run %d  %-52s %.4g\n", rep + 1, figure->name.c_str(), v);
      } catch (const std::exception& e) {
        figure->note = e.what();
        std::fprintf(stderr, "  run %d  %-52s failed: %s\n", rep + 1, figure->name.c_str(),
                     e.what());
      }
    }
  }
}

double p50(std::vector<std::uint64_t> v) {
  if (v.empty()) return NAN;
  std::nth_element(v.begin(), v.begin() + static_cast<long>((v.size() - 1) / 2), v.end());
  return static_cast<double>(v[(v.size() - 1) / 2]);
}

double histogram_record_ns(std::uint64_t samples) {
  std::mt19937_64 rng(1);
  std::lognormal_distribution<double> d(std::log(20000.0), 1.0);
  std::vector<std::uint64_t> values(1 << 16);
  for (auto& v : values) v = static_cast<std::uint64_t>(d(rng));
  LatencyHistogram h;
  std::int64_t t0 = now_ns();
  for (std::uint64_t i = 0; i < samples; ++i) h.record(values[i & 0xffff]);
  std::int64_t t1 = now_ns();
  if (h.count() != samples) std::abort();
  return static_cast<double>(t1 - t0) / static_cast<double>(samples);
}

// The clock read the generators do around each transaction, for scale.
double clock_read_ns(std::uint64_t samples) {
  std::int64_t sink = 0;
  std::int64_t t0 = now_ns();
  for (std::uint64_t i = 0; i < samples; ++i) sink += now_ns();
  std::int64_t t1 = now_ns();
  if (sink == 42) std::puts("");
  return static_cast<double>(t1 - t0) / static_cast<double>(samples);
}

void print_row(const Figure& f) {
  std::printf("| %-46s | %14.4g | %7.1f%% | %-8s |", f.name.c_str(), f.median(), f.spread_percent(),
              f.unit.c_str());
  for (double r : f.runs) std::printf(" %.4g", r);
  if (!f.note.empty()) std::printf(" (%s)", f.note.c_str());
  std::printf("\n");
}

void print_ratio(const char* what, double value, const char* target, bool ok) {
  std::printf("| %-62s | %6.2f | %-8s | %-4s |\n", what, value, target,
              std::isnan(value) ? "n/a"
              : ok              ? "met"
                                : "MISS");
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "load_bench: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--seconds") {
      o.seconds = std::stod(next());
    } else if (a == "--reps") {
      o.reps = std::stoi(next());
    } else if (a == "--sender-cpu") {
      o.sender_cpu = static_cast<unsigned>(std::stoul(next()));
    } else if (a == "--receiver-cpu") {
      o.receiver_cpu = static_cast<unsigned>(std::stoul(next()));
    } else if (a == "--group") {
      o.group = next();
    } else {
      std::fprintf(stderr,
                   "usage: load_bench [--seconds S] [--reps N] [--sender-cpu C] [--receiver-cpu C] "
                   "[--group stream|rr|cost]\n");
      return a == "-h" || a == "--help" ? 0 : 2;
    }
  }
  o.seconds = std::max(1.0, std::round(o.seconds));  // iperf3 and sockperf take whole seconds
  std::fprintf(
      stderr,
      "load_bench: %d x %.0f s per case, sender on CPU %u, receiver on CPU %u, %u CPUs online\n",
      o.reps, o.seconds, o.sender_cpu, o.receiver_cpu, std::thread::hardware_concurrency());

  Figure builtin_stream{"udp_stream 64 B rx: built-in (sendmmsg/recvmmsg)", "pkt/s"};
  Figure iperf3_stream{"udp_stream 64 B rx: iperf3 -u -l 64 -b 0", "pkt/s"};
  Figure sockperf_stream{"udp_stream 64 B rx: sockperf tp -m 64", "pkt/s"};
  Figure minimal_stream{"udp_stream 64 B rx: minimal sendmmsg/recvmmsg loop", "pkt/s"};
  Figure builtin_gso{"udp_stream 64 B rx: built-in, gso (UDP_SEGMENT)", "pkt/s"};
  Figure minimal_gso{"udp_stream 64 B rx: minimal UDP_SEGMENT/recvmmsg loop", "pkt/s"};
  Figure builtin_spin{"udp_rr 64 B p50 RTT: built-in, spin (MSG_DONTWAIT)", "us"};
  Figure builtin_busy{"udp_rr 64 B p50 RTT: built-in, SO_BUSY_POLL 50 us", "us"};
  Figure minimal_spin{"udp_rr 64 B p50 RTT: minimal spinning ping-pong", "us"};
  Figure builtin_blocking{"udp_rr 64 B p50 RTT: built-in, blocking", "us"};
  Figure sockperf_blocking{"udp_rr 64 B p50 RTT: sockperf ping-pong", "us"};
  Figure record_cost{"histogram record, per sample", "ns"};
  Figure clock_cost{"clock_gettime(MONOTONIC), per call (for scale)", "ns"};

  const LoopPlacement where{o.sender_cpu, o.receiver_cpu};
  const int batch = Workload{}.batch;
  auto rx_pps = [&](Json doc) {
    return measure(workload(doc, o), o)["metrics"]["rx_pps"].get<double>();
  };
  auto rtt_p50 = [&](Json doc) {
    return measure(workload(doc, o), o)["metrics"]["rtt_p50_us"].get<double>();
  };

  run_group(
      "stream", "udp_stream, 64-byte datagrams, max rate:", o,
      {{&builtin_stream,
        [&] {
          return rx_pps({{"type", "udp_stream"}, {"payload", 64}});
        }},
       {&iperf3_stream,
        [&] {
          return rx_pps({{"type", "udp_stream"}, {"tool", "iperf3"}, {"payload", 64}});
        }},
       {&sockperf_stream,
        [&] {
          return rx_pps(
              {{"type", "udp_stream"}, {"tool", "sockperf"}, {"payload", 64}, {"warmup_s", 0}});
        }},
       {&minimal_stream,
        [&] { return minimal_udp_stream_rx_pps(64, batch, false, 1, o.seconds, where); }},
       {&builtin_gso,
        [&] {
          return rx_pps({{"type", "udp_stream"}, {"payload", 64}, {"gso", true}});
        }},
       {&minimal_gso,
        [&] { return minimal_udp_stream_rx_pps(64, batch, true, 1, o.seconds, where); }}});
  run_group("rr", "udp_rr, 64-byte request and reply, one flow:", o,
            {{&builtin_spin,
              [&] {
                return rtt_p50({{"type", "udp_rr"}, {"poll_mode", "spin"}});
              }},
             {&minimal_spin,
              [&] { return p50(minimal_spin_pingpong_rtts(64, 1, o.seconds, where)) / 1000.0; }},
             {&builtin_busy,
              [&] {
                return rtt_p50({{"type", "udp_rr"}, {"poll_mode", "busy_poll"}});
              }},
             {&builtin_blocking,
              [&] {
                return rtt_p50({{"type", "udp_rr"}, {"poll_mode", "blocking"}});
              }},
             {&sockperf_blocking, [&] {
                return rtt_p50({{"type", "udp_rr"}, {"tool", "sockperf"}, {"warmup_s", 0.5}});
              }}});
  run_group("cost", "measurement cost:", o,
            {{&record_cost, [] { return histogram_record_ns(50000000); }},
             {&clock_cost, [] { return clock_read_ns(10000000); }}});

  std::printf("\n| case | median | spread | unit | runs |\n|---|---:|---:|---|---|\n");
  for (const Figure* f : {&builtin_stream, &iperf3_stream, &sockperf_stream, &minimal_stream,
                          &builtin_gso, &minimal_gso, &builtin_spin, &minimal_spin, &builtin_busy,
                          &builtin_blocking, &sockperf_blocking, &record_cost, &clock_cost}) {
    print_row(*f);
  }
  std::printf("\n| ratio | value | target | |\n|---|---:|---|---|\n");
  double r;
  // Both send paths against the same references: gso is the fastest the built-in generator
  // goes, sendmmsg is its default (one skb per datagram all the way, as a NIC delivers them).
  for (const auto& [path, figure] :
       {std::pair{"gso", &builtin_gso}, {"sendmmsg", &builtin_stream}}) {
    const std::string who = std::string("built-in ") + path;
    r = figure->median() / iperf3_stream.median();
    print_ratio((who + " / iperf3, udp_stream rx pps").c_str(), r, ">= 1.25", r >= 1.25);
    r = figure->median() / sockperf_stream.median();
    print_ratio((who + " / sockperf, udp_stream rx pps").c_str(), r, ">= 1.2", r >= 1.2);
  }
  r = builtin_stream.median() / minimal_stream.median();
  print_ratio("built-in sendmmsg / minimal sendmmsg loop, rx pps", r, ">= 0.95", r >= 0.95);
  r = builtin_gso.median() / minimal_gso.median();
  print_ratio("built-in gso / minimal UDP_SEGMENT loop, rx pps", r, ">= 0.95", r >= 0.95);
  r = builtin_spin.median() / minimal_spin.median();
  print_ratio("built-in spin / minimal spin ping-pong, p50 RTT", r, "<= 1.1", r <= 1.1);
  r = builtin_blocking.median() / sockperf_blocking.median();
  print_ratio("built-in blocking / sockperf ping-pong, p50 RTT", r, "<= 1.0", r <= 1.0);
  return 0;
}

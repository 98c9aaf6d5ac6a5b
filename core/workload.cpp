#include "core/workload.hpp"

#include <cmath>

#include "core/errors.hpp"
#include "core/known_fields.hpp"
#include "core/load_tool_checks.hpp"
#include "core/load_tools.hpp"
#include "core/source_spread.hpp"
#include "core/text_util.hpp"

namespace nictune {
namespace {

template <typename Enum>
struct Names {
  std::vector<std::pair<std::string, Enum>> items;
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& [name, value] : items) out.push_back(name);
    return out;
  }
  const Enum* find(const std::string& name) const {
    for (const auto& item : items) {
      if (item.first == name) return &item.second;
    }
    return nullptr;
  }
  std::string_view name(Enum value) const {
    for (const auto& item : items) {
      if (item.second == value) return item.first;
    }
    return "?";
  }
};

const Names<WorkloadType>& type_names() {
  static const Names<WorkloadType> names{{{"udp_stream", WorkloadType::kUdpStream},
                                          {"udp_rr", WorkloadType::kUdpRr},
                                          {"tcp_stream", WorkloadType::kTcpStream},
                                          {"tcp_rr", WorkloadType::kTcpRr},
                                          {"tcp_crr", WorkloadType::kTcpCrr}}};
  return names;
}

const Names<PollMode>& poll_mode_names() {
  static const Names<PollMode> names{{{"blocking", PollMode::kBlocking},
                                      {"busy_poll", PollMode::kBusyPoll},
                                      {"spin", PollMode::kSpin}}};
  return names;
}

bool is_integral(const Json& v) {
  if (v.is_number_integer() || v.is_number_unsigned()) return true;
  if (!v.is_number_float()) return false;
  double d = v.get<double>();
  return std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.0e15;
}

std::string number_text(double value) {
  Json j = value;
  if (value == std::floor(value) && std::fabs(value) < 9.0e15) j = static_cast<long long>(value);
  return j.dump();
}

// Range checks record the issue and answer whether the value was usable.
bool check_int(const Json& v, const std::string& path, long long lo, long long hi, Issues& issues) {
  if (!is_integral(v) || v.get<double>() < static_cast<double>(lo) ||
      v.get<double>() > static_cast<double>(hi)) {
    issues.add(path, "expected an integer from " + std::to_string(lo) + " to " +
                         std::to_string(hi) + ", found " + json_brief(v));
    return false;
  }
  return true;
}

bool check_number(const Json& v, const std::string& path, double lo, double hi, bool lo_open,
                  Issues& issues) {
  bool ok = v.is_number() && std::isfinite(v.get<double>());
  if (ok) {
    double d = v.get<double>();
    ok = (lo_open ? d > lo : d >= lo) && d <= hi;
  }
  if (!ok) {
    issues.add(path, std::string("expected a number ") + (lo_open ? "above " : "from ") +
                         number_text(lo) + (lo_open ? " up to " : " to ") + number_text(hi) +
                         ", found " + json_brief(v));
  }
  return ok;
}

template <typename Enum>
bool check_enum(const Json& v, const std::string& path, const Names<Enum>& names, Issues& issues,
                Enum* out) {
  if (!v.is_string()) {
    issues.add(path, "expected one of " + join(names.names(), ", ") + ", found " + json_brief(v));
    return false;
  }
  const Enum* found = names.find(v.get<std::string>());
  if (!found) {
    issues.add(path, "unknown value " + json_brief(v) +
                         did_you_mean(v.get<std::string>(), names.names()) + "; expected one of " +
                         join(names.names(), ", "));
    return false;
  }
  if (out) *out = *found;
  return true;
}

// The largest payload each transport takes: one UDP datagram over IPv4, a sane write size for
// TCP (the kernel splits it).
constexpr long long kMinUdpPayload = 18;  // the built-in 16-byte header, and what iperf3 accepts
constexpr long long kMaxUdpPayload = 65507;
constexpr long long kMaxTcpPayload = 16 << 20;
constexpr std::size_t kMaxIntervals = 100000;

// The rate search runs the workload at many offered rates and judges each by its loss: only
// workloads that count lost packets per window and can be paced qualify.
template <typename At>
void check_rate_search(const Json& doc, const std::string& path, const At& at, Workload& w,
                       Issues& issues) {
  RateSearchSpec search;
  const std::size_t before = issues.size();
  read_rate_search(doc, path, w.duration_s, issues, search);
  const std::string workload_path = path.substr(0, path.rfind('.'));
  if (w.type != WorkloadType::kUdpStream && w.type != WorkloadType::kUdpRr) {
    issues.add(workload_path + ".type",
               "a rate search needs a workload that counts lost packets: udp_stream or udp_rr, "
               "found " +
                   std::string(to_string(w.type)));
  }
  if (!w.tool->no_rate_search.empty()) {
    const std::string others =
        load_tools_that(w.type, [](const LoadTool& t) { return t.no_rate_search.empty(); });
    issues.add(workload_path + ".tool",
               w.tool->name + " cannot take part in a rate search: " + w.tool->no_rate_search +
                   (others.empty() ? "" : "; use tool " + others));
  }
  if (at("rate_pps") && w.rate_pps > 0) {
    issues.add(workload_path + ".rate_pps",
               "the rate search sets the offered rate itself; remove rate_pps or rate_search");
  }
  if (!w.tool->duration_flag.empty() &&
      search.initial_trial_s != std::floor(search.initial_trial_s)) {
    issues.add(path + ".initial_trial_s", w.tool->name + " takes whole seconds (" +
                                              w.tool->duration_flag + "), found " +
                                              number_text(search.initial_trial_s));
  }
  if (doc.is_object() && doc.contains("latency_at") && !w.is_rr()) {
    issues.add(path + ".latency_at",
               "latency at load needs round-trip times: a udp_rr workload, "
               "found " +
                   std::string(to_string(w.type)));
  }
  if (issues.size() == before) w.rate_search = search;
}

// Reads what could be read into `w`, recording every issue. Returns the same issues whatever the
// order of the fields.
void read_workload(const Json& doc, const std::string& path, Issues& issues, Workload& w) {
  if (!doc.is_object()) {
    issues.add(path, "expected an object like {\"type\": \"udp_stream\", \"payload\": 64}, found " +
                         json_type_name(doc));
    return;
  }
  const auto& fields = workload_field_names();
  check_known_fields(doc, path, fields, issues);
  auto at = [&](const char* name) -> const Json* {
    auto it = doc.find(name);
    return it == doc.end() ? nullptr : &*it;
  };
  auto sub = [&](const char* name) { return path + "." + name; };

  bool type_ok = false;
  if (const Json* v = at("type")) {
    type_ok = check_enum(*v, sub("type"), type_names(), issues, &w.type);
  } else {
    issues.add(sub("type"), "missing; expected one of " + join(type_names().names(), ", "));
  }
  if (const Json* v = at("tool")) read_load_tool(*v, sub("tool"), issues, w.tool);
  if (const Json* v = at("poll_mode"))
    check_enum(*v, sub("poll_mode"), poll_mode_names(), issues, &w.poll_mode);

  if (type_ok && w.type == WorkloadType::kTcpStream) w.payload = 65536;
  if (const Json* v = at("payload")) {
    long long lo = 1, hi = kMaxTcpPayload;
    if (type_ok && w.is_udp()) lo = kMinUdpPayload, hi = kMaxUdpPayload;
    if (check_int(*v, sub("payload"), lo, hi, issues)) w.payload = v->get<int>();
  }
  auto read_int = [&](const char* name, long long lo, long long hi, int& out) {
    if (const Json* v = at(name)) {
      if (check_int(*v, sub(name), lo, hi, issues)) out = static_cast<int>(v->get<double>());
    }
  };
  auto read_number = [&](const char* name, double lo, double hi, bool lo_open, double& out) {
    if (const Json* v = at(name)) {
      if (check_number(*v, sub(name), lo, hi, lo_open, issues)) out = v->get<double>();
    }
  };
  auto read_bool = [&](const char* name, bool& out) {
    if (const Json* v = at(name)) {
      if (v->is_boolean()) {
        out = v->get<bool>();
      } else {
        issues.add(sub(name), "expected true or false, found " + json_brief(*v));
      }
    }
  };
  bool flows_ok = true;
  if (const Json* v = at("flows")) flows_ok = check_int(*v, sub("flows"), 1, 1024, issues);
  if (flows_ok && at("flows")) w.flows = at("flows")->get<int>();
  read_int("threads", 1, 256, w.threads);
  read_number("rate_pps", 0, 1e9, false, w.rate_pps);
  read_number("duration_s", 0, 86400, true, w.duration_s);
  read_number("warmup_s", 0, 3600, false, w.warmup_s);
  read_int("interval_ms", 10, 3600000, w.interval_ms);
  read_int("busy_poll_us", 0, 1000000, w.busy_poll_us);
  read_int("batch", 1, 1024, w.batch);
  read_bool("gso", w.gso);
  read_bool("timestamps", w.timestamps);
  read_bool("incoming_cpu", w.incoming_cpu);
  read_int("reply_timeout_ms", 1, 60000, w.reply_timeout_ms);
  read_number("peer_timeout_s", 0.1, 600, false, w.peer_timeout_s);

  if (w.threads > w.flows && at("threads")) {
    issues.add(sub("threads"), "expected at most one thread per flow (flows is " +
                                   std::to_string(w.flows) + "), found " +
                                   std::to_string(w.threads));
  }
  if (w.interval_count() > kMaxIntervals) {
    issues.add(sub("interval_ms"), "duration_s / interval_ms gives " +
                                       std::to_string(w.interval_count()) + " intervals; at most " +
                                       std::to_string(kMaxIntervals) +
                                       " are kept, choose a longer interval");
  }
  read_source_spread(doc, path, issues);  // the agent reads it again for load.run
  if (!type_ok) return;

  check_load_tool_limits(doc, path, w, issues);
  if (const Json* v = at("rate_search")) check_rate_search(*v, sub("rate_search"), at, w, issues);
  if (at("gso") && w.gso && w.type != WorkloadType::kUdpStream) {
    issues.add(sub("gso"), "gso (UDP segmentation offload on send) applies to udp_stream only");
  }
}

}  // namespace

std::string_view to_string(WorkloadType type) {
  return type_names().name(type);
}
std::string_view to_string(PollMode mode) {
  return poll_mode_names().name(mode);
}

const std::vector<WorkloadType>& workload_types() {
  static const std::vector<WorkloadType> types = [] {
    std::vector<WorkloadType> out;
    for (const auto& item : type_names().items) out.push_back(item.second);
    return out;
  }();
  return types;
}

const std::vector<std::string>& promised_metrics(WorkloadType type) {
  // Counts and rates of the measured window; request/response kinds add the RTT summary.
  static const std::vector<std::string> udp_stream = {
      "tx_packets", "rx_packets", "lost_packets", "tx_pps", "rx_pps", "rx_bps", "loss_ratio"};
  static const std::vector<std::string> tcp_stream = {"tx_bps", "rx_bps"};
  static const std::vector<std::string> rr = {"tx_packets", "rx_packets", "transactions_per_s",
                                              "rtt_p50_us", "rtt_p99_us", "rtt_min_us",
                                              "rtt_max_us"};
  static const std::vector<std::string> crr = {"connections_per_s", "rtt_p50_us", "rtt_p99_us"};
  switch (type) {
    case WorkloadType::kUdpStream:
      return udp_stream;
    case WorkloadType::kTcpStream:
      return tcp_stream;
    case WorkloadType::kUdpRr:
    case WorkloadType::kTcpRr:
      return rr;
    case WorkloadType::kTcpCrr:
      return crr;
  }
  return udp_stream;
}

std::size_t Workload::interval_count() const {
  double n = std::ceil(duration_s * 1000.0 / interval_ms - 1e-9);
  return n < 1 ? 1 : static_cast<std::size_t>(n);
}

const std::vector<std::string>& workload_field_names() {
  static const std::vector<std::string> names = {"type",
                                                 "tool",
                                                 "payload",
                                                 "flows",
                                                 "threads",
                                                 "rate_pps",
                                                 "duration_s",
                                                 "warmup_s",
                                                 "interval_ms",
                                                 "busy_poll_us",
                                                 "poll_mode",
                                                 "batch",
                                                 "gso",
                                                 "timestamps",
                                                 "incoming_cpu",
                                                 "reply_timeout_ms",
                                                 "peer_timeout_s",
                                                 "rate_search",
                                                 "source_prefix",
                                                 "source_addresses"};
  return names;
}

Json Workload::to_json() const {
  Json out{{"type", to_string(type)},
           {"tool", tool->name},
           {"payload", payload},
           {"flows", flows},
           {"threads", threads},
           {"rate_pps", rate_pps},
           {"duration_s", duration_s},
           {"warmup_s", warmup_s},
           {"interval_ms", interval_ms},
           {"busy_poll_us", busy_poll_us},
           {"poll_mode", to_string(poll_mode)},
           {"batch", batch},
           {"gso", gso},
           {"timestamps", timestamps},
           {"incoming_cpu", incoming_cpu},
           {"reply_timeout_ms", reply_timeout_ms},
           {"peer_timeout_s", peer_timeout_s}};
  if (rate_search) out["rate_search"] = rate_search->to_json();
  return out;
}

void validate_workload(const Json& doc, const std::string& path, Issues& issues) {
  Workload ignored;
  read_workload(doc, path, issues, ignored);
}

Workload parse_workload(const Json& doc, const std::string& path) {
  Issues issues;
  Workload w;
  read_workload(doc, path, issues, w);
  if (!issues.empty()) {
    std::string text = issues.format();
    if (!text.empty() && text.back() == '\n') text.pop_back();
    throw invalid(text);
  }
  return w;
}

}  // namespace nictune

#include "orchestrator/spec/experiment_spec.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstdio>

#include "core/metrics.hpp"
#include "core/rate_search_metrics.hpp"
#include "core/text_util.hpp"
#include "core/workload.hpp"
#include "core/workload_params.hpp"
#include "orchestrator/spec/field_reader.hpp"
#include "orchestrator/transport/transport_kinds.hpp"

namespace nictune {
namespace {

const std::vector<std::string> kHostKeys = {"transport",
                                            "interface",
                                            "address",
                                            "netns",
                                            "host",
                                            "port",
                                            "user",
                                            "identity_file",
                                            "known_hosts",
                                            "sudo",
                                            "connect_timeout_s",
                                            "agent_path",
                                            "allow_management_interface"};

bool valid_interface_name(const std::string& name) {
  // IFNAMSIZ is 16 including the terminator; '/' and whitespace can never appear.
  if (name.empty() || name.size() > 15 || name == "." || name == "..") return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
           c == '@' || c == ':';
  });
}

bool valid_ip(const std::string& text) {
  unsigned char buffer[16];
  return inet_pton(AF_INET, text.c_str(), buffer) == 1 ||
         inet_pton(AF_INET6, text.c_str(), buffer) == 1;
}

HostSpec parse_host(const Json& doc, const std::string& path, const std::string& role,
                    const std::string& bench, Issues& issues) {
  HostSpec host;
  host.role = role;
  host.bench = bench;
  FieldReader r(doc, path, issues, kHostKeys);
  if (!r.ok()) return host;
  host.transport = r.choice("transport", transport_names(), true).value_or("");
  if (auto v = r.string("interface", true)) {
    if (valid_interface_name(*v)) {
      host.interface = *v;
    } else {
      issues.add(r.path("interface"),
                 "\"" + *v + "\" is not an interface name (1-15 characters, no '/' or spaces)");
    }
  }
  if (auto v = r.string("address")) {
    if (valid_ip(*v))
      host.address = *v;
    else
      issues.add(r.path("address"), "expected an IPv4 or IPv6 address, found \"" + *v + "\"");
  }
  if (auto v = r.string("netns")) {
    if (valid_interface_name(*v) ||
        (v->size() < 64 && v->find('/') == std::string::npos && !v->empty()))
      host.netns = *v;
    else
      issues.add(r.path("netns"), "\"" + *v + "\" is not a network namespace name");
  }
  host.host = r.string("host").value_or("");
  host.port = static_cast<int>(r.integer("port", 1, 65535).value_or(22));
  host.user = r.string("user").value_or("root");
  host.identity_file = r.string("identity_file").value_or("");
  host.known_hosts = r.string("known_hosts").value_or("");
  host.sudo = r.boolean("sudo").value_or(false);
  host.connect_timeout_s = static_cast<int>(r.integer("connect_timeout_s", 1, 600).value_or(10));
  host.agent_path = r.string("agent_path").value_or("");
  host.allow_management_interface = r.boolean("allow_management_interface").value_or(false);
  if (const TransportKind* kind = find_transport_kind(host.transport)) {
    kind->check_host(
        host, [&](const std::string& key) { return r.has(key); },
        [&](const std::string& key, const std::string& message) {
          issues.add(r.path(key), message);
        });
  }
  return host;
}

void parse_benches(const Json& doc, const std::string& origin_path, ExperimentSpec& spec,
                   Issues& issues) {
  (void)origin_path;
  if (doc.contains("hosts") && doc.contains("benches")) {
    issues.add("benches",
               "give either \"hosts\" (one DUT/LG pair) or \"benches\" (several), not both");
    return;
  }
  if (doc.contains("hosts")) {
    FieldReader r(doc["hosts"], "hosts", issues, {"dut", "lg", "forwarding"});
    if (!r.ok()) return;
    if (!r.has("dut")) issues.add("hosts.dut", "missing (required)");
    if (!r.has("lg")) issues.add("hosts.lg", "missing (required)");
    if (!r.has("dut") || !r.has("lg")) return;
    BenchSpec bench{"", parse_host(r.raw("dut"), "hosts.dut", "dut", "", issues),
                    parse_host(r.raw("lg"), "hosts.lg", "lg", "", issues), std::nullopt};
    if (r.has("forwarding"))
      bench.forwarding =
          parse_forwarding(r.raw("forwarding"), "hosts.forwarding", bench.dut, bench.lg, issues);
    spec.benches.push_back(std::move(bench));
    return;
  }
  if (!doc.contains("benches")) {
    issues.add("hosts", "missing (required): {\"dut\": {...}, \"lg\": {...}}");
    return;
  }
  const Json& list = doc["benches"];
  if (!list.is_array() || list.empty()) {
    issues.add("benches", "expected a non-empty array of {\"name\", \"dut\", \"lg\"}");
    return;
  }
  std::vector<std::string> names;
  for (std::size_t i = 0; i < list.size(); ++i) {
    std::string path = "benches[" + std::to_string(i) + "]";
    FieldReader r(list[i], path, issues, {"name", "dut", "lg", "forwarding"});
    if (!r.ok()) continue;
    BenchSpec bench;
    bench.name = r.string("name", true).value_or("bench" + std::to_string(i));
    if (std::find(names.begin(), names.end(), bench.name) != names.end()) {
      issues.add(r.path("name"), "duplicate bench name \"" + bench.name + "\"");
    }
    names.push_back(bench.name);
    if (!r.has("dut") || !r.has("lg")) {
      issues.add(path, "each bench needs \"dut\" and \"lg\"");
      continue;
    }
    bench.dut = parse_host(r.raw("dut"), path + ".dut", "dut", bench.name, issues);
    bench.lg = parse_host(r.raw("lg"), path + ".lg", "lg", bench.name, issues);
    if (r.has("forwarding"))
      bench.forwarding =
          parse_forwarding(r.raw("forwarding"), path + ".forwarding", bench.dut, bench.lg, issues);
    spec.benches.push_back(std::move(bench));
  }
}

void parse_objectives(const Json& doc, ExperimentSpec& spec, Issues& issues) {
  if (!doc.contains("objectives")) {
    issues.add("objectives",
               "missing (required): e.g. [{\"metric\": \"rx_pps\", \"goal\": \"max\"}]");
    return;
  }
  const Json& list = doc["objectives"];
  if (!list.is_array() || list.empty()) {
    issues.add("objectives", "expected a non-empty array of {\"metric\", \"goal\"}");
    return;
  }
  for (std::size_t i = 0; i < list.size(); ++i) {
    std::string path = "objectives[" + std::to_string(i) + "]";
    FieldReader r(list[i], path, issues, {"metric", "goal"});
    if (!r.ok()) continue;
    auto metric = r.string("metric", true);
    auto goal = r.choice("goal", {"max", "min"}, true);
    if (metric && !find_metric(*metric)) {
      issues.add(r.path("metric"), "unknown metric \"" + *metric + "\"" +
                                       did_you_mean(*metric, metric_names()) +
                                       "; `nictune metrics` lists them");
      continue;
    }
    if (!metric || !goal) continue;
    if (const std::string why = rate_metric_problem(doc.value("workload", Json()), *metric);
        !why.empty()) {
      issues.add(r.path("metric"), why);
    }
    for (const auto& existing : spec.objectives) {
      if (existing.metric == *metric)
        issues.add(r.path("metric"), "\"" + *metric + "\" is already an objective");
    }
    spec.objectives.push_back({*metric, *goal == "max" ? Goal::kMaximize : Goal::kMinimize});
  }
}

void parse_outcome_constraints(const Json& doc, ExperimentSpec& spec, Issues& issues) {
  if (!doc.contains("outcome_constraints")) return;
  const Json& list = doc["outcome_constraints"];
  if (!list.is_array()) {
    issues.add("outcome_constraints", "expected an array of strings like \"loss_ratio <= 0.001\"");
    return;
  }
  for (std::size_t i = 0; i < list.size(); ++i) {
    std::string path = "outcome_constraints[" + std::to_string(i) + "]";
    if (!list[i].is_string()) {
      issues.add(
          path, "expected a string like \"loss_ratio <= 0.001\", found " + json_type_name(list[i]));
      continue;
    }
    try {
      Comparison c = Comparison::parse(list[i].get<std::string>());
      if (c.lhs().kind != Operand::Kind::kName || !find_metric(c.lhs().text)) {
        issues.add(path, "\"" + c.lhs().text + "\" is not a metric" +
                             did_you_mean(c.lhs().text, metric_names()) +
                             "; expected \"<metric> <op> <number>\"");
        continue;
      }
      if (c.rhs().kind != Operand::Kind::kNumber) {
        issues.add(path, "expected a number on the right of \"" + to_string(c.op()) +
                             "\", found \"" + c.rhs().text + "\"");
        continue;
      }
      spec.outcome_constraints.push_back(std::move(c));
    } catch (const Error& e) {
      issues.add(path, e.what());
    }
  }
}

void parse_strategy(const Json& doc, ExperimentSpec& spec, Issues& issues) {
  if (!doc.contains("strategy")) return;  // grid with defaults
  FieldReader r(doc["strategy"], "strategy", issues, {"type", "budget", "seed", "options"});
  if (!r.ok()) return;
  spec.strategy = r.choice("type", strategy_names()).value_or(spec.strategy);
  spec.budget = static_cast<int>(r.integer("budget", 1, 100000).value_or(spec.budget));
  spec.seed = static_cast<std::uint64_t>(r.integer("seed", 0, std::int64_t{1} << 53).value_or(1));
  if (r.has("options")) {
    if (!r.raw("options").is_object()) {
      issues.add("strategy.options",
                 "expected an object, found " + json_type_name(r.raw("options")));
    } else {
      spec.strategy_options = r.raw("options");
      parse_warm_start(spec.strategy_options, spec.strategy, spec.warm_start, issues);
    }
  }
}

void parse_race(FieldReader& r, ExperimentSpec& spec, Issues& issues) {
  RepetitionSpec& rep = spec.repetitions;
  rep.kind = RepetitionPolicyKind::kRace;
  rep.min = static_cast<int>(r.integer("min", 1, 1000).value_or(kRaceDefaultMin));
  rep.max =
      static_cast<int>(r.integer("max", 1, 1000).value_or(std::max(rep.min, kRaceDefaultMax)));
  rep.budget = static_cast<int>(r.integer("budget", 1, 1000000).value_or(0));
  if (r.has("precision")) {
    const auto p = r.number("precision", 0, 10);
    if (p && *p <= 0) {
      issues.add("repetitions.precision",
                 "must be greater than 0 (a relative CI half-width, e.g. 0.02 for 2 %)");
    } else if (p) {
      rep.precision = *p;
    }
  }
  if (rep.max < rep.min) {
    issues.add("repetitions.max", "must be at least min (" + std::to_string(rep.min) + ")");
  }
  // The budget must at least give the baseline and one configuration their minimum repetitions.
  if (rep.budget > 0 && rep.budget < 2 * rep.min) {
    issues.add("repetitions.budget",
               "must allow the minimum repetitions of the baseline and one configuration (at "
               "least 2 x min = " +
                   std::to_string(2 * rep.min) + " trials), got " + std::to_string(rep.budget));
  }
}

void parse_repetitions(const Json& doc, ExperimentSpec& spec, Issues& issues) {
  if (!doc.contains("repetitions")) {
    spec.repetitions.kind = RepetitionPolicyKind::kRace;
    spec.repetitions.min = kRaceDefaultMin;
    spec.repetitions.max = kRaceDefaultMax;
    return;
  }
  FieldReader r(doc["repetitions"], "repetitions", issues,
                {"policy", "count", "min", "max", "ci_rel_width", "budget", "precision"});
  if (!r.ok()) return;
  const std::string policy = r.choice("policy", {"race", "fixed", "adaptive"}).value_or("");
  // Without "policy" the fields say which: "budget"/"precision" race, the others as before.
  const bool race = policy == "race" || (policy.empty() && (r.has("budget") || r.has("precision")));
  if (race) {
    if (r.has("count") || r.has("ci_rel_width")) {
      issues.add("repetitions",
                 "a race takes \"min\", \"max\", \"budget\" and \"precision\"; "
                 "\"count\" and \"ci_rel_width\" belong to the fixed and adaptive "
                 "policies");
    }
    parse_race(r, spec, issues);
    return;
  }
  if (r.has("budget") || r.has("precision")) {
    issues.add("repetitions", "\"budget\" and \"precision\" belong to \"policy\": \"race\"");
  }
  if (r.has("count")) {
    if (r.has("min") || r.has("max") || r.has("ci_rel_width")) {
      issues.add("repetitions",
                 "give either \"count\" or \"min\"/\"max\"/\"ci_rel_width\", not both");
    }
    int n = static_cast<int>(r.integer("count", 1, 1000).value_or(1));
    spec.repetitions.min = spec.repetitions.max = n;
    spec.repetitions.kind = RepetitionPolicyKind::kFixed;
    return;
  }
  spec.repetitions.min = static_cast<int>(r.integer("min", 1, 1000, true).value_or(1));
  spec.repetitions.max =
      static_cast<int>(r.integer("max", 1, 1000, true).value_or(spec.repetitions.min));
  spec.repetitions.ci_rel_width = r.number("ci_rel_width", 0.001, 10, true).value_or(0);
  spec.repetitions.kind = spec.repetitions.ci_rel_width > 0 ? RepetitionPolicyKind::kAdaptive
                                                            : RepetitionPolicyKind::kFixed;
  if (spec.repetitions.max < spec.repetitions.min) {
    issues.add("repetitions.max",
               "must be at least min (" + std::to_string(spec.repetitions.min) + ")");
  }
}

void parse_screening(const Json& doc, ExperimentSpec& spec, Issues& issues) {
  if (!doc.contains("screening")) return;
  FieldReader r(doc["screening"], "screening", issues, {"duration_s", "keep", "min_points"});
  if (!r.ok()) return;
  ScreeningSpec& s = spec.screening;
  s.duration_s = r.number("duration_s", 0.001, 86400, true).value_or(0);
  s.keep = r.number("keep", 0.01, 1).value_or(s.keep);
  s.min_points = static_cast<int>(r.integer("min_points", 1, 100000).value_or(s.min_points));
  if (s.duration_s <= 0 || !spec.workload.is_object()) return;
  const auto given = spec.workload.find("duration_s");
  if (given != spec.workload.end() && !given->is_number()) return;  // told under workload
  const double full = given != spec.workload.end() ? given->get<double>() : Workload{}.duration_s;
  if (s.duration_s >= full) {
    char text[96];
    std::snprintf(text, sizeof text, "must be shorter than workload.duration_s (%g), found %g",
                  full, s.duration_s);
    issues.add("screening.duration_s", text);
    return;
  }
  // A screening trial runs the same workload for less time: whatever that workload cannot do
  // (iperf3 and sockperf take whole seconds) is an error of this field.
  Issues shortened;
  nictune::validate_workload(spec.screening_workload(), "screening", shortened);
  for (const auto& issue : shortened.items()) {
    if (issue.path == "screening.duration_s") issues.add(issue.path, issue.message);
  }
}

// What a forwarding bench measures, and what it cannot: the sink counts UDP datagrams, no
// application runs on the DUT, and the forwarding metrics exist only where a bench forwards.
void check_forwarding(const Json& doc, ExperimentSpec& spec, Issues& issues) {
  std::size_t forwarding = 0;
  for (const auto& bench : spec.benches) forwarding += bench.forwarding ? 1 : 0;
  // A forwarding member that failed to parse has its own issue; no second one for its metrics.
  bool declared =
      doc.contains("hosts") && doc["hosts"].is_object() && doc["hosts"].contains("forwarding");
  if (doc.contains("benches") && doc["benches"].is_array())
    for (const auto& b : doc["benches"])
      declared = declared || (b.is_object() && b.contains("forwarding"));
  if (forwarding > 0 && forwarding != spec.benches.size()) {
    issues.add("benches",
               "either every bench forwards or none does (the trials of one "
               "experiment must measure the same thing)");
  }
  auto needs_forwarding = [&](const std::string& path, const std::string& metric) {
    if (is_forwarding_metric(metric) && forwarding == 0 && !declared) {
      issues.add(path, "\"" + metric +
                           "\" is measured only on a forwarding bench (hosts.forwarding: "
                           "{\"dut_egress\", \"lg_sink\", \"sink_address\"})");
    }
  };
  for (std::size_t i = 0; i < spec.objectives.size(); ++i)
    needs_forwarding("objectives[" + std::to_string(i) + "].metric", spec.objectives[i].metric);
  for (std::size_t i = 0; i < spec.outcome_constraints.size(); ++i)
    needs_forwarding("outcome_constraints[" + std::to_string(i) + "]",
                     spec.outcome_constraints[i].lhs().text);
  if (forwarding == 0 && !declared) return;
  const Json& workload = spec.workload;
  if (workload.is_object() && workload.value("type", "") != "udp_stream") {
    issues.add("workload.type",
               "a forwarding bench counts datagrams at its sink: udp_stream, found " +
                   json_brief(workload.value("type", Json())));
  }
  for (const auto& p : spec.space.parameters()) {
    if (p.name == "app.cpus")
      issues.add("space.parameters.app.cpus",
                 "a forwarding DUT runs no application; place the LG's with \"lg:app.cpus\"");
  }
}

}  // namespace

Json ExperimentSpec::screening_workload() const {
  Json shortened = workload;
  shortened["duration_s"] = screening.duration_s;
  return shortened;
}

StrategyConfig ExperimentSpec::strategy_config() const {
  StrategyConfig config;
  config.space = space;
  config.objectives = objectives;
  config.outcome_constraints = outcome_constraints;
  config.seed = seed;
  config.budget = budget;
  config.options = strategy_options;
  return config;
}

namespace {

double workload_number(const Json& workload, const char* field, double fallback) {
  if (!workload.is_object()) return fallback;
  auto it = workload.find(field);
  return it != workload.end() && it->is_number() ? it->get<double>() : fallback;
}

void parse_lease(FieldReader& top, ExperimentSpec& spec, Issues& issues) {
  spec.lease_s = default_lease_s(spec);
  auto given = top.number("lease_s", 1, 86400);
  if (!given) return;
  const double minimum = longest_unrenewed_s(spec) + kLeaseSlackS;
  if (*given < minimum) {
    char text[200];
    std::snprintf(text, sizeof text,
                  "expected at least %g s (the longest step between renewals, %g s, plus %g s), "
                  "found %g",
                  minimum, longest_unrenewed_s(spec), kLeaseSlackS, *given);
    issues.add("lease_s", text);
    return;
  }
  spec.lease_s = *given;
}

}  // namespace

double longest_unrenewed_s(const ExperimentSpec& spec) {
  const Workload defaults;
  const double load = workload_number(spec.workload, "warmup_s", defaults.warmup_s) +
                      workload_number(spec.workload, "duration_s", defaults.duration_s);
  return std::max(load, spec.settle_s);
}

double default_lease_s(const ExperimentSpec& spec) {
  return 60 + 2 * (longest_unrenewed_s(spec) + spec.settle_s);
}

ExperimentSpec parse_spec(const Json& document, const std::string& origin) {
  Issues issues;
  ExperimentSpec spec;
  spec.document = document;
  FieldReader top(document, "", issues,
                  {"version", "name", "description", "hosts", "benches", "space", "workload",
                   "objectives", "outcome_constraints", "strategy", "repetitions", "screening",
                   "profile", "baseline", "settle_s", "step_timeout_s", "lease_s"});
  if (!top.ok()) throw SpecError(origin, issues);

  if (auto version = top.integer("version", 1, 1000, true)) {
    if (*version != kSpecVersion) {
      issues.add("version", "this nictune reads spec version " + std::to_string(kSpecVersion) +
                                ", found " + std::to_string(*version));
    }
  }
  if (auto name = top.string("name", true)) {
    bool ok =
        !name->empty() && name->size() <= 64 && std::all_of(name->begin(), name->end(), [](char c) {
          return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
        });
    if (ok)
      spec.name = *name;
    else
      issues.add("name", "expected 1-64 characters of letters, digits, '-', '_' or '.', found \"" +
                             *name + "\"");
  }
  spec.description = top.string("description").value_or("");
  parse_benches(document, origin, spec, issues);
  if (!document.contains("space")) {
    issues.add("space",
               "missing (required): {\"parameters\": {\"rps\": [\"none\", \"all\"], ...}}");
  } else {
    spec.space = Space::from_json(document["space"], "space", issues);
  }
  if (!document.contains("workload")) {
    issues.add("workload",
               "missing (required): e.g. {\"type\": \"udp_stream\", \"duration_s\": 5}");
  } else {
    // The same validator the agent runs: a spec is refused here for what the agent would refuse.
    nictune::validate_workload(document["workload"], "workload", issues);
    spec.workload = document["workload"];
    // Each value of a "workload.<field>" parameter makes a workload the agent must accept too.
    validate_workload_params(spec.space, spec.workload, issues);
  }
  parse_objectives(document, spec, issues);
  parse_outcome_constraints(document, spec, issues);
  check_forwarding(document, spec, issues);
  parse_strategy(document, spec, issues);
  parse_repetitions(document, spec, issues);
  parse_screening(document, spec, issues);
  parse_profile(document, spec.workload, spec.profile, issues);
  spec.baseline = top.boolean("baseline").value_or(true);
  spec.settle_s = top.number("settle_s", 0, 600).value_or(1.0);
  spec.step_timeout_s = top.number("step_timeout_s", 1, 3600).value_or(60);
  parse_lease(top, spec, issues);

  // Knobs on the LG need an LG-side agent; app.cpus on either side is applied by the load
  // module. Nothing more to check here: capability is checked against the probe at run time.
  if (!spec.space.parameters().empty()) {
    try {
      make_strategy(spec.strategy, spec.strategy_config());
    } catch (const Error& e) {
      // Factories name the option ("strategy.options.x: ..."); keep that as the path.
      std::string message = e.what();
      auto colon = message.find(": ");
      if (message.rfind("strategy.", 0) == 0 && colon != std::string::npos) {
        issues.add(message.substr(0, colon), message.substr(colon + 2));
      } else {
        issues.add("strategy", message);
      }
    }
  }
  if (!issues.empty()) throw SpecError(origin, issues);
  return spec;
}

ExperimentSpec load_spec(const std::string& path) {
  Json document = load_json_file(path);
  return parse_spec(document, path);
}

}  // namespace nictune

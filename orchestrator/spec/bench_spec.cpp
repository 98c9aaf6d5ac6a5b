// A spec's hosts: "hosts" (one DUT/LG pair) or "benches" (several), each host's fields checked
// here and by its transport's row.
#include <arpa/inet.h>

#include <algorithm>
#include <cctype>

#include "orchestrator/spec/field_reader.hpp"
#include "orchestrator/spec/spec_sections.hpp"
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

}  // namespace

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

}  // namespace nictune

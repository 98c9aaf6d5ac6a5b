#include "agents/knobs/knob.hpp"

#include <algorithm>

#include "core/errors.hpp"

namespace nictune::agent {
namespace {

unsigned queue_number(const std::string& queue) {
  auto dash = queue.find('-');
  long long n = 0;
  if (dash == std::string::npos || !parse_int64(queue.substr(dash + 1), n) || n < 0) return ~0u;
  return static_cast<unsigned>(n);
}

}  // namespace

std::vector<std::string> KnobEnv::queues(const std::string& direction) const {
  std::vector<std::string> out;
  if (planned_channels) {
    const auto& c = *planned_channels;
    unsigned count = c.combined_count + (direction == "rx" ? c.rx_count : c.tx_count);
    for (unsigned i = 0; i < count; ++i) out.push_back(direction + "-" + std::to_string(i));
    return out;
  }
  for (const auto& entry : list_directory(files->net(interface, "queues"))) {
    if (entry.starts_with(direction + "-") && queue_number(entry) != ~0u) out.push_back(entry);
  }
  std::sort(out.begin(), out.end(), [](const std::string& a, const std::string& b) {
    return queue_number(a) < queue_number(b);
  });
  return out;
}

std::string KnobEnv::queue_dir(const std::string& queue) const {
  return files->net(interface, "queues/" + queue);
}

NicDevice KnobEnv::nic() const {
  return probe_nic_device(*files, interface);
}

PlacementContext KnobEnv::placement(const std::string& direction) const {
  PlacementContext context;
  context.topology = topology;
  NicDevice device = nic();
  context.nic_node = device.numa_node;
  context.no_irq_reason = device.no_irq_reason(interface);
  unsigned queues = 0;
  for (const auto& irq : device.queue_irqs())
    queues = std::max(queues, static_cast<unsigned>(irq.queue) + 1);
  if (direction == "rx" || direction == "tx") queues = std::max(queues, queue_count(direction));
  for (unsigned q = 0; q < queues; ++q) {
    const InterfaceIrq* irq =
        direction == "tx" ? device.irq_for_queue(q, false) : device.irq_for_queue(q, true);
    if (!irq && direction.empty()) irq = device.irq_for_queue(q, false);
    if (!irq) {
      context.irq_cpus.push_back(std::nullopt);
      continue;
    }
    CpuSet cpus;
    try {
      if (has_effective_affinity(*files, irq->irq))
        cpus = read_irq_affinity(*files, irq->irq, true);
      if (cpus.empty()) cpus = read_irq_affinity(*files, irq->irq, false);
    } catch (const Error&) {
    }
    context.irq_cpus.push_back(cpus.empty() ? std::nullopt : std::optional<CpuSet>(cpus));
  }
  return context;
}

Json KnobStatus::to_json() const {
  Json out = {{"supported", supported}, {"reason", reason}, {"current", current}, {"range", range}};
  for (const auto& [key, value] : extra.items()) out[key] = value;
  return out;
}

KnobStatus Knob::probe(const KnobEnv& env) const {
  KnobStatus status;
  try {
    status.current = read(env);
    status.range = range(env);
    status.supported = true;
  } catch (const Error& e) {
    status.supported = false;
    status.reason = e.what();
    status.current = nullptr;
    status.range = nullptr;
  }
  return status;
}

long long require_int(const std::string& knob, const Json& value, long long min, long long max) {
  auto expected = [&] {
    return knob + ": expected an integer in " + std::to_string(min) + ".." + std::to_string(max) +
           ", got " + json_brief(value) + " (" + json_type_name(value) + ")";
  };
  if (value.is_number_unsigned()) {
    auto v = value.get<unsigned long long>();
    if (v > static_cast<unsigned long long>(max)) throw invalid(expected());
    return static_cast<long long>(v);
  }
  if (!value.is_number_integer()) throw invalid(expected());
  long long v = value.get<long long>();
  if (v < min || v > max) throw invalid(expected());
  return v;
}

bool require_bool(const std::string& knob, const Json& value) {
  if (!value.is_boolean()) {
    throw invalid(knob + ": expected true or false, got " + json_brief(value) + " (" +
                  json_type_name(value) + ")");
  }
  return value.get<bool>();
}

CpuPolicy require_policy(const std::string& knob, const Json& value) {
  if (!value.is_string()) {
    throw invalid(knob +
                  ": expected a CPU policy string (\"all\", \"spread\", \"list:0-3\", ...), got " +
                  json_brief(value) + " (" + json_type_name(value) + ")");
  }
  try {
    return CpuPolicy::parse(value.get<std::string>());
  } catch (const Error& e) {
    throw invalid(knob + ": " + e.what());
  }
}

Json int_range(long long min, long long max) {
  return {{"min", min}, {"max", max}};
}

Json bool_range() {
  return {{"values", {false, true}}};
}

Json policy_range(const KnobEnv& env, unsigned queues) {
  return {{"policies", CpuPolicy::names()},
          {"cpus", env.topology->online.to_list()},
          {"queues", queues}};
}

long long round_up_pow2(long long value) {
  long long p = 1;
  while (p < value) p <<= 1;
  return p;
}

}  // namespace nictune::agent

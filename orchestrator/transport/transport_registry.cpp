#include "orchestrator/transport/transport_registry.hpp"

#include <unistd.h>

#include <filesystem>
#include <utility>

#include "core/text_util.hpp"
#include "orchestrator/transport/local_transport.hpp"
#include "orchestrator/transport/ssh_transport.hpp"
#include "orchestrator/transport/transport_table.hpp"

namespace nictune {

namespace {

struct FactoriesOnly {
  std::map<std::string, TransportFactory> factories;
  template <class Class>
  void row(const char* name, const TransportKind&) {
    factories.emplace(name, [](const HostSpec& spec, const TransportOptions& options) {
      return std::unique_ptr<Transport>(std::make_unique<Class>(spec, options));
    });
  }
};

}  // namespace

const std::map<std::string, TransportFactory>& transport_factories() {
  static const std::map<std::string, TransportFactory> factories = [] {
    FactoriesOnly visitor;
    visit_transports(visitor);
    return std::move(visitor.factories);
  }();
  return factories;
}

std::unique_ptr<Transport> make_transport(const HostSpec& spec, const TransportOptions& options) {
  const auto& factories = transport_factories();
  auto it = factories.find(spec.transport);
  if (it == factories.end()) {
    std::vector<std::string> names;
    for (const auto& [name, factory] : factories) names.push_back(name);
    std::string where = spec.role.empty() ? "transport" : "hosts." + spec.role + ".transport";
    throw invalid(where + ": unknown transport \"" + spec.transport + "\"" +
                  did_you_mean(spec.transport, names) + "; expected one of: " + join(names, ", "));
  }
  return it->second(spec, options);
}

std::string find_local_agent_binary() {
  namespace fs = std::filesystem;
  if (const char* env = getenv("NICTUNE_AGENT"); env && *env) return env;
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return "";
  fs::path dir = self.parent_path();
  for (const fs::path& candidate : {dir / "nictune-agent", dir / ".." / "agents" / "nictune-agent",
                                    dir / ".." / "libexec" / "nictune" / "nictune-agent"}) {
    if (::access(candidate.c_str(), X_OK) == 0) return fs::weakly_canonical(candidate, ec).string();
  }
  return "";
}

}  // namespace nictune

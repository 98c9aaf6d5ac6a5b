#include "orchestrator/transport/transport_kinds.hpp"

#include <utility>

#include "orchestrator/transport/transport_table.hpp"

namespace nictune {

namespace {

struct KindsOnly {
  std::map<std::string, TransportKind> kinds;
  template <class Class>
  void row(const char* name, TransportKind kind) {
    kinds.emplace(name, std::move(kind));
  }
};

}  // namespace

const std::map<std::string, TransportKind>& transport_kinds() {
  static const std::map<std::string, TransportKind> kinds = [] {
    KindsOnly visitor;
    visit_transports(visitor);
    return std::move(visitor.kinds);
  }();
  return kinds;
}

std::vector<std::string> transport_names() {
  std::vector<std::string> names;
  for (const auto& [name, kind] : transport_kinds()) names.push_back(name);
  return names;
}

const TransportKind* find_transport_kind(const std::string& name) {
  auto it = transport_kinds().find(name);
  return it == transport_kinds().end() ? nullptr : &it->second;
}

}  // namespace nictune

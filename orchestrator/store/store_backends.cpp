#include "orchestrator/store/store_backends.hpp"

#include "core/errors.hpp"
#include "orchestrator/store/sqlite_store.hpp"

namespace nictune {
namespace {

bool is_memory(const std::string& location) {
  return location == ":memory:";
}

bool any_location(const std::string&) {
  return true;
}

}  // namespace

const std::vector<StoreBackend>& store_backends() {
  // Claims are tried in order: a catch-all (any file path) goes last.
  static const std::vector<StoreBackend> table = {
      {"sqlite-memory", "a SQLite database in memory, gone when it is closed", ":memory:", false,
       is_memory, open_sqlite_store},
      {"sqlite-file", "a SQLite database file (WAL), created when missing", "nictune.db", true,
       any_location, open_sqlite_store},
  };
  return table;
}

const StoreBackend& store_backend_for(const std::string& location) {
  for (const auto& backend : store_backends())
    if (backend.claims(location)) return backend;
  throw invalid("no store keeps \"" + location + "\": expected a database file or \":memory:\"");
}

std::unique_ptr<Store> open_store(const std::string& location) {
  return store_backend_for(location).open(location);
}

}  // namespace nictune

// The SQLite implementation of Store (sqlite_store.cpp): a database file in WAL mode, or
// ":memory:". Named only by the backend table (store_backends.cpp) and the tests of SQLite's own
// behaviour (files, migrations, processes); everything else opens a location with open_store().
#pragma once

#include <memory>
#include <string>

#include "orchestrator/store/store.hpp"

namespace nictune {

// path may be ":memory:". Throws Error(kIo) naming the path when the database cannot be opened,
// Error(kInvalid) when it was written by a newer nictune.
std::unique_ptr<Store> open_sqlite_store(const std::string& path);

}  // namespace nictune

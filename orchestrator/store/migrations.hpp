// The store's schema as an ordered list of migrations; PRAGMA user_version records how many
// have run. A new schema change is a new entry at the end, with an upgrade test.
#pragma once

#include <string>
#include <vector>

#include "orchestrator/store/sqlite_db.hpp"

namespace nictune {

struct Migration {
  int version;  // user_version after it ran
  std::string description;
  std::string sql;
};

const std::vector<Migration>& store_migrations();
int latest_schema_version();

// Runs the migrations above the database's user_version, up to `target` (default: latest),
// each in its own transaction. Throws Error(kInvalid) for a database newer than this nictune.
void migrate(sqlite::Database& db, int target = -1);
int schema_version(sqlite::Database& db);

}  // namespace nictune

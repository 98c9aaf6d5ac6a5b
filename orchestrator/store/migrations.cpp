#include "orchestrator/store/migrations.hpp"

#include "core/errors.hpp"

namespace nictune {

const std::vector<Migration>& store_migrations() {
  static const std::vector<Migration> migrations = {
      {1, "experiments, hosts, points, trials, metrics, samples", R"sql(
CREATE TABLE experiments (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  spec TEXT NOT NULL,
  spec_hash TEXT NOT NULL,
  status TEXT NOT NULL,
  tool_version TEXT NOT NULL,
  created_at REAL NOT NULL
);
CREATE TABLE hosts (
  id INTEGER PRIMARY KEY,
  experiment_id INTEGER NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
  role TEXT NOT NULL CHECK (role IN ('dut', 'lg')),
  bench TEXT NOT NULL,
  facts TEXT NOT NULL
);
CREATE TABLE points (
  id INTEGER PRIMARY KEY,
  experiment_id INTEGER NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
  config TEXT NOT NULL,
  hash TEXT NOT NULL,
  UNIQUE (experiment_id, config)
);
CREATE TABLE trials (
  id INTEGER PRIMARY KEY,
  experiment_id INTEGER NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
  point_id INTEGER NOT NULL REFERENCES points(id) ON DELETE CASCADE,
  repetition INTEGER NOT NULL,
  baseline INTEGER NOT NULL DEFAULT 0,
  bench TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL CHECK (state IN ('running', 'complete', 'failed', 'pruned')),
  heartbeat REAL NOT NULL,
  started_at REAL NOT NULL,
  ended_at REAL,
  error TEXT NOT NULL DEFAULT ''
);
CREATE TABLE metrics (
  trial_id INTEGER NOT NULL REFERENCES trials(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  value REAL NOT NULL,
  unit TEXT NOT NULL,
  PRIMARY KEY (trial_id, name)
);
CREATE TABLE samples (
  trial_id INTEGER NOT NULL REFERENCES trials(id) ON DELETE CASCADE,
  t REAL NOT NULL,
  name TEXT NOT NULL,
  value REAL NOT NULL
);
)sql"},
      {2, "trial details (raw counters, load output, applied commands); indexes for reports", R"sql(
ALTER TABLE trials ADD COLUMN details TEXT NOT NULL DEFAULT '{}';
CREATE INDEX trials_by_experiment ON trials (experiment_id, state);
CREATE INDEX samples_by_trial ON samples (trial_id, t);
)sql"},
      {3,
       "profile trials: a point measured once more with perf sampling the DUT, kept apart from "
       "the search's trials so their statistics stay unperturbed",
       R"sql(
CREATE TABLE profile_trials (
  id INTEGER PRIMARY KEY,
  experiment_id INTEGER NOT NULL REFERENCES experiments(id),
  point_id INTEGER NOT NULL REFERENCES points(id),
  baseline INTEGER NOT NULL,
  bench TEXT NOT NULL,
  started_at REAL NOT NULL,
  ended_at REAL NOT NULL,
  state TEXT NOT NULL,
  error TEXT NOT NULL DEFAULT '',
  metrics TEXT NOT NULL DEFAULT '{}',
  details TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX profile_trials_by_experiment ON profile_trials (experiment_id);
)sql"},
      {4,
       "the DUT NIC's identity per experiment and bench (core/nic_identity.hpp; earlier "
       "experiments filled in from their recorded facts, by driver alone since those probes "
       "named no PCI id), and what a warm start reused",
       R"sql(
CREATE TABLE experiment_nics (
  experiment_id INTEGER NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
  bench TEXT NOT NULL,
  model TEXT NOT NULL,
  driver TEXT NOT NULL,
  pci_id TEXT NOT NULL,
  firmware TEXT NOT NULL,
  speed_mbps INTEGER,
  kernel TEXT NOT NULL,
  hostname TEXT NOT NULL,
  PRIMARY KEY (experiment_id, bench)
);
CREATE INDEX experiment_nics_by_model ON experiment_nics (model);
INSERT OR IGNORE INTO experiment_nics
  SELECT experiment_id, bench,
         CASE WHEN COALESCE(json_extract(facts, '$.driver'), '') = '' THEN 'no-driver'
              ELSE json_extract(facts, '$.driver') END,
         COALESCE(json_extract(facts, '$.driver'), ''), '',
         COALESCE(json_extract(facts, '$.firmware'), ''),
         json_extract(facts, '$.nic.speed_mbps'),
         COALESCE(json_extract(facts, '$.kernel'), ''),
         COALESCE(json_extract(facts, '$.hostname'), '')
  FROM hosts WHERE role = 'dut' AND json_valid(facts) ORDER BY id;
ALTER TABLE experiments ADD COLUMN warm_start TEXT NOT NULL DEFAULT '{}';
)sql"},
  };
  return migrations;
}

int latest_schema_version() {
  return store_migrations().back().version;
}

int schema_version(sqlite::Database& db) {
  auto stmt = db.prepare("PRAGMA user_version");
  stmt.step();
  return static_cast<int>(stmt.int64(0));
}

void migrate(sqlite::Database& db, int target) {
  if (target < 0) target = latest_schema_version();
  int current = schema_version(db);
  if (current > latest_schema_version()) {
    throw invalid(db.path() + ": written by a newer nictune (schema " + std::to_string(current) +
                  "; this one reads up to " + std::to_string(latest_schema_version()) + ")");
  }
  for (const auto& migration : store_migrations()) {
    if (migration.version <= current || migration.version > target) continue;
    sqlite::Transaction tx(db);
    db.exec(migration.sql);
    db.exec("PRAGMA user_version = " + std::to_string(migration.version));
    tx.commit();
  }
}

}  // namespace nictune

// Databases written by earlier nictune versions, kept as test assets (tests/data/store/, how they
// were made is in its README): today's code must open each, keep its rows, and leave it with
// exactly the schema a new database gets. Editing an old migration instead of adding a new one
// changes what a new database gets but not what the old files hold, and fails here.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <string>

#include "orchestrator/store/migrations.hpp"
#include "orchestrator/store/sqlite_db.hpp"
#include "orchestrator/store/sqlite_store.hpp"

namespace nictune {
namespace {

namespace fs = std::filesystem;

struct FrozenDatabase {
  const char* file;
  int version;             // its PRAGMA user_version as written
  const char* experiment;  // the experiment it holds
  std::size_t trials;
  std::size_t complete;
};

void PrintTo(const FrozenDatabase& frozen, std::ostream* out) {
  *out << frozen.file;
}

const FrozenDatabase kFrozen[] = {
    {"v1-schema-79c72cd.db", 1, "frozen-v1", 3, 2},
    {"v2-nictune-0.1.0.db", 2, "frozen-v2", 8, 8},
};

// Every table, index and trigger with its SQL: what "the same schema" means.
std::map<std::string, std::string> schema_of(const std::string& path) {
  sqlite::Database db(path);
  auto stmt = db.prepare(
      "SELECT type || ' ' || name, COALESCE(sql, '') FROM sqlite_master "
      "WHERE name NOT LIKE 'sqlite_%' ORDER BY name");
  std::map<std::string, std::string> out;
  while (stmt.step()) out[stmt.text(0)] = stmt.text(1);
  return out;
}

class FrozenStore : public ::testing::TestWithParam<FrozenDatabase> {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("nictune-frozen-" + std::to_string(getpid()) + "-" + std::to_string(counter_++));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  // A copy: the asset itself is never migrated.
  std::string copy_of(const std::string& file) {
    fs::path source = fs::path(NICTUNE_SOURCE_DIR) / "tests/data/store" / file;
    fs::path target = dir_ / file;
    fs::copy_file(source, target);
    return target.string();
  }
  static inline int counter_ = 0;
  fs::path dir_;
};

TEST_P(FrozenStore, OpensKeepingItsRows) {
  const FrozenDatabase& frozen = GetParam();
  std::string path = copy_of(frozen.file);
  {
    sqlite::Database db(path);
    ASSERT_EQ(schema_version(db), frozen.version) << "the asset itself was changed";
  }
  auto store = open_sqlite_store(path);
  auto experiment = store->find_experiment(frozen.experiment);
  ASSERT_TRUE(experiment) << frozen.experiment;
  auto trials = store->trials(experiment->id);
  EXPECT_EQ(trials.size(), frozen.trials);
  std::size_t complete = 0;
  for (const auto& trial : trials) {
    if (trial.outcome.state != TrialState::kComplete) continue;
    ++complete;
    EXPECT_FALSE(trial.outcome.metrics.empty()) << "trial " << trial.id;
    EXPECT_TRUE(store->point(trial.point_id)) << "trial " << trial.id;
  }
  EXPECT_EQ(complete, frozen.complete);
}

// Migration 4 files every earlier experiment under its DUT's NIC, from the facts it recorded.
TEST_P(FrozenStore, EarlierExperimentsGetTheirNicIdentity) {
  const FrozenDatabase& frozen = GetParam();
  auto store = open_sqlite_store(copy_of(frozen.file));
  auto experiment = store->find_experiment(frozen.experiment);
  ASSERT_TRUE(experiment);
  Json facts;
  for (const auto& host : store->hosts(experiment->id))
    if (host.role == "dut") facts = host.facts;
  ASSERT_TRUE(facts.is_object()) << "no DUT recorded";
  auto nics = store->experiment_nics();
  ASSERT_EQ(nics.size(), 1u);
  EXPECT_EQ(nics[0].experiment_id, experiment->id);
  NicIdentity expected = nic_identity_from_facts(facts);
  EXPECT_EQ(nics[0].nic.model_key(), expected.model_key());
  EXPECT_EQ(nics[0].nic.kernel, expected.kernel);
  EXPECT_FALSE(nics[0].nic.kernel.empty());
}

TEST_P(FrozenStore, EndsWithTheSchemaANewDatabaseGets) {
  std::string old_path = copy_of(GetParam().file);
  open_sqlite_store(old_path);
  std::string new_path = (dir_ / "new.db").string();
  open_sqlite_store(new_path);
  {
    sqlite::Database db(old_path);
    EXPECT_EQ(schema_version(db), latest_schema_version());
  }
  auto upgraded = schema_of(old_path);
  auto fresh = schema_of(new_path);
  EXPECT_EQ(upgraded.size(), fresh.size());
  for (const auto& [name, sql] : fresh) {
    auto it = upgraded.find(name);
    ASSERT_NE(it, upgraded.end()) << name << " is missing from the upgraded database";
    EXPECT_EQ(it->second, sql) << name
                               << ": an old migration was edited; add a new migration instead";
  }
}

INSTANTIATE_TEST_SUITE_P(Releases, FrozenStore, ::testing::ValuesIn(kFrozen), [](const auto& info) {
  return std::string("v") + std::to_string(info.param.version);
});

}  // namespace
}  // namespace nictune

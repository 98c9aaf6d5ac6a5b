// What only a file database can show: schema upgrades, persistence, a reader beside a writer.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "core/errors.hpp"
#include "orchestrator/store/migrations.hpp"
#include "orchestrator/store/sqlite_store.hpp"

namespace nictune {
namespace {

class TempDir {
 public:
  TempDir()
      : path_(std::filesystem::temp_directory_path() /
              ("nictune-db-" + std::to_string(getpid()) + "-" + std::to_string(counter_++))) {
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  static inline int counter_ = 0;
  std::filesystem::path path_;
};

TEST(StoreMigrations, UpgradesAVersionOneDatabaseKeepingItsRows) {
  TempDir dir;
  std::string path = dir.file("v1.db");
  {
    sqlite::Database db(path);
    migrate(db, 1);
    EXPECT_EQ(schema_version(db), 1);
    db.exec(
        "INSERT INTO experiments (name, spec, spec_hash, status, tool_version, created_at) "
        "VALUES ('old', '{}', 'h', 'complete', '0.0.1', 1.0)");
    db.exec(
        "INSERT INTO points (experiment_id, config, hash) VALUES (1, '{\"rps\":\"all\"}', 'x')");
    db.exec(
        "INSERT INTO trials (experiment_id, point_id, repetition, state, heartbeat, started_at, "
        "ended_at) "
        "VALUES (1, 1, 0, 'complete', 1.0, 1.0, 2.0)");
    db.exec(
        "INSERT INTO metrics (trial_id, name, value, unit) VALUES (1, 'rx_pps', 42, 'packets/s')");
  }
  auto store = open_sqlite_store(path);
  auto e = store->find_experiment("old");
  ASSERT_TRUE(e);
  auto trials = store->trials(e->id);
  ASSERT_EQ(trials.size(), 1u);
  EXPECT_DOUBLE_EQ(trials[0].outcome.metrics.at("rx_pps"), 42);
  EXPECT_EQ(trials[0].outcome.details, Json::object());  // column added by migration 2
  sqlite::Database check(path);
  EXPECT_EQ(schema_version(check), latest_schema_version());
}

TEST(StoreMigrations, EveryMigrationRaisesTheVersionByOne) {
  int expected = 1;
  for (const auto& m : store_migrations()) EXPECT_EQ(m.version, expected++) << m.description;
}

TEST(StoreMigrations, RefusesADatabaseFromANewerNictune) {
  TempDir dir;
  std::string path = dir.file("future.db");
  {
    sqlite::Database db(path);
    db.exec("PRAGMA user_version = 999");
  }
  try {
    open_sqlite_store(path);
    FAIL() << "opened a newer database";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("newer nictune"), std::string::npos) << e.what();
  }
}

TEST(StoreFile, UnopenablePathNamesThePath) {
  try {
    open_sqlite_store("/proc/nonexistent-dir/x.db");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kIo);
    EXPECT_NE(std::string(e.what()).find("/proc/nonexistent-dir/x.db"), std::string::npos);
  }
}

TEST(StoreFile, IsInWalModeWithForeignKeys) {
  TempDir dir;
  std::string path = dir.file("wal.db");
  open_sqlite_store(path);
  sqlite::Database db(path);
  auto mode = db.prepare("PRAGMA journal_mode");
  ASSERT_TRUE(mode.step());
  EXPECT_EQ(mode.text(0), "wal");
}

TEST(StoreFile, ReaderSeesCommittedTrialsWhileAWriterRuns) {
  TempDir dir;
  std::string path = dir.file("concurrent.db");
  auto writer = open_sqlite_store(path);
  auto e = writer->create_experiment("e", Json::object(), "v");
  std::atomic<bool> stop{false};
  std::atomic<int> reads{0};
  std::thread reader([&] {
    auto r = open_sqlite_store(path);
    std::size_t last = 0;
    while (!stop) {
      auto n = r->trials(e).size();
      EXPECT_GE(n, last);  // never goes backwards, never throws SQLITE_BUSY
      last = n;
      ++reads;
    }
  });
  constexpr int kTrials = 200;
  for (int i = 0; i < kTrials; ++i) {
    auto p = writer->intern_point(e, Json{{"i", i}});
    auto t = writer->begin_trial(e, p, 0, false, "");
    writer->finish_trial(
        t, Outcome{TrialState::kComplete, {{"rx_pps", double(i)}}, "", Json::object()});
  }
  stop = true;
  reader.join();
  EXPECT_GT(reads.load(), 0);
  auto fresh = open_sqlite_store(path);
  EXPECT_EQ(fresh->trials(e).size(), std::size_t{kTrials});
}

}  // namespace
}  // namespace nictune

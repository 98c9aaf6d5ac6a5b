#include "orchestrator/store/sqlite_store.hpp"

#include <chrono>
#include <map>
#include <mutex>

#include "core/errors.hpp"
#include "core/metrics.hpp"
#include "core/space.hpp"
#include "core/text_util.hpp"
#include "orchestrator/store/migrations.hpp"
#include "orchestrator/store/sqlite_db.hpp"

namespace nictune {
namespace {

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

Json parse_stored_json(const std::string& text) {
  return Json::parse(text, nullptr, /*allow_exceptions=*/false);
}

class SqliteStore : public Store {
 public:
  explicit SqliteStore(const std::string& path) : db_(path) {
    db_.exec("PRAGMA foreign_keys = ON");
    if (path != ":memory:" && !path.empty()) db_.exec("PRAGMA journal_mode = WAL");
    db_.exec("PRAGMA synchronous = NORMAL");
    migrate(db_);
  }

  std::int64_t create_experiment(const std::string& name, const Json& spec,
                                 const std::string& tool_version) override {
    std::lock_guard lock(mutex_);
    std::string text = spec.dump();
    db_.prepare(
           "INSERT INTO experiments (name, spec, spec_hash, status, tool_version, created_at) "
           "VALUES (?, ?, ?, 'running', ?, ?)")
        .bind(1, name)
        .bind(2, text)
        .bind(3, fnv1a64_hex(text))
        .bind(4, tool_version)
        .bind(5, now_seconds())
        .run();
    return db_.last_insert_id();
  }

  std::optional<ExperimentRecord> experiment(std::int64_t id) override {
    std::lock_guard lock(mutex_);
    auto stmt = db_.prepare(kSelectExperiment + " WHERE id = ?");
    stmt.bind(1, id);
    if (!stmt.step()) return std::nullopt;
    return read_experiment(stmt);
  }

  std::optional<ExperimentRecord> find_experiment(const std::string& id_or_name) override {
    bool numeric = !id_or_name.empty() &&
                   id_or_name.find_first_not_of("0123456789") == std::string::npos &&
                   id_or_name.size() < 18;
    if (numeric) {
      if (auto e = experiment(std::stoll(id_or_name))) return e;
    }
    std::lock_guard lock(mutex_);
    auto stmt = db_.prepare(kSelectExperiment + " WHERE name = ? ORDER BY id DESC LIMIT 1");
    stmt.bind(1, id_or_name);
    if (!stmt.step()) return std::nullopt;
    return read_experiment(stmt);
  }

  std::vector<ExperimentRecord> experiments() override {
    std::lock_guard lock(mutex_);
    auto stmt = db_.prepare(kSelectExperiment + " ORDER BY id");
    std::vector<ExperimentRecord> out;
    while (stmt.step()) out.push_back(read_experiment(stmt));
    return out;
  }

  void set_experiment_status(std::int64_t id, ExperimentStatus status) override {
    std::lock_guard lock(mutex_);
    db_.prepare("UPDATE experiments SET status = ? WHERE id = ?")
        .bind(1, to_string(status))
        .bind(2, id)
        .run();
    if (db_.changes() == 0) throw invalid("no experiment " + std::to_string(id));
  }

  void set_warm_start(std::int64_t id, const Json& reused) override {
    std::lock_guard lock(mutex_);
    db_.prepare("UPDATE experiments SET warm_start = ? WHERE id = ?")
        .bind(1, reused.dump())
        .bind(2, id)
        .run();
    if (db_.changes() == 0) throw invalid("no experiment " + std::to_string(id));
  }

  std::int64_t record_host(std::int64_t experiment, const std::string& role,
                           const std::string& bench, const Json& facts) override {
    std::lock_guard lock(mutex_);
    sqlite::Transaction tx(db_);
    db_.prepare("INSERT INTO hosts (experiment_id, role, bench, facts) VALUES (?, ?, ?, ?)")
        .bind(1, experiment)
        .bind(2, role)
        .bind(3, bench)
        .bind(4, facts.dump())
        .run();
    std::int64_t id = db_.last_insert_id();
    if (role == "dut") {
      NicIdentity nic = nic_identity_from_facts(facts);
      auto insert = db_.prepare(
          "INSERT OR REPLACE INTO experiment_nics (experiment_id, bench, model, driver, pci_id, "
          "firmware, speed_mbps, kernel, hostname) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
      insert.bind(1, experiment)
          .bind(2, bench)
          .bind(3, nic.model_key())
          .bind(4, nic.driver)
          .bind(5, nic.pci_id)
          .bind(6, nic.firmware);
      if (nic.speed_mbps) insert.bind(7, static_cast<std::int64_t>(*nic.speed_mbps));
      insert.bind(8, nic.kernel).bind(9, nic.hostname).run();
    }
    tx.commit();
    return id;
  }

  std::vector<ExperimentNic> experiment_nics() override {
    std::lock_guard lock(mutex_);
    auto stmt = db_.prepare(
        "SELECT experiment_id, bench, driver, pci_id, firmware, speed_mbps, kernel, hostname "
        "FROM experiment_nics ORDER BY experiment_id, bench");
    std::vector<ExperimentNic> out;
    while (stmt.step()) {
      ExperimentNic row;
      row.experiment_id = stmt.int64(0);
      row.bench = stmt.text(1);
      row.nic.driver = stmt.text(2);
      row.nic.pci_id = stmt.text(3);
      row.nic.firmware = stmt.text(4);
      if (!stmt.is_null(5)) row.nic.speed_mbps = stmt.int64(5);
      row.nic.kernel = stmt.text(6);
      row.nic.hostname = stmt.text(7);
      out.push_back(std::move(row));
    }
    return out;
  }

  std::vector<HostRecord> hosts(std::int64_t experiment) override {
    std::lock_guard lock(mutex_);
    auto stmt = db_.prepare(
        "SELECT id, experiment_id, role, bench, facts FROM hosts WHERE experiment_id = ? ORDER BY "
        "id");
    stmt.bind(1, experiment);
    std::vector<HostRecord> out;
    while (stmt.step()) {
      out.push_back({stmt.int64(0), stmt.int64(1), stmt.text(2), stmt.text(3),
                     parse_stored_json(stmt.text(4))});
    }
    return out;
  }

  std::int64_t intern_point(std::int64_t experiment, const Json& canonical_point) override {
    std::lock_guard lock(mutex_);
    std::string text = canonical_text(canonical_point);
    db_.prepare("INSERT OR IGNORE INTO points (experiment_id, config, hash) VALUES (?, ?, ?)")
        .bind(1, experiment)
        .bind(2, text)
        .bind(3, point_hash(canonical_point))
        .run();
    auto stmt = db_.prepare("SELECT id FROM points WHERE experiment_id = ? AND config = ?");
    stmt.bind(1, experiment).bind(2, text);
    if (!stmt.step()) db_.fail("point vanished after insert");
    return stmt.int64(0);
  }

  std::optional<Json> point(std::int64_t point_id) override {
    std::lock_guard lock(mutex_);
    auto stmt = db_.prepare("SELECT config FROM points WHERE id = ?");
    stmt.bind(1, point_id);
    if (!stmt.step()) return std::nullopt;
    return parse_stored_json(stmt.text(0));
  }

  std::int64_t begin_trial(std::int64_t experiment, std::int64_t point, int repetition,
                           bool baseline, const std::string& bench) override {
    std::lock_guard lock(mutex_);
    double now = now_seconds();
    db_.prepare(
           "INSERT INTO trials (experiment_id, point_id, repetition, baseline, bench, state, "
           "heartbeat, started_at) "
           "VALUES (?, ?, ?, ?, ?, 'running', ?, ?)")
        .bind(1, experiment)
        .bind(2, point)
        .bind(3, repetition)
        .bind(4, baseline ? 1 : 0)
        .bind(5, bench)
        .bind(6, now)
        .bind(7, now)
        .run();
    return db_.last_insert_id();
  }

  void heartbeat(std::int64_t trial) override {
    std::lock_guard lock(mutex_);
    db_.prepare("UPDATE trials SET heartbeat = ? WHERE id = ? AND state = 'running'")
        .bind(1, now_seconds())
        .bind(2, trial)
        .run();
  }

  void finish_trial(std::int64_t trial, const Outcome& outcome) override {
    if (outcome.state == TrialState::kRunning) throw invalid("finish_trial needs a final state");
    std::lock_guard lock(mutex_);
    sqlite::Transaction tx(db_);
    double now = now_seconds();
    db_.prepare(
           "UPDATE trials SET state = ?, ended_at = ?, heartbeat = ?, error = ?, details = ? WHERE "
           "id = ?")
        .bind(1, to_string(outcome.state))
        .bind(2, now)
        .bind(3, now)
        .bind(4, error_as_stored(outcome))
        .bind(5, outcome.details.dump(-1, ' ', false, Json::error_handler_t::replace))
        .bind(6, trial)
        .run();
    if (db_.changes() == 0) throw invalid("no trial " + std::to_string(trial));
    auto insert = [&](const std::string& name, double value) {
      const MetricInfo* info = find_metric(name);
      db_.prepare(
             "INSERT OR REPLACE INTO metrics (trial_id, name, value, unit) VALUES (?, ?, ?, ?)")
          .bind(1, trial)
          .bind(2, name)
          .bind(3, value)
          .bind(4, info ? info->unit : std::string())
          .run();
    };
    for (const auto& [name, value] : outcome.metrics) insert(name, value);
    tx.commit();
  }

  void add_samples(std::int64_t trial, const std::vector<SampleRecord>& samples) override {
    std::lock_guard lock(mutex_);
    sqlite::Transaction tx(db_);
    for (const auto& s : samples) {
      db_.prepare("INSERT INTO samples (trial_id, t, name, value) VALUES (?, ?, ?, ?)")
          .bind(1, trial)
          .bind(2, s.t)
          .bind(3, s.name)
          .bind(4, s.value)
          .run();
    }
    tx.commit();
  }

  std::vector<TrialRecord> trials(std::int64_t experiment) override {
    std::lock_guard lock(mutex_);
    std::vector<TrialRecord> out;
    std::map<std::int64_t, std::size_t> index;
    auto stmt = db_.prepare(
        "SELECT t.id, t.experiment_id, t.point_id, p.config, p.hash, t.baseline, t.repetition, "
        "t.bench, "
        "t.started_at, t.ended_at, t.state, t.error, t.details "
        "FROM trials t JOIN points p ON p.id = t.point_id WHERE t.experiment_id = ? ORDER BY t.id");
    stmt.bind(1, experiment);
    while (stmt.step()) {
      TrialRecord r;
      r.id = stmt.int64(0);
      r.experiment_id = stmt.int64(1);
      r.point_id = stmt.int64(2);
      r.point = parse_stored_json(stmt.text(3));
      r.point_hash = stmt.text(4);
      r.baseline = stmt.int64(5) != 0;
      r.repetition = static_cast<int>(stmt.int64(6));
      r.bench = stmt.text(7);
      r.started_at = stmt.real(8);
      r.ended_at = stmt.is_null(9) ? 0 : stmt.real(9);
      r.outcome.state = trial_state_from_string(stmt.text(10)).value_or(TrialState::kFailed);
      r.outcome.error = stmt.text(11);
      r.outcome.failure = failure_kind_of_stored_error(r.outcome.error);
      r.outcome.details = parse_stored_json(stmt.text(12));
      if (r.outcome.details.is_discarded()) r.outcome.details = Json::object();
      index[r.id] = out.size();
      out.push_back(std::move(r));
    }
    auto metrics = db_.prepare(
        "SELECT m.trial_id, m.name, m.value FROM metrics m JOIN trials t ON t.id = m.trial_id "
        "WHERE t.experiment_id = ?");
    metrics.bind(1, experiment);
    while (metrics.step()) {
      auto it = index.find(metrics.int64(0));
      if (it != index.end()) out[it->second].outcome.metrics[metrics.text(1)] = metrics.real(2);
    }
    return out;
  }

  std::int64_t record_profile_trial(const TrialRecord& record) override {
    if (record.outcome.state == TrialState::kRunning)
      throw invalid("record_profile_trial needs a final state");
    Json metrics = Json::object();
    for (const auto& [name, value] : record.outcome.metrics) metrics[name] = value;
    std::lock_guard lock(mutex_);
    db_.prepare(
           "INSERT INTO profile_trials (experiment_id, point_id, baseline, bench, started_at, "
           "ended_at, state, error, metrics, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .bind(1, record.experiment_id)
        .bind(2, record.point_id)
        .bind(3, record.baseline ? 1 : 0)
        .bind(4, record.bench)
        .bind(5, record.started_at)
        .bind(6, record.ended_at)
        .bind(7, to_string(record.outcome.state))
        .bind(8, error_as_stored(record.outcome))
        .bind(9, metrics.dump())
        .bind(10, record.outcome.details.dump(-1, ' ', false, Json::error_handler_t::replace))
        .run();
    return db_.last_insert_id();
  }

  std::vector<TrialRecord> profile_trials(std::int64_t experiment) override {
    std::lock_guard lock(mutex_);
    auto stmt = db_.prepare(
        "SELECT t.id, t.experiment_id, t.point_id, p.config, p.hash, t.baseline, t.bench, "
        "t.started_at, t.ended_at, t.state, t.error, t.metrics, t.details FROM profile_trials t "
        "JOIN points p ON p.id = t.point_id WHERE t.experiment_id = ? ORDER BY t.id");
    stmt.bind(1, experiment);
    std::vector<TrialRecord> out;
    while (stmt.step()) {
      TrialRecord r;
      r.id = stmt.int64(0);
      r.experiment_id = stmt.int64(1);
      r.point_id = stmt.int64(2);
      r.point = parse_stored_json(stmt.text(3));
      r.point_hash = stmt.text(4);
      r.baseline = stmt.int64(5) != 0;
      r.bench = stmt.text(6);
      r.started_at = stmt.real(7);
      r.ended_at = stmt.real(8);
      r.outcome.state = trial_state_from_string(stmt.text(9)).value_or(TrialState::kFailed);
      r.outcome.error = stmt.text(10);
      r.outcome.failure = failure_kind_of_stored_error(r.outcome.error);
      const Json metrics = parse_stored_json(stmt.text(11));
      if (metrics.is_object())
        for (const auto& [name, value] : metrics.items())
          if (value.is_number()) r.outcome.metrics[name] = value.get<double>();
      r.outcome.details = parse_stored_json(stmt.text(12));
      if (r.outcome.details.is_discarded()) r.outcome.details = Json::object();
      out.push_back(std::move(r));
    }
    return out;
  }

  std::vector<SampleRecord> samples(std::int64_t trial) override {
    std::lock_guard lock(mutex_);
    auto stmt =
        db_.prepare("SELECT t, name, value FROM samples WHERE trial_id = ? ORDER BY t, name");
    stmt.bind(1, trial);
    std::vector<SampleRecord> out;
    while (stmt.step()) out.push_back({stmt.real(0), stmt.text(1), stmt.real(2)});
    return out;
  }

  int recover_stale_trials(std::int64_t experiment, double stale_after_s) override {
    std::lock_guard lock(mutex_);
    double now = now_seconds();
    db_.prepare(
           "UPDATE trials SET state = 'failed', ended_at = ?, "
           "error = 'interrupted: no heartbeat for ' || CAST(CAST(? - heartbeat AS INTEGER) AS "
           "TEXT) || ' s' "
           "WHERE experiment_id = ? AND state = 'running' AND heartbeat < ?")
        .bind(1, now)
        .bind(2, now)
        .bind(3, experiment)
        .bind(4, now - stale_after_s)
        .run();
    return db_.changes();
  }

 private:
  static inline const std::string kSelectExperiment =
      "SELECT id, name, spec, spec_hash, status, tool_version, created_at, warm_start FROM "
      "experiments";

  static ExperimentRecord read_experiment(sqlite::Statement& stmt) {
    ExperimentRecord e;
    e.id = stmt.int64(0);
    e.name = stmt.text(1);
    e.spec = parse_stored_json(stmt.text(2));
    e.spec_hash = stmt.text(3);
    e.status = stmt.text(4);
    e.tool_version = stmt.text(5);
    e.created_at = stmt.real(6);
    e.warm_start = parse_stored_json(stmt.text(7));
    if (!e.warm_start.is_object()) e.warm_start = Json::object();
    return e;
  }

  // One connection per store; the runner's bench threads share it.
  std::mutex mutex_;
  sqlite::Database db_;
};

}  // namespace

std::unique_ptr<Store> open_sqlite_store(const std::string& path) {
  return std::make_unique<SqliteStore>(path);
}

}  // namespace nictune

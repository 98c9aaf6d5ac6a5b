// demo_bench [--runs N] [--load with|without|both] [--spec FILE] [--nictune BIN] [--agent BIN]
//            [--keep DIR | --from DIR]
//
// Runs the default experiment (experiments/loopback-rps.json) N times per condition, each into a
// fresh database, and reads every result through `nictune report --format json`: is the best
// configuration starred significant against the baseline on the first objective, which
// configuration won (the same one every time?), how many trials the run used and how long it
// took. "with" runs it beside `stress-ng --cpu 1 --cpu-load 50`, started and stopped by PID here.
// Prints figures; asserts nothing (the targets live in docs/performance.md). --keep DIR keeps
// each run's database as DIR/<condition>-<N>.db, so a later report rule can be judged on the
// same runs (`nictune report --db DIR/with-3.db --format json`) without measuring them again;
// --from DIR prints the same figures from such kept databases (wall time from their trials' own
// timestamps), measuring nothing.
//
// Each run's baseline coefficient of variation on the first objective is printed beside it, and
// the summary repeats the two targets over the runs the report did not call "host unstable"
// (baseline CV <= 10 % on every objective): on a guest whose cross-CPU speed changes mid-run the
// answer itself changes with it, and the figures should say which runs that was.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "core/json_util.hpp"
#include "tests/support/command_line.hpp"

namespace {

using nictune::Json;
namespace fs = std::filesystem;

struct RunFigures {
  bool ok = false;
  bool significant = false;
  std::string winner;  // the best configuration's label
  double gain = 0;
  std::size_t trials = 0;
  double seconds = 0;
  bool drift = false;
  double background = 0;
  double baseline_cv = 0;  // on the first objective
  bool unstable = false;   // the report's "host unstable": a baseline CV over 10 %
};

// stress-ng on one CPU at 50 %, for at most `seconds`; stopped by its PID.
class BackgroundLoad {
 public:
  explicit BackgroundLoad(int seconds) {
    pid_ = fork();
    if (pid_ == 0) {
      const std::string timeout = std::to_string(seconds) + "s";
      execlp("stress-ng", "stress-ng", "--cpu", "1", "--cpu-load", "50", "--timeout",
             timeout.c_str(), "--quiet", static_cast<char*>(nullptr));
      _exit(127);
    }
    // Let it start, and fail now when stress-ng is missing.
    usleep(500000);
    int status = 0;
    if (pid_ < 0 || waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("stress-ng did not start (apt-get install stress-ng)");
    }
  }
  ~BackgroundLoad() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
  BackgroundLoad(const BackgroundLoad&) = delete;
  BackgroundLoad& operator=(const BackgroundLoad&) = delete;

 private:
  pid_t pid_ = -1;
};

// The figures of one finished run, from its report. `seconds` is the caller's (the run's wall
// time) or, for a kept database, the span of its trials.
RunFigures read_run(const std::string& nictune, const fs::path& db) {
  RunFigures f;
  const auto report =
      nictune::testing::run_command(nictune + " report --db " + db.string() + " --format json");
  if (report.code != 0) {
    std::cerr << "report failed for " << db.string() << ":\n" << report.output << "\n";
    return f;
  }
  const Json doc = Json::parse(report.output, nullptr, false);
  if (doc.is_discarded()) return f;
  const Json trials = doc.value("trials", Json::array());
  f.trials = trials.size();
  if (!trials.empty()) {
    f.seconds = trials.back().value("ended_at", 0.0) - trials.front().value("started_at", 0.0);
  }
  for (const auto& d : doc.value("baseline_drift", Json::array()))
    f.drift = f.drift || d.value("drift", false);
  const Json noise = doc.value("noise", Json::object());
  f.background = noise.value("background_cpu_mean", 0.0);
  f.unstable = !noise.value("unstable_baseline", Json::array()).empty();
  const std::string first_metric = doc["objectives"].at(0).value("metric", "");
  f.baseline_cv = noise.value("baseline_cv", Json::object()).value(first_metric, 0.0);
  const Json best = doc.value("best_point_id", Json());
  for (const auto& c : doc["configurations"]) {
    if (best.is_null() || c["point_id"] != best || c["baseline"].get<bool>()) continue;
    f.winner = c.value("label", "");
    const Json& first = c["objectives"].at(0);
    f.significant = first.value("gain_significant", false);
    f.gain = first["gain"].is_number() ? first["gain"].get<double>() : 0.0;
  }
  f.ok = true;
  return f;
}

RunFigures run_once(const std::string& nictune, const std::string& agent, const std::string& spec,
                    const fs::path& db) {
  fs::remove(db);
  const auto start = std::chrono::steady_clock::now();
  const auto run = nictune::testing::run_command(nictune + " run --db " + db.string() +
                                                 " --agent " + agent + " " + spec);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (run.code != 0) {
    std::cerr << "run failed (" << run.code << "):\n" << run.output << "\n";
    return {};
  }
  RunFigures f = read_run(nictune, db);
  f.seconds = seconds;
  return f;
}

void print_run(const std::string& condition, int index, const RunFigures& f) {
  std::printf(
      "%-8s run %d: %s, winner \"%s\" %+.1f %%%s, %zu trials, %.0f s, drift %s, "
      "baseline CV %.1f %%%s, background %.1f %%\n",
      condition.c_str(), index, f.ok ? "ok" : "FAILED", f.winner.c_str(), f.gain * 100,
      f.significant ? " (significant)" : " (not significant)", f.trials, f.seconds,
      f.drift ? "yes" : "no", f.baseline_cv * 100, f.unstable ? " (host unstable)" : "",
      f.background);
  std::fflush(stdout);
}

// How many runs won with the most common label, and that label.
std::pair<int, std::string> most_common_winner(const std::vector<const RunFigures*>& runs) {
  std::map<std::string, int> winners;
  for (const RunFigures* r : runs) ++winners[r->winner];
  std::pair<int, std::string> best{0, ""};
  for (const auto& [label, count] : winners)
    if (count > best.first) best = {count, label};
  return best;
}

void summarise(const std::string& condition, const std::vector<RunFigures>& runs) {
  std::vector<const RunFigures*> ok, steady;
  int significant = 0, drift = 0, steady_significant = 0;
  double trials = 0, seconds = 0, background = 0;
  for (const auto& r : runs) {
    if (!r.ok) continue;
    ok.push_back(&r);
    significant += r.significant ? 1 : 0;
    drift += r.drift ? 1 : 0;
    trials += static_cast<double>(r.trials);
    seconds += r.seconds;
    background += r.background;
    if (!r.unstable) {
      steady.push_back(&r);
      steady_significant += r.significant ? 1 : 0;
    }
  }
  const int n = static_cast<int>(ok.size());
  const auto [same, label] = most_common_winner(ok);
  std::printf(
      "%-8s runs %d/%zu ok; best significant in %d/%d; same winner in %d/%d (%s); "
      "trials %.1f; wall %.0f s; drift found in %d; background CPU %.1f %%\n",
      condition.c_str(), n, runs.size(), significant, n, same, n, label.c_str(),
      n ? trials / n : 0.0, n ? seconds / n : 0.0, drift, n ? background / n : 0.0);
  const int k = static_cast<int>(steady.size());
  const auto [steady_same, steady_label] = most_common_winner(steady);
  std::printf(
      "%-8s steady baseline (not \"host unstable\") in %d/%d runs; of those best significant "
      "in %d/%d; same winner in %d/%d (%s)\n",
      condition.c_str(), k, n, steady_significant, k, steady_same, k, steady_label.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 5;
  std::string load = "both";
  std::string spec = std::string(NICTUNE_SOURCE_DIR) + "/experiments/loopback-rps.json";
  std::string nictune = nictune::testing::built_nictune_binary();
  std::string agent = nictune::testing::built_agent_binary();
  std::string keep, from;
  const char* usage =
      "usage: demo_bench [--runs N>=1] [--load with|without|both] [--spec FILE] "
      "[--nictune BIN] [--agent BIN] [--keep DIR | --from DIR]\n";
  for (int i = 1; i < argc; i += 2) {
    const std::string key = argv[i];
    if (key == "--help" || key == "-h") {
      std::cout << usage;
      return 0;
    }
    if (i + 1 >= argc) {
      std::cerr << "demo_bench: " << key << " needs a value\n" << usage;
      return 2;
    }
    const std::string value = argv[i + 1];
    if (key == "--runs") {
      runs = std::atoi(value.c_str());
    } else if (key == "--load") {
      load = value;
    } else if (key == "--spec") {
      spec = value;
    } else if (key == "--nictune") {
      nictune = value;
    } else if (key == "--agent") {
      agent = value;
    } else if (key == "--keep") {
      keep = value;
    } else if (key == "--from") {
      from = value;
    } else {
      std::cerr << "demo_bench: unknown option " << key << "\n" << usage;
      return 2;
    }
  }
  if (runs < 1 || (load != "with" && load != "without" && load != "both") ||
      (!keep.empty() && !from.empty())) {
    std::cerr << usage;
    return 2;
  }
  std::map<std::string, std::vector<RunFigures>> results;
  if (!from.empty()) {
    // Kept databases: <condition>-<N>.db, N from 1 up to the first missing one.
    for (const std::string condition : {"without", "with"}) {
      if (load != "both" && load != condition) continue;
      for (int i = 1;; ++i) {
        const fs::path db = fs::path(from) / (condition + "-" + std::to_string(i) + ".db");
        if (!fs::exists(db)) break;
        results[condition].push_back(read_run(nictune, db));
        print_run(condition, i, results[condition].back());
      }
    }
    if (results.empty()) {
      std::cerr << "demo_bench: no <condition>-<N>.db under " << from << "\n";
      return 2;
    }
    std::printf("\n");
    for (const auto& [condition, figures] : results) summarise(condition, figures);
    return 0;
  }
  const fs::path dir = fs::temp_directory_path() / ("demo_bench." + std::to_string(getpid()));
  fs::create_directories(dir);
  for (const std::string condition : {"without", "with"}) {
    if (load != "both" && load != condition) continue;
    for (int i = 0; i < runs; ++i) {
      RunFigures f;
      if (condition == "with") {
        const BackgroundLoad stress(3600);
        f = run_once(nictune, agent, spec, dir / "bench.db");
      } else {
        f = run_once(nictune, agent, spec, dir / "bench.db");
      }
      if (!keep.empty()) {
        fs::create_directories(keep);
        const fs::path kept = fs::path(keep) / (condition + "-" + std::to_string(i + 1) + ".db");
        fs::copy_file(dir / "bench.db", kept, fs::copy_options::overwrite_existing);
        // The last connection normally folds the WAL back in; if one is left, keep it too.
        if (fs::exists(dir / "bench.db-wal"))
          fs::copy_file(dir / "bench.db-wal", kept.string() + "-wal",
                        fs::copy_options::overwrite_existing);
      }
      print_run(condition, i + 1, f);
      results[condition].push_back(f);
    }
  }
  std::printf("\n");
  for (const auto& [condition, figures] : results) summarise(condition, figures);
  fs::remove_all(dir);
  return 0;
}

// demo_bench [--runs N] [--load with|without|both] [--spec FILE] [--nictune BIN] [--agent BIN]
//            [--keep DIR]
//
// Runs the default experiment (experiments/loopback-rps.json) N times per condition, each into a
// fresh database, and reads every result through `nictune report --format json`: is the best
// configuration starred significant against the baseline on the first objective, which
// configuration won (the same one every time?), how many trials the run used and how long it
// took. "with" runs it beside `stress-ng --cpu 1 --cpu-load 50`, started and stopped by PID here.
// Prints figures; asserts nothing (the targets live in docs/performance.md). --keep DIR keeps
// each run's database as DIR/<condition>-<N>.db, so a later report rule can be judged on the
// same runs (`nictune report --db DIR/with-3.db --format json`) without measuring them again.
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

RunFigures run_once(const std::string& nictune, const std::string& agent, const std::string& spec,
                    const fs::path& db) {
  RunFigures f;
  fs::remove(db);
  const auto start = std::chrono::steady_clock::now();
  const auto run = nictune::testing::run_command(nictune + " run --db " + db.string() +
                                                 " --agent " + agent + " " + spec);
  f.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (run.code != 0) {
    std::cerr << "run failed (" << run.code << "):\n" << run.output << "\n";
    return f;
  }
  const auto report =
      nictune::testing::run_command(nictune + " report --db " + db.string() + " --format json");
  if (report.code != 0) {
    std::cerr << "report failed:\n" << report.output << "\n";
    return f;
  }
  const Json doc = Json::parse(report.output, nullptr, false);
  if (doc.is_discarded()) return f;
  f.trials = doc.value("trials", Json::array()).size();
  for (const auto& d : doc.value("baseline_drift", Json::array()))
    f.drift = f.drift || d.value("drift", false);
  f.background = doc["noise"].value("background_cpu_mean", 0.0);
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

void summarise(const std::string& condition, const std::vector<RunFigures>& runs) {
  std::map<std::string, int> winners;
  int significant = 0, ok = 0, drift = 0;
  double trials = 0, seconds = 0, background = 0;
  for (const auto& r : runs) {
    if (!r.ok) continue;
    ++ok;
    significant += r.significant ? 1 : 0;
    drift += r.drift ? 1 : 0;
    ++winners[r.winner];
    trials += static_cast<double>(r.trials);
    seconds += r.seconds;
    background += r.background;
  }
  int same = 0;
  std::string mode;
  for (const auto& [label, count] : winners) {
    if (count > same) {
      same = count;
      mode = label;
    }
  }
  std::printf(
      "%-8s runs %d/%zu ok; best significant in %d/%d; same winner in %d/%d (%s); "
      "trials %.1f; wall %.0f s; drift found in %d; background CPU %.1f %%\n",
      condition.c_str(), ok, runs.size(), significant, ok, same, ok, mode.c_str(),
      ok ? trials / ok : 0.0, ok ? seconds / ok : 0.0, drift, ok ? background / ok : 0.0);
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 5;
  std::string load = "both";
  std::string spec = std::string(NICTUNE_SOURCE_DIR) + "/experiments/loopback-rps.json";
  std::string nictune = nictune::testing::built_nictune_binary();
  std::string agent = nictune::testing::built_agent_binary();
  std::string keep;
  const char* usage =
      "usage: demo_bench [--runs N>=1] [--load with|without|both] [--spec FILE] "
      "[--nictune BIN] [--agent BIN] [--keep DIR]\n";
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
    } else {
      std::cerr << "demo_bench: unknown option " << key << "\n" << usage;
      return 2;
    }
  }
  if (runs < 1 || (load != "with" && load != "without" && load != "both")) {
    std::cerr << usage;
    return 2;
  }
  const fs::path dir = fs::temp_directory_path() / ("demo_bench." + std::to_string(getpid()));
  fs::create_directories(dir);
  std::map<std::string, std::vector<RunFigures>> results;
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
      std::printf(
          "%-8s run %d: %s, winner \"%s\" %+.1f %%%s, %zu trials, %.0f s, drift %s, "
          "background %.1f %%\n",
          condition.c_str(), i + 1, f.ok ? "ok" : "FAILED", f.winner.c_str(), f.gain * 100,
          f.significant ? " (significant)" : " (not significant)", f.trials, f.seconds,
          f.drift ? "yes" : "no", f.background);
      std::fflush(stdout);
      results[condition].push_back(f);
    }
  }
  std::printf("\n");
  for (const auto& [condition, figures] : results) summarise(condition, figures);
  fs::remove_all(dir);
  return 0;
}

// What a run tells the person (or program) watching it: one line per trial with k/N, the point,
// repetition, metrics, ETA and best-so-far per objective (the same lines on a TTY and in a log);
// on a TTY a status line under them (k/N, percent, elapsed, ETA, best) is redrawn in place and
// cleared at the end; with --json every event is one JSON object per line instead.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <ostream>
#include <string>
#include <vector>

#include "core/trial.hpp"
#include "strategies/strategy.hpp"

namespace nictune {

enum class ProgressMode { kTty, kPlain, kJson };

struct TrialEvent {
  std::int64_t trial_id = 0;
  std::int64_t point_id = 0;
  Json point;
  int repetition = 0;
  bool baseline = false;
  std::string bench;
  Outcome outcome;
};

class Progress {
 public:
  Progress(ProgressMode mode, std::ostream& out, std::vector<Objective> objectives);

  void started(std::int64_t experiment_id, const std::string& name, std::size_t planned_trials);
  void trial_done(const TrialEvent& event);
  void message(const std::string& text);
  // A line for another stream (stderr) that shares the terminal: the status line steps aside.
  void aside(std::ostream& other, const std::string& text);
  void finished(const std::string& status, const Json& summary);

 private:
  std::string eta_text() const;
  std::string best_text() const;
  void emit(const Json& event);
  // TTY only: the status line is erased before anything else is written and drawn again after.
  void clear_status();
  void draw_status();
  // One line on `stream` (out_ or one sharing its terminal), the status line kept below it.
  void print_line(std::ostream& stream, const std::string& text);

  ProgressMode mode_;
  std::ostream& out_;
  std::vector<Objective> objectives_;
  std::map<std::string, double> best_;
  std::size_t planned_ = 0;
  std::size_t done_ = 0;
  bool status_shown_ = false;
  std::chrono::steady_clock::time_point start_;
  std::mutex mutex_;
};

}  // namespace nictune

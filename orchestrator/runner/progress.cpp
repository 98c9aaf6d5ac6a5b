#include "orchestrator/runner/progress.hpp"

#include <cmath>
#include <sstream>

namespace nictune {
namespace {

std::string format_value(double v) {
  char buffer[32];
  double a = std::fabs(v);
  if (a >= 1e9)
    std::snprintf(buffer, sizeof buffer, "%.3gG", v / 1e9);
  else if (a >= 1e6)
    std::snprintf(buffer, sizeof buffer, "%.3gM", v / 1e6);
  else if (a >= 1e4)
    std::snprintf(buffer, sizeof buffer, "%.3gk", v / 1e3);
  else
    std::snprintf(buffer, sizeof buffer, "%.3g", v);
  return buffer;
}

std::string short_point(const Json& point) {
  if (point.empty()) return "baseline";
  std::string text;
  for (const auto& [key, value] : point.items()) {
    if (!text.empty()) text += " ";
    text += key + "=" + (value.is_string() ? value.get<std::string>() : value.dump());
  }
  return text;
}

}  // namespace

Progress::Progress(ProgressMode mode, std::ostream& out, std::vector<Objective> objectives)
    : mode_(mode),
      out_(out),
      objectives_(std::move(objectives)),
      start_(std::chrono::steady_clock::now()) {}

void Progress::emit(const Json& event) {
  out_ << event.dump() << std::endl;
}

void Progress::started(std::int64_t experiment_id, const std::string& name,
                       std::size_t planned_trials) {
  std::lock_guard lock(mutex_);
  planned_ = planned_trials;
  start_ = std::chrono::steady_clock::now();
  if (mode_ == ProgressMode::kJson) {
    emit({{"event", "started"},
          {"experiment", experiment_id},
          {"name", name},
          {"planned_trials", planned_trials}});
  } else {
    out_ << "experiment " << experiment_id << " (" << name << "): about " << planned_trials
         << " trials\n";
    draw_status();
  }
}

void Progress::clear_status() {
  if (!status_shown_) return;
  out_ << "\r\033[K";  // carriage return, erase to the end of the line
  status_shown_ = false;
}

void Progress::draw_status() {
  if (mode_ != ProgressMode::kTty) return;
  int elapsed = static_cast<int>(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count());
  char head[96];
  std::snprintf(head, sizeof head, "[%zu/%zu] %d%% elapsed %dm%02ds", done_, planned_,
                planned_ ? static_cast<int>(100 * done_ / planned_) : 0, elapsed / 60,
                elapsed % 60);
  out_ << head << eta_text() << best_text();
  out_.flush();
  status_shown_ = true;
}

std::string Progress::best_text() const {
  if (best_.empty()) return "";
  std::string text = " | best";
  for (const auto& [name, value] : best_) text += " " + name + "=" + format_value(value);
  return text;
}

std::string Progress::eta_text() const {
  if (done_ == 0 || done_ >= planned_) return "";
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  double left = elapsed / double(done_) * double(planned_ - done_);
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, " ETA %dm%02ds", int(left) / 60, int(left) % 60);
  return buffer;
}

void Progress::trial_done(const TrialEvent& e) {
  std::lock_guard lock(mutex_);
  ++done_;
  if (planned_ < done_) planned_ = done_;
  if (e.outcome.state == TrialState::kComplete && !e.baseline) {
    for (const auto& objective : objectives_) {
      auto it = e.outcome.metrics.find(objective.metric);
      if (it == e.outcome.metrics.end()) continue;
      auto best = best_.find(objective.metric);
      bool better =
          best == best_.end() || (objective.goal == Goal::kMaximize ? it->second > best->second
                                                                    : it->second < best->second);
      if (better) best_[objective.metric] = it->second;
    }
  }
  if (mode_ == ProgressMode::kJson) {
    Json metrics = Json::object();
    for (const auto& [name, value] : e.outcome.metrics) metrics[name] = value;
    emit({{"event", "trial"},
          {"trial", e.trial_id},
          {"point_id", e.point_id},
          {"point", e.point},
          {"repetition", e.repetition},
          {"baseline", e.baseline},
          {"bench", e.bench},
          {"state", to_string(e.outcome.state)},
          {"error", e.outcome.error},
          {"metrics", metrics},
          {"done", done_},
          {"planned", planned_},
          {"best", best_}});
    return;
  }
  std::ostringstream line;
  line << "[" << done_ << "/" << planned_ << "] " << (e.bench.empty() ? "" : e.bench + " ")
       << (e.baseline ? "baseline" : "point " + std::to_string(e.point_id)) << " rep "
       << e.repetition + 1 << ": ";
  if (e.outcome.state == TrialState::kComplete) {
    bool first = true;
    for (const auto& objective : objectives_) {
      auto it = e.outcome.metrics.find(objective.metric);
      line << (first ? "" : ", ") << objective.metric << "="
           << (it == e.outcome.metrics.end() ? "?" : format_value(it->second));
      first = false;
    }
  } else {
    line << to_string(e.outcome.state) << ": " << e.outcome.error;
  }
  line << eta_text() << best_text();
  clear_status();
  out_ << line.str() << "\n";
  if (!e.baseline) out_ << "    " << short_point(e.point) << "\n";
  draw_status();
  out_.flush();
}

void Progress::message(const std::string& text) {
  std::lock_guard lock(mutex_);
  if (mode_ == ProgressMode::kJson)
    emit({{"event", "message"}, {"text", text}});
  else
    print_line(out_, text);
}

void Progress::aside(std::ostream& other, const std::string& text) {
  std::lock_guard lock(mutex_);
  print_line(other, text);
}

void Progress::print_line(std::ostream& stream, const std::string& text) {
  const bool redraw = status_shown_;
  clear_status();
  out_.flush();
  stream << text << std::endl;
  if (redraw) draw_status();
}

void Progress::finished(const std::string& status, const Json& summary) {
  std::lock_guard lock(mutex_);
  if (mode_ == ProgressMode::kJson) {
    Json event = summary;
    event["event"] = "finished";
    event["status"] = status;
    emit(event);
  } else {
    clear_status();
    out_.flush();
  }
}

}  // namespace nictune

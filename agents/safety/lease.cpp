#include "agents/safety/lease.hpp"

#include <pthread.h>
#include <signal.h>

#include <cmath>
#include <ctime>
#include <ostream>
#include <sstream>

#include "core/errors.hpp"

namespace nictune::agent {
namespace {

std::string utc_text(std::chrono::system_clock::time_point when) {
  std::time_t t = std::chrono::system_clock::to_time_t(when);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

std::string seconds_text(double s) {
  std::ostringstream out;
  out << s;
  return out.str();
}

}  // namespace

double lease_seconds(const Json& params) {
  if (!params.is_object() || !params.contains("lease_s")) return kDefaultLeaseS;
  const Json& value = params["lease_s"];
  if (!value.is_number() || !std::isfinite(value.get<double>()) ||
      value.get<double>() < kMinLeaseS || value.get<double>() > kMaxLeaseS) {
    throw invalid("params.lease_s: expected seconds from " + seconds_text(kMinLeaseS) + " to " +
                  seconds_text(kMaxLeaseS) + ", got " + value.dump());
  }
  return value.get<double>();
}

LeaseTimer::LeaseTimer(std::mutex& session, std::function<Json()> restore, std::ostream& log)
    : session_(session), restore_(std::move(restore)), log_(log) {
  // The thread starts with every signal blocked (threads inherit the creator's mask): the agent
  // takes SIGTERM/SIGINT/SIGHUP through a signalfd in its main loop, and a process-directed
  // signal delivered to this thread instead would kill the agent before it restored.
  sigset_t all, previous;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &previous);
  thread_ = std::thread([this] { loop(); });
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
}

LeaseTimer::~LeaseTimer() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Json LeaseTimer::arm(double seconds) {
  std::lock_guard lock(mutex_);
  length_s_ = seconds;
  deadline_ = Clock::now() + std::chrono::milliseconds(static_cast<long>(seconds * 1000));
  last_renewal_ = std::chrono::system_clock::now();
  Json report = std::move(expired_);
  expired_ = nullptr;
  wake_.notify_all();
  return report;
}

void LeaseTimer::disarm() {
  std::lock_guard lock(mutex_);
  deadline_.reset();
  wake_.notify_all();
}

Json LeaseTimer::renew() {
  std::lock_guard lock(mutex_);
  if (!expired_.is_null()) {
    Json answer = {{"lease_s", 0}, {"expired", std::move(expired_)}};
    expired_ = nullptr;
    return answer;
  }
  if (!deadline_) return {{"lease_s", 0}};
  deadline_ = Clock::now() + std::chrono::milliseconds(static_cast<long>(length_s_ * 1000));
  last_renewal_ = std::chrono::system_clock::now();
  wake_.notify_all();
  return {{"lease_s", length_s_}, {"remaining_s", length_s_}};
}

void LeaseTimer::loop() {
  std::unique_lock lock(mutex_);
  while (!stop_) {
    if (!deadline_) {
      wake_.wait(lock);
      continue;
    }
    if (Clock::now() < *deadline_) {
      wake_.wait_until(lock, *deadline_);
      continue;
    }
    lock.unlock();
    expire();
    lock.lock();
  }
}

void LeaseTimer::expire() {
  // Session mutex first, then ours: the order every session method uses (it holds the session
  // mutex and arms). A method that was running renewed or disarmed meanwhile; check again.
  std::lock_guard session(session_);
  double length = 0;
  std::optional<std::chrono::system_clock::time_point> renewed;
  {
    std::lock_guard lock(mutex_);
    if (stop_ || !deadline_ || Clock::now() < *deadline_) return;
    deadline_.reset();
    length = length_s_;
    renewed = last_renewal_;
  }
  const auto now = std::chrono::system_clock::now();
  Json report = {{"lease_s", length},
                 {"expired_at", utc_text(now)},
                 {"last_renewal", renewed ? utc_text(*renewed) : ""}};
  try {
    Json outcome = restore_();
    report["restored"] = outcome.value("restored", Json::array());
    report["mismatches"] = outcome.value("mismatches", Json::array());
  } catch (const std::exception& e) {
    report["restored"] = Json::array();
    report["mismatches"] = Json::array();
    report["error"] = e.what();
  }
  log_ << "nictune-agent: lease of " << seconds_text(length) << " s ran out at "
       << report["expired_at"].get<std::string>() << " (last renewal "
       << report["last_renewal"].get<std::string>() << "): restored " << report["restored"].size()
       << " knob(s)"
       << (report["mismatches"].empty() ? "" : "; MISMATCHES: " + report["mismatches"].dump())
       << (report.contains("error") ? "; error: " + report["error"].get<std::string>() : "")
       << std::endl;
  std::lock_guard lock(mutex_);
  expired_ = std::move(report);
}

}  // namespace nictune::agent

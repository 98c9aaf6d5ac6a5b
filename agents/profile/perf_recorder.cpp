#include "agents/profile/perf_recorder.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <utility>

#include "agents/load/child_process.hpp"
#include "core/errors.hpp"

namespace nictune::profile {
namespace {

// perf prints hints after the error; the first non-empty line says what went wrong, and when
// it is only a heading ("Error:") the line after it is the message.
std::string first_line(const std::string& text) {
  std::string found;
  std::size_t start = 0;
  while (start < text.size()) {
    const auto nl = text.find('\n', start);
    std::string line = text.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    if (line.find_first_not_of(" \t") != std::string::npos) {
      found += found.empty() ? line : " " + line;
      if (found.back() != ':') return found;
    }
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  return found.empty() ? "no message" : found;
}

int read_paranoid() {
  std::ifstream in("/proc/sys/kernel/perf_event_paranoid");
  int value = 0;
  return in >> value ? value : 99;
}

std::string make_temp_dir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "nictune-perf-XXXXXX").string();
  if (!::mkdtemp(pattern.data())) throw Error(ErrorCode::kIo, "mkdtemp " + pattern + " failed");
  return pattern;
}

std::string seconds_text(double s) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", s);
  return text;
}

}  // namespace

Json probe_perf(const std::string& search_path) {
  Json out = {{"available", false}, {"paranoid", read_paranoid()}, {"euid", ::geteuid()}};
  std::string perf;
  try {
    perf = load::find_tool("perf", "linux-perf", search_path);
  } catch (const Error& e) {
    out["reason"] = e.what();
    return out;
  }
  out["perf"] = perf;
  std::string dir;
  try {
    dir = make_temp_dir();
    load::ChildProcess child(
        {perf, "record", "-q", "-e", "cpu-clock", "-a", "-o", dir + "/probe.data", "--", "true"},
        {});
    auto status = child.wait_for(10000);
    if (!status) {
      child.stop(SIGKILL, 1000);
      out["reason"] = "perf record did not finish within 10 s";
    } else if (!WIFEXITED(*status) || WEXITSTATUS(*status) != 0) {
      out["reason"] = "perf record refused (" + load::ChildProcess::describe(*status) +
                      "): " + first_line(child.errors()) +
                      " (kernel.perf_event_paranoid=" + std::to_string(read_paranoid()) + ")";
    } else {
      out["available"] = true;
    }
  } catch (const Error& e) {
    out["reason"] = e.what();
  }
  if (!dir.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  return out;
}

PerfRecorder::PerfRecorder(std::string search_path) : search_path_(std::move(search_path)) {}

PerfRecorder::~PerfRecorder() {
  abort();
}

void PerfRecorder::abort() {
  child_.reset();
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
    dir_.clear();
  }
}

void PerfRecorder::start(const RecordRequest& request) {
  if (child_) throw Error(ErrorCode::kBusy, "a profile is already being recorded");
  perf_ = load::find_tool("perf", "linux-perf", search_path_);
  dir_ = make_temp_dir();
  request_ = request;
  const long delay_ms = std::lround(request.delay_s * 1000);
  const std::string max_kib = std::to_string(std::max<std::size_t>(request.max_bytes / 1024, 64));
  std::vector<std::string> argv = {perf_,
                                   "record",
                                   "-q",
                                   "-e",
                                   "cpu-clock",
                                   "-a",
                                   "-g",
                                   "-F",
                                   std::to_string(request.frequency_hz),
                                   "--max-size=" + max_kib + "K",
                                   "-o",
                                   dir_ + "/perf.data"};
  if (delay_ms > 0) {
    argv.push_back("-D");
    argv.push_back(std::to_string(delay_ms));
  }
  // `sleep` is the workload perf waits for: it bounds the recording without a timer here.
  argv.insert(argv.end(), {"--", "sleep", seconds_text(request.delay_s + request.duration_s)});
  child_ = std::make_unique<load::ChildProcess>(argv, std::vector<unsigned>{});
}

FoldedProfile PerfRecorder::stop() {
  if (!child_) throw invalid("no profile is being recorded (call profile.start first)");
  auto child = std::move(child_);
  const std::string dir = std::exchange(dir_, "");
  auto cleanup = [&] {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  };
  const int budget_ms = static_cast<int>((request_.delay_s + request_.duration_s) * 1000) + 10000;
  auto status = child->wait_for(budget_ms);
  if (!status) status = child->stop(SIGINT, 5000);  // perf writes its data on SIGINT
  if (!WIFEXITED(*status) || WEXITSTATUS(*status) != 0) {
    std::string why =
        "perf record " + load::ChildProcess::describe(*status) + ": " + first_line(child->errors());
    cleanup();
    throw Error(ErrorCode::kIo, why);
  }
  load::ChildProcess script(
      {perf_, "script", "-i", dir + "/perf.data", "-F", "comm,pid,tid,cpu,ip,sym"}, {});
  auto script_status = script.wait_for(120000);
  if (!script_status) script_status = script.stop(SIGKILL, 1000);
  if (!WIFEXITED(*script_status) || WEXITSTATUS(*script_status) != 0) {
    std::string why = "perf script " + load::ChildProcess::describe(*script_status) + ": " +
                      first_line(script.errors());
    cleanup();
    throw Error(ErrorCode::kIo, why);
  }
  cleanup();
  FoldLimits limits;
  limits.max_bytes = request_.max_bytes;
  return fold_perf_script(script.output(), limits);
}

}  // namespace nictune::profile

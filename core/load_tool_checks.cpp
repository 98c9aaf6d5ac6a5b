#include "core/load_tool_checks.hpp"

#include <cmath>
#include <vector>

#include "core/text_util.hpp"

namespace nictune {

void read_load_tool(const Json& v, const std::string& path, Issues& issues, const LoadTool*& out) {
  const std::vector<std::string> names = load_tool_names();
  if (!v.is_string()) {
    issues.add(path, "expected one of " + join(names, ", ") + ", found " + json_brief(v));
    return;
  }
  const LoadTool* tool = find_load_tool(v.get<std::string>());
  if (!tool) {
    issues.add(path, "unknown value " + json_brief(v) + did_you_mean(v.get<std::string>(), names) +
                         "; expected one of " + join(names, ", "));
    return;
  }
  out = tool;
}

namespace {

// "a, b and c"
std::string and_list(const std::vector<std::string>& items) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += i + 1 == items.size() ? " and " : ", ";
    out += items[i];
  }
  return out;
}

// The tools (quoted, "or") that have a capability; for "only the builtin tool does".
std::string tools_with(bool (*can)(const LoadTool&)) {
  std::vector<std::string> names;
  for (const LoadTool& tool : load_tools()) {
    if (can(tool)) names.push_back(tool.name);
  }
  return names.size() == 1 ? "only the " + names.front() + " tool does"
                           : "only the tools " + and_list(names) + " do";
}

// A non-integral number as the spec wrote it ("2.5").
std::string number_text(double value) {
  return Json(value).dump();
}

}  // namespace

// A spec that asks for more than the tool's row claims is refused rather than silently measured
// differently.
void check_load_tool_limits(const Json& doc, const std::string& path, const Workload& w,
                            Issues& issues) {
  const LoadTool& tool = *w.tool;
  auto at = [&](const char* name) { return doc.is_object() && doc.contains(name); };
  auto sub = [&](const char* name) { return path + "." + name; };
  auto refuse = [&](const char* field, bool asks_for_more, const std::string& why) {
    if (at(field) && asks_for_more) issues.add(sub(field), why);
  };
  auto use = [&](bool (*can)(const LoadTool&)) {
    const std::string others = load_tools_that(w.type, can);
    return others.empty() ? std::string() : "; use tool " + others;
  };
  if (!tool.runs(w.type)) {
    std::vector<std::string> missing, types;
    for (WorkloadType type : workload_types()) {
      (tool.runs(type) ? types : missing).push_back(std::string(to_string(type)));
    }
    const std::string others = load_tools_that(w.type, [](const LoadTool&) { return true; });
    // One missing type reads best as what it cannot do, several as what it can.
    issues.add(sub("tool"),
               missing.size() == 1
                   ? tool.name + " cannot run " + missing.front() + "; use tool " + others
                   : tool.name + " runs " + and_list(types) + " only; use tool " + others +
                         " for " + std::string(to_string(w.type)));
  }
  if (!tool.waits(w.poll_mode)) {
    std::vector<std::string> modes;
    for (PollMode mode : tool.poll_modes) modes.push_back(std::string(to_string(mode)));
    refuse("poll_mode", true,
           modes.size() == 1 ? tool.name + " has only the " + modes.front() + " mode"
                             : tool.name + " has no " + std::string(to_string(w.poll_mode)) +
                                   " mode, only " + and_list(modes));
  }
  if (!tool.duration_flag.empty() || !tool.warmup_flag.empty()) {
    std::string flags = tool.duration_flag;
    if (!tool.warmup_flag.empty()) flags += (flags.empty() ? "" : ", ") + tool.warmup_flag;
    const std::string why = tool.name + " takes whole seconds (" + flags + "), found ";
    refuse("duration_s", !tool.duration_flag.empty() && w.duration_s != std::floor(w.duration_s),
           why + number_text(w.duration_s));
    refuse("warmup_s", !tool.warmup_flag.empty() && w.warmup_s != std::floor(w.warmup_s),
           why + number_text(w.warmup_s));
  }
  if (tool.min_interval_ms > 0) {
    refuse("interval_ms",
           w.interval_ms < tool.min_interval_ms || w.interval_ms > tool.max_interval_ms,
           tool.name + " reports intervals from " + std::to_string(tool.min_interval_ms) + " to " +
               std::to_string(tool.max_interval_ms) + " ms (" + tool.interval_flag + ")");
  }
  // Checked whether or not the spec gave it: tcp_stream's default (64 KiB) is above sockperf's.
  if (tool.max_payload > 0 && w.payload > tool.max_payload) {
    issues.add(
        sub("payload"),
        tool.name + " sends at most " + std::to_string(tool.max_payload) +
            " bytes per message, found " + std::to_string(w.payload) +
            (at("payload") ? "" : " (the default for " + std::string(to_string(w.type)) + ")") +
            "; give a smaller payload");
  }
  refuse(
      "busy_poll_us", !tool.busy_poll && w.busy_poll_us != 0,
      tool.name + " cannot set SO_BUSY_POLL" + use([](const LoadTool& t) { return t.busy_poll; }));
  refuse("flows", !tool.many_flows && w.flows != 1,
         tool.name + " runs one flow here" + use([](const LoadTool& t) { return t.many_flows; }) +
             " for more");
  refuse("threads", !tool.many_threads && w.threads != 1,
         tool.name + " runs one thread" + use([](const LoadTool& t) { return t.many_threads; }) +
             " for more");
  refuse("gso", !tool.gso && w.gso,
         tool.name + " cannot send with UDP_SEGMENT; " +
             tools_with([](const LoadTool& t) { return t.gso; }));
  refuse("batch", !tool.batching && w.batch != Workload{}.batch,
         tool.name + " has no sendmmsg/recvmmsg batching; " +
             tools_with([](const LoadTool& t) { return t.batching; }));
  refuse("timestamps", !tool.timestamps && w.timestamps,
         tool.name + " reports no kernel timestamps; " +
             tools_with([](const LoadTool& t) { return t.timestamps; }));
  refuse("incoming_cpu", !tool.incoming_cpu && w.incoming_cpu,
         tool.name + " reports no incoming CPU; " +
             tools_with([](const LoadTool& t) { return t.incoming_cpu; }));
}

}  // namespace nictune

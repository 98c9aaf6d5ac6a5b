#include "reports/rate_search_section.hpp"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "core/issues.hpp"
#include "core/rate_search_spec.hpp"
#include "reports/format.hpp"
#include "reports/svg.hpp"

namespace nictune::report {
namespace {

const TrialRecord* find_trial(const Report& r, std::int64_t id) {
  for (const auto& t : r.trials)
    if (t.id == id) return &t;
  return nullptr;
}

// A loss ratio as a percentage with 4 significant digits ("0.01617%": a loss small enough to fail
// an NDR must not print as 0), "0" for none.
std::string loss_text(double ratio) {
  return ratio == 0 ? "0" : format_number(ratio * 100) + "%";
}

// "1.0%", "0.0%": a share, not a change, so without format_percent's sign.
std::string unsigned_percent(double ratio) {
  std::string text = format_percent(ratio);
  return text.rfind('+', 0) == 0 ? text.substr(1) : text;
}

double number_at(const Json& j, const char* key) {
  return j.contains(key) && j[key].is_number() ? j[key].get<double>() : 0.0;
}

RateSearchEntry entry_for(const Report& r, const PointResult& p, const std::string& label) {
  RateSearchEntry e;
  e.label = label;
  e.config = p.baseline ? "the host's own settings" : config_text(p.changes);
  // The repetition with the median found rate stands for the point: a plot of every repetition
  // would hide the steps under each other.
  std::vector<const TrialRecord*> searched;
  for (auto id : p.trial_ids) {
    const TrialRecord* t = find_trial(r, id);
    if (t && t->outcome.state == TrialState::kComplete &&
        t->outcome.details.contains("rate_search"))
      searched.push_back(t);
  }
  e.repetitions = searched.size();
  if (searched.empty()) return e;
  std::stable_sort(searched.begin(), searched.end(), [](const auto* a, const auto* b) {
    return number_at(a->outcome.details["rate_search"], "rate_pps") <
           number_at(b->outcome.details["rate_search"], "rate_pps");
  });
  const TrialRecord& shown = *searched[(searched.size() - 1) / 2];
  const Json& rs = shown.outcome.details["rate_search"];
  e.trial_id = shown.id;
  e.rate_pps = number_at(rs, "rate_pps");
  e.upper_pps = number_at(rs, "upper_pps");
  e.complete = rs.value("complete", false);
  for (const auto& s : rs.value("steps", Json::array())) {
    RateStepView v;
    v.phase = static_cast<int>(number_at(s, "phase"));
    v.offered_pps = number_at(s, "offered_pps");
    v.duration_s = number_at(s, "duration_s");
    const double window =
        number_at(s, "measured_s") > 0 ? number_at(s, "measured_s") : v.duration_s;
    v.received_pps = window > 0 ? number_at(s, "received") / window : 0;
    v.loss_ratio = number_at(s, "loss_ratio");
    v.passed = s.value("passed", false);
    e.steps.push_back(v);
  }
  for (const auto& l : rs.value("latency", Json::array())) {
    LatencyAtLoad row;
    row.percent = static_cast<int>(number_at(l, "percent"));
    row.offered_pps = number_at(l, "offered_pps");
    row.lost_packets = number_at(l, "lost_packets");
    for (const auto& [key, value] : l.items())
      if (key.rfind("rtt_", 0) == 0 && value.is_number()) row.rtt_us[key] = value.get<double>();
    e.latency.push_back(std::move(row));
  }
  return e;
}

std::string criterion_text(const RateSearchSection& s) {
  std::string upper = s.criterion == "pdr" ? "PDR" : "NDR";
  return upper + ": loss ratio <= " + format_number(s.loss_ratio) + ", precision " +
         unsigned_percent(s.precision);
}

std::vector<std::string> rtt_columns(const RateSearchEntry& e) {
  std::vector<std::string> names;
  for (const auto& row : e.latency)
    for (const auto& [name, value] : row.rtt_us)
      if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  return names;
}

std::string pad(std::string s, std::size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

void table(std::ostream& out, const std::vector<std::string>& head,
           const std::vector<std::vector<std::string>>& rows, bool markdown,
           const std::string& indent) {
  if (markdown) {
    out << "|";
    for (const auto& h : head) out << " " << md_cell(h) << " |";
    out << "\n|";
    for (std::size_t i = 0; i < head.size(); ++i) out << "---|";
    out << "\n";
    for (const auto& row : rows) {
      out << "|";
      for (const auto& c : row) out << " " << md_cell(c) << " |";
      out << "\n";
    }
    out << "\n";
    return;
  }
  std::vector<std::size_t> width(head.size());
  for (std::size_t i = 0; i < head.size(); ++i) width[i] = head[i].size();
  for (const auto& row : rows)
    for (std::size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  auto line = [&](const std::vector<std::string>& cells) {
    std::string text = indent;
    for (std::size_t i = 0; i < cells.size(); ++i) text += pad(cells[i], width[i] + 2);
    while (!text.empty() && text.back() == ' ') text.pop_back();
    out << text << "\n";
  };
  line(head);
  for (const auto& row : rows) line(row);
}

std::string summary_line(const RateSearchEntry& e, const std::string& criterion) {
  std::string text = e.label + " (" + e.config + "): ";
  if (e.repetitions == 0) return text + "no complete rate search";
  text += e.rate_pps > 0 ? criterion + " " + format_number(e.rate_pps) + " pps" : "nothing passed";
  if (e.upper_pps > 0) text += ", lowest failing " + format_number(e.upper_pps) + " pps";
  return text + (e.complete ? "" : ", precision not reached");
}

// "9 steps of trial 1 (the median found rate of 2 repetitions)"
std::string steps_line(const RateSearchEntry& e) {
  std::string text =
      std::to_string(e.steps.size()) + " steps of trial " + std::to_string(e.trial_id);
  if (e.repetitions > 1)
    text += " (the median found rate of " + std::to_string(e.repetitions) + " repetitions)";
  return text;
}

std::string plot_svg(const RateSearchSection& s, const RateSearchEntry& e) {
  svg::Plot plot("rate-search", 640, 300,
                 "rate search of " + e.label + ": received against offered rate per step");
  double hi = std::max(e.rate_pps, e.upper_pps);
  for (const auto& step : e.steps) hi = std::max({hi, step.offered_pps, step.received_pps});
  const svg::Range range{0, hi > 0 ? hi * 1.06 : 1};
  plot.x_axis(range, "offered (packets/s)");
  plot.y_axis(range, "received (packets/s)");
  using svg::num;
  const double x0 = plot.px(range.lo), x1 = plot.px(range.hi);
  // received = offered, and the criterion's bound received = offered x (1 - loss ratio).
  plot.add("<g><title>received = offered (no loss)</title><line x1=\"" + num(x0) + "\" y1=\"" +
           num(plot.py(range.lo)) + "\" x2=\"" + num(x1) + "\" y2=\"" + num(plot.py(range.hi)) +
           "\" stroke=\"#adb5bd\" stroke-dasharray=\"4 3\"/></g>\n");
  const double keep = 1 - s.loss_ratio;
  plot.add("<g class=\"criterion\"><title>loss criterion: received >= offered x " +
           format_number(keep) + "</title><line x1=\"" + num(x0) + "\" y1=\"" +
           num(plot.py(range.lo * keep)) + "\" x2=\"" + num(x1) + "\" y2=\"" +
           num(plot.py(range.hi * keep)) + "\" stroke=\"#1971c2\" stroke-width=\"1.5\"/></g>\n");
  if (e.rate_pps > 0) {
    const double x = plot.px(e.rate_pps);
    plot.add("<g class=\"found\"><title>found " + s.criterion + ": " + format_number(e.rate_pps) +
             " pps</title><line x1=\"" + num(x) + "\" y1=\"" + num(plot.top()) + "\" x2=\"" +
             num(x) + "\" y2=\"" + num(plot.bottom()) +
             "\" stroke=\"#2b8a3e\" stroke-width=\"2\"/><text x=\"" + num(x + 4) + "\" y=\"" +
             num(plot.top() + 12) + "\" font-size=\"11\" fill=\"#2b8a3e\">" + s.criterion + " " +
             format_number(e.rate_pps) + "</text></g>\n");
  }
  for (std::size_t i = 0; i < e.steps.size(); ++i) {
    const auto& step = e.steps[i];
    const double x = plot.px(step.offered_pps), y = plot.py(step.received_pps);
    std::string title = "step " + std::to_string(i + 1) + " (phase " + std::to_string(step.phase) +
                        ", " + format_number(step.duration_s) + " s): offered " +
                        format_number(step.offered_pps) + ", received " +
                        format_number(step.received_pps) + " pps, loss " +
                        loss_text(step.loss_ratio) + " - " + (step.passed ? "passed" : "failed");
    // Longer trials draw larger: the confirming full-length steps stand out.
    const double radius = 2.5 + std::min(3.0, step.duration_s / 4);
    std::string mark =
        step.passed ? "<circle class=\"step-pass\" cx=\"" + num(x) + "\" cy=\"" + num(y) +
                          "\" r=\"" + num(radius) + "\" fill=\"#2b8a3e\"/>"
                    : "<path class=\"step-fail\" d=\"M" + num(x - radius) + " " + num(y - radius) +
                          "L" + num(x + radius) + " " + num(y + radius) + "M" + num(x - radius) +
                          " " + num(y + radius) + "L" + num(x + radius) + " " + num(y - radius) +
                          "\" stroke=\"#c92a2a\" stroke-width=\"2\"/>";
    plot.add("<g><title>" + html_escape(title) + "</title>" + mark + "</g>\n");
  }
  return plot.str();
}

}  // namespace

RateSearchSection rate_search_section(const Report& r) {
  RateSearchSection s;
  const Json& workload = r.experiment.spec.value("workload", Json::object());
  if (!workload.is_object() || !workload.contains("rate_search")) return s;
  RateSearchSpec spec;
  Issues ignored;  // validated when it ran
  read_rate_search(workload["rate_search"], "workload.rate_search",
                   workload.value("duration_s", 10.0), ignored, spec);
  s.criterion = to_string(spec.criterion);
  s.loss_ratio = spec.loss_ratio;
  s.precision = spec.precision;
  if (r.baseline) s.entries.push_back(entry_for(r, r.points[*r.baseline], "baseline"));
  if (r.best) s.entries.push_back(entry_for(r, r.points[*r.best], "best"));
  std::erase_if(s.entries, [](const RateSearchEntry& e) { return e.repetitions == 0; });
  return s;
}

void rate_search_tables(const RateSearchSection& s, std::ostream& out, bool markdown) {
  if (s.empty()) return;
  const std::string crit = s.criterion == "pdr" ? "PDR" : "NDR";
  out << (markdown ? "## Rate search\n\n" : "\nRate search\n") << (markdown ? "" : "  ")
      << criterion_text(s) << "\n"
      << (markdown ? "\n" : "");
  for (const auto& e : s.entries) {
    out << (markdown ? "### " : "  ") << summary_line(e, crit) << "\n"
        << (markdown ? "\n" : "    ") << steps_line(e) << (markdown ? ":\n\n" : "\n");
    std::vector<std::vector<std::string>> rows;
    for (std::size_t i = 0; i < e.steps.size(); ++i) {
      const auto& st = e.steps[i];
      rows.push_back({std::to_string(i + 1), std::to_string(st.phase), format_number(st.duration_s),
                      format_number(st.offered_pps), format_number(st.received_pps),
                      loss_text(st.loss_ratio), st.passed ? "pass" : "fail"});
    }
    table(out, {"step", "phase", "duration_s", "offered_pps", "received_pps", "loss", "result"},
          rows, markdown, "    ");
    if (e.latency.empty()) continue;
    out << (markdown ? "Latency at load:\n\n" : "    latency at load:\n");
    std::vector<std::string> head = {"% of " + crit, "offered_pps"};
    const auto rtts = rtt_columns(e);
    head.insert(head.end(), rtts.begin(), rtts.end());
    head.push_back("lost");
    rows.clear();
    for (const auto& l : e.latency) {
      std::vector<std::string> row = {std::to_string(l.percent), format_number(l.offered_pps)};
      for (const auto& name : rtts) {
        auto it = l.rtt_us.find(name);
        row.push_back(it == l.rtt_us.end() ? "-" : format_number(it->second));
      }
      row.push_back(format_number(l.lost_packets));
      rows.push_back(std::move(row));
    }
    table(out, head, rows, markdown, "      ");
  }
  if (!markdown) out << "\n";
}

Json rate_search_json(const RateSearchSection& s) {
  Json entries = Json::array();
  for (const auto& e : s.entries) {
    Json steps = Json::array();
    for (const auto& st : e.steps)
      steps.push_back({{"phase", st.phase},
                       {"duration_s", st.duration_s},
                       {"offered_pps", st.offered_pps},
                       {"received_pps", st.received_pps},
                       {"loss_ratio", st.loss_ratio},
                       {"passed", st.passed}});
    Json latency = Json::array();
    for (const auto& l : e.latency) {
      Json row = {
          {"percent", l.percent}, {"offered_pps", l.offered_pps}, {"lost_packets", l.lost_packets}};
      for (const auto& [name, value] : l.rtt_us) row[name] = value;
      latency.push_back(std::move(row));
    }
    entries.push_back({{"label", e.label},
                       {"config", e.config},
                       {"trial_id", e.trial_id},
                       {"repetitions", e.repetitions},
                       {"rate_pps", e.rate_pps},
                       {"upper_pps", e.upper_pps},
                       {"complete", e.complete},
                       {"steps", steps},
                       {"latency_at_load", latency}});
  }
  return {{"criterion", s.criterion},
          {"loss_ratio", s.loss_ratio},
          {"precision", s.precision},
          {"entries", entries}};
}

std::string rate_search_html(const RateSearchSection& s) {
  if (s.empty()) return std::string();
  std::ostringstream out;
  const std::string crit = s.criterion == "pdr" ? "PDR" : "NDR";
  out << "<section id=\"rate-search\">\n<h2>Rate search</h2>\n<p class=\"meta\">"
      << html_escape(criterion_text(s))
      << ". Each step's received rate against its offered rate: filled circles passed, crosses "
         "failed (larger marks: longer trials); the blue line is the loss criterion, the green "
         "one the rate found.</p>\n";
  for (const auto& e : s.entries) {
    out << "<h3>" << html_escape(summary_line(e, crit)) << "</h3>\n<p class=\"meta\">"
        << html_escape(steps_line(e)) << "</p>\n"
        << plot_svg(s, e);
    if (e.latency.empty()) continue;
    const auto rtts = rtt_columns(e);
    out << "<table class=\"latency-at-load\">\n<caption>Latency at load: " << html_escape(e.label)
        << "</caption>\n<tr><th>% of " << crit << "</th><th>offered pps</th>";
    for (const auto& name : rtts) out << "<th>" << html_escape(name) << "</th>";
    out << "<th>lost packets</th></tr>\n";
    for (const auto& l : e.latency) {
      out << "<tr><td>" << l.percent << "</td><td>" << format_number(l.offered_pps) << "</td>";
      for (const auto& name : rtts) {
        auto it = l.rtt_us.find(name);
        out << "<td>" << (it == l.rtt_us.end() ? "-" : format_number(it->second)) << "</td>";
      }
      out << "<td>" << format_number(l.lost_packets) << "</td></tr>\n";
    }
    out << "</table>\n";
  }
  out << "</section>\n";
  return out.str();
}

}  // namespace nictune::report

// The HTML report's Pareto table: every configuration with its summaries, gains against the
// baseline and why it is not best.
#include <cmath>

#include "reports/format.hpp"
#include "reports/render_html_parts.hpp"

namespace nictune::report::html {
namespace {

std::string gain_cell(const ObjectiveResult& o, bool baseline) {
  if (baseline || std::isnan(o.gain)) return "<td class=\"num\"></td>";
  const std::string cls = o.gain > 0 ? "gain-good" : o.gain < 0 ? "gain-bad" : "";
  std::string title =
      o.gain_significant || !std::isnan(o.gain_p_value)
          ? " title=\"Welch t-test against the baseline: p = " + format_p(o.gain_p_value) + "\""
          : "";
  return "<td class=\"num " + cls + "\"" + title + ">" + esc(format_percent(o.gain)) +
         (o.gain_significant ? "*" : "") + "</td>";
}

}  // namespace

void pareto_table(const Report& r, std::ostream& out) {
  out << "<table class=\"pareto\">\n<thead><tr><th>#</th><th>point</th><th>status</th><th>n</th>";
  for (const auto& o : r.objectives) {
    out << "<th>" << esc(o.metric) << " (" << to_string(o.goal) << ")</th><th>gain</th>";
  }
  out << "<th>configuration (what differs from the baseline)</th><th>why not "
         "best</th></tr></thead>\n<tbody>\n";
  int n = 0;
  for (const auto& p : r.points) {
    std::string cls;
    switch (p.status) {
      case PointStatus::kFront:
        cls = "front";
        break;
      case PointStatus::kTied:
        cls = "tied";
        break;
      case PointStatus::kDominated:
        cls = "dominated";
        break;
      case PointStatus::kInfeasible:
        cls = "infeasible";
        break;
      case PointStatus::kFailed:
        cls = "failed";
        break;
    }
    if (p.baseline) cls += " baseline";
    const bool ranked = p.status == PointStatus::kFront || p.status == PointStatus::kTied;
    out << "<tr class=\"" << cls << "\"><td class=\"num\">"
        << (ranked && !p.baseline ? std::to_string(++n) : "") << "</td><td class=\"num\">"
        << p.point_id << "</td><td class=\"status\">" << esc(to_string(p.status))
        << "</td><td class=\"num\">" << p.complete << "</td>";
    for (const auto& o : p.objectives) {
      out << "<td class=\"num\">" << esc(format_summary(o.summary)) << "</td>"
          << gain_cell(o, p.baseline);
    }
    out << "<td>"
        << (p.baseline ? "<em>baseline (the host's settings)" +
                             (p.variant.empty() ? "" : " at " + esc(p.variant)) + "</em>"
                       : "<code>" + esc(p.label()) + "</code>")
        << "</td><td>";
    if (p.status == PointStatus::kFailed) {
      std::string error;
      for (const auto& t : r.trials) {
        if (t.point_id == p.point_id && t.baseline == p.baseline && !t.outcome.error.empty())
          error = t.outcome.error;
      }
      out << esc(error.empty() ? "no complete trial" : error);
    } else {
      out << esc(join(p.violations, "; "));
    }
    out << "</td></tr>\n";
  }
  out << "</tbody></table>\n";
}

}  // namespace nictune::report::html

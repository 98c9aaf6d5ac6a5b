// One self-contained HTML file: inline CSS and SVG, no scripts, no fonts or images fetched, so it
// can be mailed, attached to a ticket or opened offline. Tooltips use SVG <title> elements.
#include <cstdio>

#include "core/text_util.hpp"
#include "core/version.hpp"
#include "reports/format.hpp"
#include "reports/models.hpp"
#include "reports/profile_section.hpp"
#include "reports/rate_search_section.hpp"
#include "reports/render.hpp"
#include "reports/render_html_parts.hpp"

namespace nictune::report {
namespace {

using html::convergence_plot;
using html::effect_plot;
using html::esc;
using html::heatmap_svg;
using html::legend;
using html::pareto_table;
using html::queue_heatmap_svg;
using html::scatter;

constexpr const char* kStyle = R"css(
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; margin: 0 auto;
       max-width: 1180px; padding: 18px 24px 40px; color: #1d2125; background: #fff; line-height: 1.4; }
h1 { font-size: 1.5em; margin: 0.2em 0; } h2 { font-size: 1.2em; margin-top: 1.6em; border-bottom: 1px solid #ddd; }
h3 { font-size: 1em; margin: 1em 0 0.3em; }
p.meta { color: #555; margin: 0.2em 0; }
table { border-collapse: collapse; margin: 0.5em 0; font-size: 0.9em; }
th, td { border: 1px solid #d6d9dc; padding: 3px 8px; vertical-align: top; }
th { background: #f3f4f6; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td code, p code { font-size: 0.95em; background: #f3f4f6; padding: 0 3px; border-radius: 3px; }
tr.front td { background: #e7f1fb; } tr.front td.status { font-weight: 600; color: #1c5fa8; }
tr.tied td.status { color: #b35c00; } tr.infeasible td { color: #a61b1b; } tr.failed td { color: #777; }
tr.baseline td { font-style: italic; }
.gain-good { color: #1b7a35; } .gain-bad { color: #a61b1b; }
.plots { display: flex; flex-wrap: wrap; gap: 14px; align-items: flex-start; }
figure { margin: 0; } figcaption { font-size: 0.85em; color: #444; text-align: center; }
svg.plot { background: #fff; font-size: 11px; }
svg .frame { fill: none; stroke: #999; } svg .grid { stroke: #eceef0; }
svg .tick { fill: #555; } svg .axis-label { fill: #222; font-size: 12px; }
svg .pt-dominated { fill: #9aa3ad; } svg .pt-tied { fill: #fff; stroke: #e8890c; stroke-width: 2; }
svg .pt-front { fill: #1f6fc5; stroke: #0d3f75; } svg .pt-infeasible { stroke: #c92a2a; stroke-width: 2; }
svg .pt-baseline { fill: #222; } svg .errbar { stroke: #b8bec6; stroke-width: 1; } svg .errbar.clipped { stroke-dasharray: 3 2; }
svg .front-line { fill: none; stroke: #1f6fc5; stroke-width: 1.5; stroke-dasharray: 5 3; }
svg .label { fill: #0d3f75; font-size: 10px; } svg .hv-line { fill: none; stroke: #1f6fc5; stroke-width: 2; }
svg .hv-dot { fill: #1f6fc5; } svg .range { stroke: #6b7785; stroke-width: 2; } svg .mean { fill: #1f6fc5; }
svg .cell-text { font-size: 10px; } .legend svg { vertical-align: middle; }
.legend { font-size: 0.85em; color: #333; margin: 0.3em 0 0.8em; }
.legend span { margin-right: 1.2em; white-space: nowrap; }
pre { background: #f6f8fa; padding: 10px; overflow-x: auto; font-size: 0.85em; }
footer { margin-top: 2em; color: #777; font-size: 0.85em; }
)css";

}  // namespace

void render_html(const Report& r, std::ostream& out) {
  const auto& e = r.experiment;
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
         // Nothing to fetch and nothing to run: a report built from a database someone sent
         // cannot call out or execute anything, and any attempt shows as a console error.
         "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src "
         "'unsafe-inline'; "
         "img-src data:\">\n"
         "<meta name=\"generator\" content=\"nictune "
      << kVersion << "\">\n<title>nictune report: " << esc(e.name) << "</title>\n<style>" << kStyle
      << "</style>\n</head>\n<body>\n";
  out << "<header>\n<h1>nictune report: " << esc(e.name) << " <small>(#" << e.id
      << ")</small></h1>\n";
  if (e.spec.is_object() && e.spec.contains("description") &&
      e.spec.at("description").is_string()) {
    out << "<p>" << esc(e.spec.at("description").get<std::string>()) << "</p>\n";
  }
  out << "<p class=\"meta\">Status " << esc(e.status.empty() ? "unknown" : e.status);
  if (e.created_at > 0) out << ", started " << esc(format_utc(e.created_at));
  out << ". " << esc(trial_counts(r)) << ".</p>\n";
  if (const std::string warm = warm_start_text(e); !warm.empty())
    out << "<p class=\"meta\">" << esc(warm) << ".</p>\n";
  out << "</header>\n";

  out << "<section id=\"context\">\n<h2>Measured on</h2>\n";
  if (r.contexts.empty()) {
    out << "<p>No host facts were recorded.</p>\n";
  } else {
    out << "<table class=\"context\"><thead><tr><th></th>";
    for (const auto& c : r.contexts) out << "<th>" << esc(role_title(c)) << "</th>";
    out << "</tr></thead><tbody>\n";
    for (const auto& [key, unused] : r.contexts.front().fields) {
      out << "<tr><th>" << esc(key) << "</th>";
      for (const auto& c : r.contexts) out << "<td>" << esc(c.get(key)) << "</td>";
      out << "</tr>\n";
    }
    out << "</tbody></table>\n";
  }
  out << "<p class=\"meta\">Run by nictune "
      << esc(e.tool_version.empty() ? std::string("(version not recorded)") : e.tool_version)
      << ", reported by nictune " << kVersion << "; spec <code>" << esc(e.spec_hash)
      << "</code> (<a href=\"#spec\">in full below</a>).</p>\n";
  std::vector<std::string> objectives;
  for (const auto& o : r.objectives) objectives.push_back(objective_heading(o));
  out << "<p><strong>Objectives:</strong> "
      << esc(objectives.empty() ? "none" : join(objectives, ", "))
      << "<br><strong>Outcome constraints:</strong> "
      << esc(r.constraints.empty() ? std::string("none") : join(r.constraints, ", "))
      << "</p>\n</section>\n";

  out << "<section id=\"pareto\">\n<h2>Pareto-best configurations</h2>\n<p class=\"meta\">"
      << esc(table_legend()) << ".</p>\n";
  pareto_table(r, out);
  out << "</section>\n";

  if (r.objectives.size() >= 2) {
    out << "<section id=\"objective-space\">\n<h2>Objective space</h2>\n";
    if (r.objectives.size() > 2) {
      out << "<p class=\"meta\">Every pair of objectives; the front is over all "
          << r.objectives.size()
          << " objectives, so a front point may look dominated in one pair.</p>\n";
    }
    out << legend() << "<div class=\"plots\">\n";
    for (std::size_t i = 0; i < r.objectives.size(); ++i) {
      for (std::size_t j = i + 1; j < r.objectives.size(); ++j)
        out << "<figure>" << scatter(r, i, j) << "</figure>\n";
    }
    out << "</div>\n</section>\n";
  } else if (r.objectives.size() == 1) {
    out << "<section id=\"objective-space\">\n<h2>Objective space</h2>\n<p>One objective: the "
           "table above is "
           "the ranking.</p>\n</section>\n";
  }

  const std::string sentence = convergence_sentence(r);
  if (!sentence.empty()) {
    out << "<section id=\"convergence\">\n<h2>Search progress</h2>\n<p>Hypervolume of the front "
        << esc(sentence)
        << ". Objectives are scaled between the best and worst feasible means; 1 would be one "
           "configuration "
           "best in everything.</p>\n"
        << convergence_plot(r) << "</section>\n";
  }

  if (!r.effects.empty()) {
    out << "<section id=\"effects\">\n<h2>Knob effects</h2>\n<p class=\"meta\">For each knob, the "
           "objective's "
           "mean (dot) and range (line) over the configurations with each value; the percentage is "
           "the "
           "share of the objective's variance the knob explains (eta squared). Knobs the search "
           "never "
           "varied are left out; with an unbalanced search, knobs that moved together share "
           "credit.</p>\n";
    std::string metric;
    constexpr std::size_t kPerObjective = 8;
    std::size_t shown = 0;
    for (const auto& eff : r.effects) {
      if (eff.metric != metric) {
        if (!metric.empty()) out << "</div>\n";
        metric = eff.metric;
        shown = 0;
        out << "<h3>" << esc(metric) << "</h3>\n<div class=\"plots\">\n";
      }
      if (shown++ >= kPerObjective) continue;
      char share[16];
      std::snprintf(share, sizeof share, "%.0f %%", eff.eta_squared * 100);
      out << "<figure>" << effect_plot(eff) << "<figcaption><code>" << esc(eff.knob)
          << "</code> explains " << share << "</figcaption></figure>\n";
    }
    out << "</div>\n</section>\n";
  }

  if (!r.heatmap.empty()) {
    out << "<section id=\"heatmap\">\n<h2>Per-CPU work: baseline against the best point</h2>\n<p "
           "class=\"meta\">"
           "The agent's per-CPU counters, mean per trial; each counter's colour scale runs from 0 "
           "to its "
           "largest value in either row, so the two rows compare directly.</p>\n";
    bool any_series = false;
    for (const auto& loads : r.heatmap.loads) any_series = any_series || !loads.empty();
    if (any_series) out << heatmap_svg(r);
    if (r.heatmap.has_queues()) {
      out << "<h3>Interrupts per queue</h3>\n<p class=\"meta\">Which CPUs serviced each queue's "
             "interrupts, "
             "mean per trial; one colour scale for both configurations.</p>\n"
          << queue_heatmap_svg(r);
    }
    out << "</section>\n";
  }

  out << rate_search_html(rate_search_section(r));
  out << profile_html(profile_section(r));
  if (!r.notes.empty()) {
    out << "<section id=\"notes\">\n<h2>Notes</h2>\n<ul>\n";
    for (const auto& n : r.notes) out << "<li>" << esc(n) << "</li>\n";
    out << "</ul>\n</section>\n";
  }
  out << "<section id=\"spec\">\n<h2>Spec as run</h2>\n<details><summary>spec " << esc(e.spec_hash)
      << "</summary>\n<pre>" << esc(pretty_json(e.spec)) << "</pre>\n</details>\n</section>\n";
  out << "<footer>Generated by nictune " << kVersion
      << ". Every trial and metric: <code>nictune report --format json</code> or <code>--format "
         "csv</code>.</footer>\n"
         "</body>\n</html>\n";
}

}  // namespace nictune::report

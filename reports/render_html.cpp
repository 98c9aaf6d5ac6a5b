// One self-contained HTML file: inline CSS and SVG, no scripts, no fonts or images fetched, so it
// can be mailed, attached to a ticket or opened offline. Tooltips use SVG <title> elements.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "core/metrics.hpp"
#include "core/text_util.hpp"
#include "core/version.hpp"
#include "reports/format.hpp"
#include "reports/models.hpp"
#include "reports/profile_section.hpp"
#include "reports/rate_search_section.hpp"
#include "reports/render.hpp"
#include "reports/svg.hpp"

namespace nictune::report {
namespace {

using svg::num;

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

std::string esc(const std::string& s) {
  return html_escape(s);
}

std::string axis_label(const Objective& o) {
  return objective_heading(o) +
         (o.goal == Goal::kMaximize ? ", higher is better" : ", lower is better");
}

std::string point_tooltip(const Report& r, const PointResult& p) {
  std::string t = (p.baseline ? std::string("baseline") : "point " + std::to_string(p.point_id)) +
                  " (" + to_string(p.status) + "): " + p.label();
  for (std::size_t j = 0; j < r.objectives.size(); ++j) {
    t += "\n" + r.objectives[j].metric + " " + format_summary(p.objectives[j].summary) +
         " (n=" + std::to_string(p.objectives[j].summary.n) + ")";
  }
  for (const auto& v : p.violations) t += "\nviolates " + v;
  return t;
}

bool measured(const PointResult& p, std::size_t i, std::size_t j) {
  return p.complete > 0 && p.objectives[i].summary.n > 0 && p.objectives[j].summary.n > 0;
}

// A CI whisker limited to what the metric can be and to the plot's frame.
struct Whisker {
  double lo = 0, hi = 0;
  bool clipped = false;
};
Whisker whisker(const stats::Summary& s, const MetricRange& metric, const svg::Range& frame) {
  Whisker w;
  w.lo = std::max({s.ci_low(), metric.lo, frame.lo});
  w.hi = std::min({s.ci_high(), metric.hi, frame.hi});
  w.clipped = w.lo != s.ci_low() || w.hi != s.ci_high();
  // A mean outside the frame cannot happen (the frame fits the means); keep the line sane anyway.
  if (w.hi < w.lo) w.hi = w.lo;
  return w;
}

std::string scatter(const Report& r, std::size_t i, std::size_t j) {
  const auto& oi = r.objectives[i];
  const auto& oj = r.objectives[j];
  svg::Plot plot("scatter", 520, 380, oj.metric + " against " + oi.metric);
  // The axes fit the means, not the whiskers: with a few noisy repetitions a CI can be wider than
  // the spread of the points, and fitting it would squeeze every point into one dot. Whiskers are
  // clipped to the metric's possible values and then to the frame (class "clipped" says so).
  double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
  for (const auto& p : r.points) {
    if (!measured(p, i, j)) continue;
    xlo = std::min(xlo, p.objectives[i].summary.mean);
    xhi = std::max(xhi, p.objectives[i].summary.mean);
    ylo = std::min(ylo, p.objectives[j].summary.mean);
    yhi = std::max(yhi, p.objectives[j].summary.mean);
  }
  const svg::Range xr = svg::padded_range(xlo, xhi), yr = svg::padded_range(ylo, yhi);
  plot.x_axis(xr, axis_label(oi));
  plot.y_axis(yr, axis_label(oj));
  const MetricRange xm = metric_range(oi.metric), ym = metric_range(oj.metric);

  std::string bars, marks, labels;
  std::vector<std::pair<double, double>> front;
  // Draw order: error bars, then points from least to most interesting.
  const std::vector<PointStatus> order = {PointStatus::kDominated, PointStatus::kInfeasible,
                                          PointStatus::kTied, PointStatus::kFront};
  for (const auto& p : r.points) {
    if (!measured(p, i, j)) continue;
    const auto& sx = p.objectives[i].summary;
    const auto& sy = p.objectives[j].summary;
    const double x = plot.px(sx.mean), y = plot.py(sy.mean);
    if (sx.has_ci()) {
      const auto w = whisker(sx, xm, xr);
      bars += "<line class=\"errbar" + std::string(w.clipped ? " clipped" : "") + "\" x1=\"" +
              num(plot.px(w.lo)) + "\" x2=\"" + num(plot.px(w.hi)) + "\" y1=\"" + num(y) +
              "\" y2=\"" + num(y) + "\"/>";
    }
    if (sy.has_ci()) {
      const auto w = whisker(sy, ym, yr);
      bars += "<line class=\"errbar" + std::string(w.clipped ? " clipped" : "") + "\" x1=\"" +
              num(x) + "\" x2=\"" + num(x) + "\" y1=\"" + num(plot.py(w.lo)) + "\" y2=\"" +
              num(plot.py(w.hi)) + "\"/>";
    }
    if (p.status == PointStatus::kFront) front.emplace_back(x, y);
  }
  for (PointStatus status : order) {
    for (const auto& p : r.points) {
      if (!measured(p, i, j) || p.status != status || p.baseline) continue;
      const double x = plot.px(p.objectives[i].summary.mean),
                   y = plot.py(p.objectives[j].summary.mean);
      std::string shape;
      switch (status) {
        case PointStatus::kInfeasible:
          shape = "<path class=\"pt-infeasible\" d=\"M" + num(x - 4) + " " + num(y - 4) + "L" +
                  num(x + 4) + " " + num(y + 4) + "M" + num(x - 4) + " " + num(y + 4) + "L" +
                  num(x + 4) + " " + num(y - 4) + "\"/>";
          break;
        case PointStatus::kTied:
          shape =
              "<circle class=\"pt-tied\" cx=\"" + num(x) + "\" cy=\"" + num(y) + "\" r=\"4.5\"/>";
          break;
        case PointStatus::kFront:
          shape =
              "<circle class=\"pt-front\" cx=\"" + num(x) + "\" cy=\"" + num(y) + "\" r=\"5\"/>";
          labels += "<text class=\"label\" x=\"" + num(x + 7) + "\" y=\"" + num(y - 6) + "\">" +
                    std::to_string(p.point_id) + "</text>";
          break;
        default:
          shape = "<circle class=\"pt-dominated\" cx=\"" + num(x) + "\" cy=\"" + num(y) +
                  "\" r=\"3.5\"/>";
      }
      marks += "<g><title>" + esc(point_tooltip(r, p)) + "</title>" + shape + "</g>\n";
    }
  }
  if (r.baseline && measured(r.points[*r.baseline], i, j)) {
    const auto& b = r.points[*r.baseline];
    const double x = plot.px(b.objectives[i].summary.mean),
                 y = plot.py(b.objectives[j].summary.mean);
    marks += "<g><title>" + esc(point_tooltip(r, b)) + "</title><path class=\"pt-baseline\" d=\"M" +
             num(x) + " " + num(y - 6) + "L" + num(x + 6) + " " + num(y) + "L" + num(x) + " " +
             num(y + 6) + "L" + num(x - 6) + " " + num(y) + "Z\"/></g>\n";
    labels +=
        "<text class=\"label\" x=\"" + num(x + 8) + "\" y=\"" + num(y + 12) + "\">baseline</text>";
  }
  std::string line;
  if (r.objectives.size() == 2 && front.size() > 1) {
    std::sort(front.begin(), front.end());
    line = "<polyline class=\"front-line\" points=\"";
    for (const auto& [x, y] : front) line += num(x) + "," + num(y) + " ";
    line += "\"/>\n";
  }
  plot.add(bars + "\n" + line + marks + labels + "\n");
  return plot.str();
}

std::string legend() {
  return "<p class=\"legend\">"
         "<span><svg width=\"14\" height=\"14\"><circle cx=\"7\" cy=\"7\" r=\"5\" fill=\"#1f6fc5\" "
         "stroke=\"#0d3f75\"/></svg> "
         "Pareto front (labelled with the point id)</span>"
         "<span><svg width=\"14\" height=\"14\"><circle cx=\"7\" cy=\"7\" r=\"4.5\" fill=\"#fff\" "
         "stroke=\"#e8890c\" "
         "stroke-width=\"2\"/></svg> tied with the front within noise</span>"
         "<span><svg width=\"14\" height=\"14\"><circle cx=\"7\" cy=\"7\" r=\"3.5\" "
         "fill=\"#9aa3ad\"/></svg> dominated</span>"
         "<span><svg width=\"14\" height=\"14\"><path d=\"M3 3L11 11M3 11L11 3\" "
         "stroke=\"#c92a2a\" stroke-width=\"2\"/>"
         "</svg> infeasible (breaks an outcome constraint)</span>"
         "<span><svg width=\"14\" height=\"14\"><path d=\"M7 1L13 7L7 13L1 7Z\" "
         "fill=\"#222\"/></svg> baseline</span>"
         "<span>lines: 95 % CI</span></p>\n";
}

std::string convergence_plot(const Report& r) {
  svg::Plot plot("convergence", 640, 260, "hypervolume of the front after each evaluation");
  const double n = static_cast<double>(std::max<std::size_t>(1, r.convergence.back().evaluation));
  plot.x_axis({-0.02 * n, n * 1.02}, "evaluations (configurations measured)");
  plot.y_axis({0, 1.0}, "hypervolume (scaled)");
  std::string path, dots;
  double last_y = 0;
  for (std::size_t s = 0; s < r.convergence.size(); ++s) {
    const auto& step = r.convergence[s];
    const double x = plot.px(static_cast<double>(step.evaluation)), y = plot.py(step.hypervolume);
    path += s == 0 ? "M" + num(x) + " " + num(y) : "H" + num(x) + "V" + num(y);
    const bool grew = s == 0 || step.hypervolume > last_y + 1e-12;
    if (grew) {
      char hv[16];
      std::snprintf(hv, sizeof hv, "%.3f", step.hypervolume);
      dots += "<g><title>evaluation " + std::to_string(step.evaluation) + " (" +
              (s == 0 && step.evaluation == 0 ? std::string("baseline")
                                              : "point " + std::to_string(step.point_id)) +
              "): " + hv + "</title><circle class=\"hv-dot\" cx=\"" + num(x) + "\" cy=\"" + num(y) +
              "\" r=\"3.5\"/></g>";
    }
    last_y = step.hypervolume;
  }
  plot.add("<path class=\"hv-line\" d=\"" + path + "\"/>\n" + dots + "\n");
  return plot.str();
}

std::string effect_plot(const KnobEffect& e) {
  std::vector<std::string> names;
  double lo = INFINITY, hi = -INFINITY;
  for (const auto& l : e.levels) {
    names.push_back(value_text(l.value));
    lo = std::min(lo, l.min);
    hi = std::max(hi, l.max);
  }
  char share[16];
  std::snprintf(share, sizeof share, "%.0f %%", e.eta_squared * 100);
  svg::Plot plot("effect", 270, 200,
                 e.knob + ": effect on " + e.metric + " (explains " + share + ")");
  plot.x_categories(names, e.knob);
  plot.y_axis(svg::padded_range(lo, hi, 0.1), e.metric);
  std::string body;
  for (std::size_t i = 0; i < e.levels.size(); ++i) {
    const auto& l = e.levels[i];
    const double x = plot.category_x(i);
    body += "<g><title>" +
            esc(e.knob + " = " + value_text(l.value) + ": mean " + format_number(l.mean) +
                ", range " + format_number(l.min) + " to " + format_number(l.max) + " over " +
                std::to_string(l.points) + " configuration(s)") +
            "</title><line class=\"range\" x1=\"" + num(x) + "\" x2=\"" + num(x) + "\" y1=\"" +
            num(plot.py(l.min)) + "\" y2=\"" + num(plot.py(l.max)) +
            "\"/><circle class=\"mean\" cx=\"" + num(x) + "\" cy=\"" + num(plot.py(l.mean)) +
            "\" r=\"4\"/></g>";
  }
  plot.add(body + "\n");
  return plot.str();
}

struct HeatRow {
  std::string label;
  const std::vector<double>* values;
  std::string scale;  // rows with the same scale share one colour range
  bool gap_before = false;
};

std::string heat_svg(const std::string& kind, const std::string& title,
                     const std::vector<HeatRow>& rows, std::size_t cpus) {
  std::map<std::string, double> max;
  for (const auto& row : rows) {
    for (double v : *row.values) {
      if (std::isfinite(v)) max[row.scale] = std::max(max[row.scale], v);
    }
  }
  std::size_t label_chars = 0;
  for (const auto& row : rows) label_chars = std::max(label_chars, row.label.size());
  const double label_w = std::clamp(static_cast<double>(label_chars) * 6.6 + 16, 120.0, 320.0),
               head_h = 22;
  const double cell_w =
      std::clamp(880.0 / static_cast<double>(std::max<std::size_t>(1, cpus)), 6.0, 56.0);
  const double cell_h = 24;
  double height = head_h + 6;
  for (const auto& row : rows) height += cell_h + (row.gap_before ? 8 : 0);
  const double width = label_w + cell_w * static_cast<double>(cpus) + 10;
  std::string s = "<svg class=\"plot\" data-plot=\"" + kind +
                  "\" xmlns=\"http://www.w3.org/2000/svg\" width=\"" + num(width) + "\" height=\"" +
                  num(height) + "\" viewBox=\"0 0 " + num(width) + " " + num(height) +
                  "\" role=\"img\" aria-label=\"" + esc(title) + "\">\n<title>" + esc(title) +
                  "</title>\n";
  const std::size_t label_every =
      cell_w >= 34 ? 1 : static_cast<std::size_t>(std::ceil(34 / cell_w));
  for (std::size_t c = 0; c < cpus; c += label_every) {
    s += "<text class=\"tick\" x=\"" + num(label_w + cell_w * (static_cast<double>(c) + 0.5)) +
         "\" y=\"15\" "
         "text-anchor=\"middle\">cpu" +
         std::to_string(c) + "</text>";
  }
  s += "\n";
  double y = head_h;
  for (const auto& row : rows) {
    if (row.gap_before) y += 8;
    s += "<text class=\"axis-label\" x=\"" + num(label_w - 8) + "\" y=\"" +
         num(y + cell_h / 2 + 4) + "\" text-anchor=\"end\">" + esc(row.label) + "</text>";
    const double top = max[row.scale];
    for (std::size_t c = 0; c < cpus; ++c) {
      const double v = c < row.values->size() ? (*row.values)[c] : NAN;
      const double f = top > 0 && std::isfinite(v) ? v / top : (std::isfinite(v) ? 0 : NAN);
      const double x = label_w + cell_w * static_cast<double>(c);
      s += "<g><title>" +
           esc(row.label + ", cpu" + std::to_string(c) + ": " +
               (std::isfinite(v) ? format_number(v) : std::string("not reported"))) +
           "</title><rect x=\"" + num(x) + "\" y=\"" + num(y) + "\" width=\"" + num(cell_w - 1) +
           "\" height=\"" + num(cell_h - 1) + "\" fill=\"" + svg::heat_colour(f) + "\"/>";
      if (cell_w >= 34 && std::isfinite(v)) {
        s += "<text class=\"cell-text\" x=\"" + num(x + cell_w / 2) + "\" y=\"" +
             num(y + cell_h / 2 + 3.5) + "\" text-anchor=\"middle\" fill=\"" +
             (svg::heat_needs_light_text(f) ? "#fff" : "#222") + "\">" + esc(format_number(v)) +
             "</text>";
      }
      s += "</g>";
    }
    s += "\n";
    y += cell_h;
  }
  s += "</svg>\n";
  return s;
}

// Counter series: for each counter, the baseline row above the best row, one colour scale.
std::string heatmap_svg(const Report& r) {
  const auto& h = r.heatmap;
  std::vector<std::string> series;
  for (const auto& loads : h.loads) {
    for (const auto& l : loads) {
      if (std::find(series.begin(), series.end(), l.series) == series.end())
        series.push_back(l.series);
    }
  }
  std::vector<HeatRow> rows;
  for (const auto& name : series) {
    bool first = true;
    for (std::size_t i = 0; i < h.labels.size(); ++i) {
      for (const auto& l : h.loads[i]) {
        if (l.series != name) continue;
        rows.push_back({name + " · " + h.labels[i], &l.per_cpu, name, first && !rows.empty()});
        first = false;
      }
    }
  }
  return heat_svg("heatmap", "per-CPU counters, baseline against the best point", rows, h.cpus);
}

// Interrupts per queue: the baseline's queues, then the best point's, one colour scale.
std::string queue_heatmap_svg(const Report& r) {
  const auto& h = r.heatmap;
  std::vector<HeatRow> rows;
  for (std::size_t i = 0; i < h.labels.size() && i < h.queues.size(); ++i) {
    bool first = true;
    for (const auto& q : h.queues[i]) {
      rows.push_back(
          {h.labels[i] + " · " + q.series, &q.per_cpu, "queues", first && !rows.empty()});
      first = false;
    }
  }
  return heat_svg("queue-heatmap", "interrupts per queue and CPU, baseline against the best point",
                  rows, h.cpus);
}

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
        << (p.baseline ? "<em>baseline (the host's settings)</em>"
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

// Plain text for terminals: every line at most 100 columns (table columns wrap onto
// continuation lines when there are many objectives).
#include <algorithm>
#include <cmath>
#include <functional>
#include <sstream>

#include "core/text_util.hpp"
#include "core/version.hpp"
#include "reports/format.hpp"
#include "reports/models.hpp"
#include "reports/profile_section.hpp"
#include "reports/rate_search_section.hpp"
#include "reports/render.hpp"

namespace nictune::report {
namespace {

constexpr std::size_t kWidth = 100;

// Display width: the UTF-8 "±" counts once.
std::size_t width_of(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

std::string pad(const std::string& s, std::size_t width, bool right = false) {
  const std::size_t w = width_of(s);
  if (w >= width) return s;
  return right ? std::string(width - w, ' ') + s : s + std::string(width - w, ' ');
}

// Word-wraps `text` to kWidth; the first line starts with `first`, the rest with `rest`. A word
// longer than a whole line is cut (long knob values, paths).
void wrap(std::ostream& out, const std::string& text, const std::string& first,
          const std::string& rest) {
  std::istringstream words(text);
  std::string word, line = first;
  bool empty = true;
  while (words >> word) {
    if (!empty && width_of(line) + 1 + width_of(word) > kWidth) {
      out << line << "\n";
      line = rest;
      empty = true;
    }
    if (!empty) line += " ";
    while (width_of(line) + width_of(word) > kWidth && width_of(line) < kWidth) {
      const std::size_t room = kWidth - width_of(line);  // ASCII assumed for cut words
      line += word.substr(0, room);
      word.erase(0, room);
      out << line << "\n";
      line = rest;
    }
    line += word;
    empty = false;
  }
  out << line << "\n";
}

// Hard-breaks lines that are longer than kWidth (JSON with long strings).
void hard_wrap(std::ostream& out, const std::string& text, const std::string& indent) {
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    line = indent + line;
    while (width_of(line) > kWidth) {
      out << line.substr(0, kWidth - 1) << "\\\n";
      line = indent + "  " + line.substr(kWidth - 1);
    }
    out << line << "\n";
  }
}

std::string gain_text(const ObjectiveResult& o, bool baseline) {
  if (baseline || std::isnan(o.gain)) return "";
  return format_percent(o.gain) + (o.gain_significant ? "*" : "");
}

void header(const Report& r, std::ostream& out) {
  const auto& e = r.experiment;
  std::string title =
      "nictune report: experiment \"" + e.name + "\" (#" + std::to_string(e.id) + ")";
  if (!e.status.empty()) title += ", " + e.status;
  if (e.created_at > 0) title += ", started " + format_utc(e.created_at);
  wrap(out, title, "", "  ");
  if (e.spec.is_object() && e.spec.contains("description") &&
      e.spec.at("description").is_string()) {
    wrap(out, e.spec.at("description").get<std::string>(), "", "");
  }
  out << "\nMeasured on\n";
  if (r.contexts.empty()) out << "  no host facts were recorded\n";
  for (const auto& c : r.contexts) {
    const std::string title_col = pad(role_title(c), 6);
    bool first = true;
    for (const auto& line : context_lines(c)) {
      wrap(out, line, "  " + (first ? title_col : std::string(6, ' ')) + " ", std::string(11, ' '));
      first = false;
    }
  }
  wrap(out,
       "tool: run by nictune " +
           (e.tool_version.empty() ? std::string("(version not recorded)") : e.tool_version) +
           ", reported by nictune " + kVersion,
       "  ", "       ");
  wrap(out, "spec: " + e.spec_hash + " (in full at the end)", "  ", "       ");
  if (const std::string warm = warm_start_text(e); !warm.empty()) wrap(out, warm, "  ", "       ");
  out << "\n";
  std::string objectives;
  for (const auto& o : r.objectives)
    objectives += (objectives.empty() ? "" : ", ") + objective_heading(o);
  wrap(out, "Objectives: " + (objectives.empty() ? std::string("none") : objectives), "", "  ");
  wrap(out,
       "Outcome constraints: " +
           (r.constraints.empty() ? std::string("none") : join(r.constraints, ", ")),
       "", "  ");
  wrap(out, trial_counts(r), "", "  ");
}

void pareto_table(const Report& r, std::ostream& out) {
  out << "\nPareto-best configurations\n";
  wrap(out, table_legend(), "  ", "  ");
  out << "\n";
  std::vector<const PointResult*> rows;
  for (const auto& p : r.points) {
    if (p.status == PointStatus::kFront || p.status == PointStatus::kTied || p.baseline)
      rows.push_back(&p);
  }
  if (r.objectives.empty() || rows.empty()) {
    out << "  (nothing ranked)\n";
    return;
  }
  // Columns: "   #  point  status      n  " then one cell per objective, wrapping when needed.
  const std::size_t k = r.objectives.size();
  std::vector<std::size_t> widths(k), summary_widths(k), gain_widths(k);
  for (std::size_t j = 0; j < k; ++j) {
    widths[j] = width_of(r.objectives[j].metric + " (" + to_string(r.objectives[j].goal) + ")");
    std::size_t mean_width = 0, gain_width = 0;
    for (const auto* p : rows) {
      mean_width = std::max(mean_width, width_of(format_summary(p->objectives[j].summary)));
      gain_width = std::max(gain_width, width_of(gain_text(p->objectives[j], p->baseline)));
    }
    summary_widths[j] = mean_width;
    gain_widths[j] = gain_width;
    widths[j] = std::max(widths[j], mean_width + (gain_width ? 2 + gain_width : 0)) + 3;
  }
  const std::string prefix_blank(29, ' ');
  std::vector<std::vector<std::size_t>> groups(1);
  std::size_t used = prefix_blank.size();
  for (std::size_t j = 0; j < k; ++j) {
    if (!groups.back().empty() && used + widths[j] > kWidth + 3) {
      groups.emplace_back();
      used = prefix_blank.size();
    }
    groups.back().push_back(j);
    used += widths[j];
  }
  auto emit = [&](const std::string& prefix, const std::function<std::string(std::size_t)>& cell) {
    for (std::size_t g = 0; g < groups.size(); ++g) {
      std::string line = g == 0 ? prefix : prefix_blank;
      for (std::size_t j : groups[g]) line += pad(cell(j), widths[j]);
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out << line << "\n";
    }
  };
  emit("    #  point  status      n  ", [&](std::size_t j) {
    return r.objectives[j].metric + " (" + to_string(r.objectives[j].goal) + ")";
  });
  int row = 0;
  for (const auto* p : rows) {
    std::string status = p->status == PointStatus::kTied ? "tied" : to_string(p->status);
    std::string prefix = pad(p->baseline ? "-" : std::to_string(++row), 5, true) + "  " +
                         pad(std::to_string(p->point_id), 5, true) + "  " + pad(status, 10) + " " +
                         pad(std::to_string(p->complete), 2, true) + "  ";
    emit(prefix, [&](std::size_t j) {
      return pad(format_summary(p->objectives[j].summary), summary_widths[j]) + "  " +
             pad(gain_text(p->objectives[j], p->baseline), gain_widths[j], true);
    });
    wrap(out, p->label(), std::string(14, ' '), std::string(16, ' '));
  }

  std::size_t dominated = 0;
  std::vector<const PointResult*> infeasible, failed;
  for (const auto& p : r.points) {
    if (p.baseline) continue;
    if (p.status == PointStatus::kDominated) ++dominated;
    if (p.status == PointStatus::kInfeasible) infeasible.push_back(&p);
    if (p.status == PointStatus::kFailed) failed.push_back(&p);
  }
  if (dominated > 0) {
    out << "\n";
    wrap(out,
         std::to_string(dominated) + " more configuration" + (dominated == 1 ? " is" : "s are") +
             " dominated beyond noise (every configuration is in --format html, csv and json)",
         "  ", "  ");
  }
  constexpr std::size_t kListed = 10;
  if (!infeasible.empty()) {
    out << "\nInfeasible (an outcome constraint fails; never best)\n";
    for (std::size_t i = 0; i < infeasible.size() && i < kListed; ++i) {
      const auto* p = infeasible[i];
      wrap(out, join(p->violations, "; ") + " -- " + p->label(),
           "  point " + pad(std::to_string(p->point_id), 5) + " ", std::string(15, ' '));
    }
    if (infeasible.size() > kListed)
      out << "  ... and " << infeasible.size() - kListed << " more\n";
  }
  if (!failed.empty()) {
    out << "\nFailed (no complete trial)\n";
    for (std::size_t i = 0; i < failed.size() && i < kListed; ++i) {
      const auto* p = failed[i];
      std::string error;
      for (const auto& t : r.trials) {
        if (t.point_id == p->point_id && !t.baseline && !t.outcome.error.empty())
          error = t.outcome.error;
      }
      wrap(out, (error.empty() ? std::string("no error recorded") : error) + " -- " + p->label(),
           "  point " + pad(std::to_string(p->point_id), 5) + " ", std::string(15, ' '));
    }
    if (failed.size() > kListed) out << "  ... and " << failed.size() - kListed << " more\n";
  }
}

void progress(const Report& r, std::ostream& out) {
  const std::string sentence = convergence_sentence(r);
  if (sentence.empty()) return;
  out << "\nSearch progress\n";
  wrap(out,
       "Hypervolume of the front " + sentence +
           ". (Objectives scaled between the best and worst feasible means; 1 = one configuration "
           "best in everything.)",
       "  ", "  ");
  // The steps where the front grew, plus the last evaluation.
  std::vector<const ConvergenceStep*> steps;
  for (std::size_t i = 0; i < r.convergence.size(); ++i) {
    const bool grew =
        i == 0 || r.convergence[i].hypervolume > r.convergence[i - 1].hypervolume + 1e-12;
    if (grew || i + 1 == r.convergence.size()) steps.push_back(&r.convergence[i]);
  }
  const std::size_t per_line = 11;
  for (std::size_t start = 0; start < steps.size(); start += per_line) {
    std::string evals = "  evaluation ", hvs = "  hypervolume";
    for (std::size_t i = start; i < steps.size() && i < start + per_line; ++i) {
      char buf[16];
      std::snprintf(buf, sizeof buf, "%.3f", steps[i]->hypervolume);
      evals += pad(std::to_string(steps[i]->evaluation), 7, true);
      hvs += pad(buf, 7, true);
    }
    out << evals << "\n" << hvs << "\n";
  }
}

void effects(const Report& r, std::ostream& out) {
  if (r.effects.empty()) return;
  out << "\nKnob effects\n";
  wrap(
      out,
      "Share of each objective's variance across the measured configurations that the knob's value "
      "explains (eta squared), and the mean per value with the number of configurations. Knobs "
      "the search never varied are left out.",
      "  ", "  ");
  std::size_t name_width = 0;
  for (const auto& e : r.effects) name_width = std::max(name_width, width_of(e.knob));
  name_width = std::min<std::size_t>(name_width, 32);
  std::string metric;
  for (const auto& e : r.effects) {
    if (e.metric != metric) {
      metric = e.metric;
      out << "  on " << metric << ":\n";
    }
    char share[16];
    std::snprintf(share, sizeof share, "%3.0f %%", e.eta_squared * 100);
    std::string levels;
    for (const auto& l : e.levels) {
      levels += (levels.empty() ? "" : ", ") + value_text(l.value) + " " + format_number(l.mean) +
                " (" + std::to_string(l.points) + ")";
    }
    const std::string lead = "    " + pad(e.knob, name_width) + "  " + share + "  ";
    wrap(out, levels, lead, std::string(width_of(lead), ' '));
  }
}

void heatmap(const Report& r, std::ostream& out) {
  const auto& h = r.heatmap;
  if (h.empty()) return;
  out << "\nPer-CPU work (the agent's counters, mean per trial)\n";
  std::vector<std::string> series;
  for (const auto& loads : h.loads) {
    for (const auto& l : loads) {
      if (std::find(series.begin(), series.end(), l.series) == series.end())
        series.push_back(l.series);
    }
  }
  std::size_t label_width = 0;
  for (const auto& l : h.labels) label_width = std::max(label_width, width_of(l));
  for (const auto& name : series) label_width = std::max(label_width, width_of(name));
  label_width = std::max<std::size_t>(label_width, 8) + 2;
  const std::size_t cell = 8;
  const std::size_t per_line = std::max<std::size_t>(1, (kWidth - 2 - label_width) / cell);
  for (const auto& s : series) {
    for (std::size_t start = 0; start < h.cpus; start += per_line) {
      const std::size_t end = std::min(h.cpus, start + per_line);
      std::string head = "  " + pad(s, label_width);
      for (std::size_t c = start; c < end; ++c) head += pad("cpu" + std::to_string(c), cell, true);
      out << head << "\n";
      for (std::size_t i = 0; i < h.labels.size(); ++i) {
        std::string line = "  " + pad(h.labels[i], label_width);
        const CpuLoad* load = nullptr;
        for (const auto& l : h.loads[i]) {
          if (l.series == s) load = &l;
        }
        for (std::size_t c = start; c < end; ++c) {
          const double v = load && c < load->per_cpu.size() ? load->per_cpu[c] : std::nan("");
          line += pad(std::isnan(v) ? "-" : format_number(v), cell, true);
        }
        out << line << "\n";
      }
    }
  }
  if (!h.has_queues()) return;
  out << "\n  Interrupts per queue (mean per trial)\n";
  constexpr std::size_t kQueues = 32;
  std::size_t queue_width = 8;
  for (const auto& queues : h.queues) {
    for (const auto& q : queues) queue_width = std::max(queue_width, width_of(q.series));
  }
  queue_width = std::min<std::size_t>(queue_width, 40) + 2;
  const std::size_t queue_per_line = std::max<std::size_t>(1, (kWidth - 4 - queue_width) / cell);
  for (std::size_t i = 0; i < h.labels.size() && i < h.queues.size(); ++i) {
    if (h.queues[i].empty()) continue;
    for (std::size_t start = 0; start < h.cpus; start += queue_per_line) {
      const std::size_t end = std::min(h.cpus, start + queue_per_line);
      std::string head = "    " + pad(h.labels[i], queue_width);
      for (std::size_t c = start; c < end; ++c) head += pad("cpu" + std::to_string(c), cell, true);
      out << head << "\n";
      for (std::size_t qi = 0; qi < h.queues[i].size() && qi < kQueues; ++qi) {
        const auto& q = h.queues[i][qi];
        std::string name =
            q.series.size() > queue_width - 2 ? q.series.substr(0, queue_width - 2) : q.series;
        std::string line = "    " + pad(name, queue_width);
        for (std::size_t c = start; c < end; ++c)
          line += pad(format_number(q.per_cpu[c]), cell, true);
        out << line << "\n";
      }
      if (h.queues[i].size() > kQueues)
        out << "    ... and " << h.queues[i].size() - kQueues << " more queues\n";
    }
  }
}

}  // namespace

void render_text(const Report& r, std::ostream& out) {
  header(r, out);
  pareto_table(r, out);
  progress(r, out);
  effects(r, out);
  heatmap(r, out);
  rate_search_tables(rate_search_section(r), out, false);
  profile_tables(profile_section(r), out, false);
  if (!r.notes.empty()) {
    out << "\nNotes\n";
    for (const auto& n : r.notes) wrap(out, n, "  - ", "    ");
  }
  out << "\nSpec as run (" << r.experiment.spec_hash << ")\n";
  hard_wrap(out, pretty_json(r.experiment.spec, kWidth - 2), "  ");
}

}  // namespace nictune::report

// Markdown for lab notebooks and tickets: the same sections as text, as tables.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/text_util.hpp"
#include "core/version.hpp"
#include "reports/format.hpp"
#include "reports/models.hpp"
#include "reports/profile_section.hpp"
#include "reports/rate_search_section.hpp"
#include "reports/render.hpp"

namespace nictune::report {
namespace {

void row(std::ostream& out, const std::vector<std::string>& cells) {
  out << "|";
  for (const auto& c : cells) out << " " << md_cell(c) << " |";
  out << "\n";
}

// The head of a per-CPU table: `first`, then one right-aligned column per CPU.
void cpu_table_head(std::ostream& out, const std::string& first, std::size_t cpus) {
  std::vector<std::string> head = {first};
  std::vector<std::string> align = {"---"};
  for (std::size_t c = 0; c < cpus; ++c) {
    head.push_back("cpu" + std::to_string(c));
    align.push_back("--:");
  }
  row(out, head);
  row(out, align);
}

std::string code(const std::string& text) {
  return text.empty() ? "" : "`" + text + "`";
}

std::string gain_cell(const ObjectiveResult& o, bool baseline) {
  if (baseline || std::isnan(o.gain)) return "";
  return format_percent(o.gain) + (o.gain_significant ? "*" : "");
}

void configuration_table(const Report& r, std::ostream& out,
                         const std::vector<const PointResult*>& rows, bool numbered) {
  std::vector<std::string> head = {"#", "point", "status", "n"};
  std::vector<std::string> align = {"--:", "--:", "---", "--:"};
  for (const auto& o : r.objectives) {
    head.push_back(o.metric + " (" + to_string(o.goal) + ")");
    head.push_back("gain");
    align.push_back("--:");
    align.push_back("--:");
  }
  head.push_back("configuration");
  align.push_back("---");
  row(out, head);
  row(out, align);
  int n = 0;
  for (const auto* p : rows) {
    std::vector<std::string> cells = {p->baseline || !numbered ? "" : std::to_string(++n),
                                      std::to_string(p->point_id), to_string(p->status),
                                      std::to_string(p->complete)};
    for (const auto& o : p->objectives) {
      cells.push_back(format_summary(o.summary));
      cells.push_back(gain_cell(o, p->baseline));
    }
    cells.push_back(p->baseline          ? p->label()
                    : p->changes.empty() ? "(same as baseline)"
                                         : code(p->label()));
    row(out, cells);
  }
}

}  // namespace

void render_md(const Report& r, std::ostream& out) {
  const auto& e = r.experiment;
  out << "# nictune report: " << e.name << " (#" << e.id << ")\n\n";
  if (e.spec.is_object() && e.spec.contains("description") &&
      e.spec.at("description").is_string()) {
    out << e.spec.at("description").get<std::string>() << "\n\n";
  }
  out << "Status " << (e.status.empty() ? "unknown" : e.status);
  if (e.created_at > 0) out << ", started " << format_utc(e.created_at);
  out << ". " << trial_counts(r) << ".\n\n";
  if (const std::string warm = warm_start_text(e); !warm.empty()) out << warm << ".\n\n";

  out << "## Measured on\n\n";
  if (r.contexts.empty()) {
    out << "No host facts were recorded.\n\n";
  } else {
    std::vector<std::string> head = {""};
    std::vector<std::string> align = {"---"};
    for (const auto& c : r.contexts) {
      head.push_back(role_title(c));
      align.push_back("---");
    }
    row(out, head);
    row(out, align);
    for (const auto& [key, unused] : r.contexts.front().fields) {
      std::vector<std::string> cells = {key};
      for (const auto& c : r.contexts) cells.push_back(c.get(key));
      row(out, cells);
    }
    out << "\n";
  }
  out << "Run by nictune "
      << (e.tool_version.empty() ? std::string("(version not recorded)") : e.tool_version)
      << ", reported by nictune " << kVersion << "; spec `" << e.spec_hash << "` (at the end).\n\n";
  std::vector<std::string> objectives;
  for (const auto& o : r.objectives) objectives.push_back(objective_heading(o));
  out << "**Objectives:** " << (objectives.empty() ? "none" : join(objectives, ", ")) << "  \n";
  out << "**Outcome constraints:** "
      << (r.constraints.empty() ? std::string("none") : md_cell(join(r.constraints, ", ")))
      << "\n\n";

  out << "## Pareto-best configurations\n\n" << table_legend() << ".\n\n";
  std::vector<const PointResult*> best, others, infeasible, failed;
  for (const auto& p : r.points) {
    if (p.status == PointStatus::kFront || p.status == PointStatus::kTied || p.baseline) {
      best.push_back(&p);
    } else if (p.status == PointStatus::kDominated) {
      others.push_back(&p);
    } else if (p.status == PointStatus::kInfeasible) {
      infeasible.push_back(&p);
    } else {
      failed.push_back(&p);
    }
  }
  if (r.objectives.empty() || best.empty()) {
    out << "Nothing is ranked.\n\n";
  } else {
    configuration_table(r, out, best, true);
    out << "\n";
  }
  if (!others.empty()) {
    out << "### Dominated beyond noise\n\n";
    configuration_table(r, out, others, false);
    out << "\n";
  }
  if (!infeasible.empty()) {
    out << "### Infeasible (never best)\n\n";
    for (const auto* p : infeasible) {
      out << "- point " << p->point_id << " " << code(p->label()) << ": "
          << md_cell(join(p->violations, "; ")) << "\n";
    }
    out << "\n";
  }
  if (!failed.empty()) {
    out << "### Failed\n\n";
    for (const auto* p : failed) {
      std::string error;
      for (const auto& t : r.trials) {
        if (t.point_id == p->point_id && !t.baseline && !t.outcome.error.empty())
          error = t.outcome.error;
      }
      out << "- point " << p->point_id << " " << code(p->label()) << ": "
          << md_cell(error.empty() ? "no error recorded" : error) << "\n";
    }
    out << "\n";
  }

  const std::string sentence = convergence_sentence(r);
  if (!sentence.empty()) {
    out << "## Search progress\n\nHypervolume of the front " << sentence
        << ". Objectives are scaled between the best and worst feasible means; 1 would be one "
           "configuration best in everything.\n\n";
    row(out, {"evaluation", "point", "hypervolume"});
    row(out, {"--:", "--:", "--:"});
    for (std::size_t i = 0; i < r.convergence.size(); ++i) {
      const auto& s = r.convergence[i];
      const bool grew = i == 0 || s.hypervolume > r.convergence[i - 1].hypervolume + 1e-12;
      if (!grew && i + 1 != r.convergence.size()) continue;
      char hv[16];
      std::snprintf(hv, sizeof hv, "%.3f", s.hypervolume);
      row(out, {std::to_string(s.evaluation),
                i == 0 && s.evaluation == 0 ? "baseline" : std::to_string(s.point_id), hv});
    }
    out << "\n";
  }

  if (!r.effects.empty()) {
    out << "## Knob effects\n\nShare of each objective's variance across the measured "
           "configurations "
           "that the knob's value explains (eta squared), and the mean per value (number of "
           "configurations). Knobs the search never varied are left out.\n\n";
    std::string metric;
    for (const auto& eff : r.effects) {
      if (eff.metric != metric) {
        if (!metric.empty()) out << "\n";
        metric = eff.metric;
        out << "**" << metric << "**\n\n";
        row(out, {"knob", "explains", "mean per value"});
        row(out, {"---", "--:", "---"});
      }
      char share[16];
      std::snprintf(share, sizeof share, "%.0f %%", eff.eta_squared * 100);
      std::vector<std::string> levels;
      for (const auto& l : eff.levels) {
        levels.push_back(value_text(l.value) + ": " + format_number(l.mean) + " (" +
                         std::to_string(l.points) + ")");
      }
      row(out, {code(eff.knob), share, join(levels, ", ")});
    }
    out << "\n";
  }

  if (!r.heatmap.empty()) {
    out << "## Per-CPU work\n\nThe agent's per-CPU counters, mean per trial.\n\n";
    std::vector<std::string> series;
    for (const auto& loads : r.heatmap.loads) {
      for (const auto& l : loads) {
        if (std::find(series.begin(), series.end(), l.series) == series.end())
          series.push_back(l.series);
      }
    }
    for (const auto& s : series) {
      cpu_table_head(out, s, r.heatmap.cpus);
      for (std::size_t i = 0; i < r.heatmap.labels.size(); ++i) {
        std::vector<std::string> cells = {r.heatmap.labels[i]};
        const CpuLoad* load = nullptr;
        for (const auto& l : r.heatmap.loads[i]) {
          if (l.series == s) load = &l;
        }
        for (std::size_t c = 0; c < r.heatmap.cpus; ++c) {
          const double v = load && c < load->per_cpu.size() ? load->per_cpu[c] : std::nan("");
          cells.push_back(std::isnan(v) ? "" : format_number(v));
        }
        row(out, cells);
      }
      out << "\n";
    }
  }

  if (r.heatmap.has_queues()) {
    out << "### Interrupts per queue\n\nWhich CPUs serviced each queue's interrupts, mean per "
           "trial.\n\n";
    for (std::size_t i = 0; i < r.heatmap.labels.size() && i < r.heatmap.queues.size(); ++i) {
      if (r.heatmap.queues[i].empty()) continue;
      cpu_table_head(out, r.heatmap.labels[i], r.heatmap.cpus);
      for (const auto& q : r.heatmap.queues[i]) {
        std::vector<std::string> cells = {q.series};
        for (double v : q.per_cpu) cells.push_back(format_number(v));
        row(out, cells);
      }
      out << "\n";
    }
  }

  rate_search_tables(rate_search_section(r), out, true);
  profile_tables(profile_section(r), out, true);
  if (!r.notes.empty()) {
    out << "## Notes\n\n";
    for (const auto& n : r.notes) out << "- " << n << "\n";
    out << "\n";
  }
  out << "## Spec as run\n\n<details><summary>spec " << e.spec_hash << "</summary>\n\n```json\n"
      << pretty_json(e.spec) << "\n```\n\n</details>\n";
}

}  // namespace nictune::report

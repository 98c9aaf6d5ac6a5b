#include "reports/models.hpp"

#include <algorithm>
#include <map>

#include "core/pareto.hpp"
#include "reports/format.hpp"
#include "reports/host_context.hpp"
#include "reports/report.hpp"

namespace nictune::report {
namespace {

std::string objectives_key(const std::vector<Objective>& objectives) {
  std::string key;
  for (const auto& o : objectives) key += o.metric + " " + to_string(o.goal) + ";";
  return key;
}

std::string objectives_text(const std::vector<Objective>& objectives) {
  std::string out;
  for (const auto& o : objectives)
    out += (out.empty() ? "" : ", ") + o.metric + " " + to_string(o.goal);
  return out;
}

std::string speed_text(const NicIdentity& nic) {
  return nic.speed_mbps ? std::to_string(*nic.speed_mbps) + " Mb/s" : "speed unknown";
}

std::string or_dash(const std::string& s) {
  return s.empty() ? "-" : s;
}

// "experiment 3 (rps-sweep) in lab.db: host dut1, kernel 6.1.0-18-amd64, 2026-12-01 21:40 UTC"
std::string where_text(const ModelExperiment& e) {
  return "experiment " + std::to_string(e.id) + " (" + e.name + ") in " + e.database + ": host " +
         or_dash(e.nic.hostname) + ", kernel " + or_dash(e.nic.kernel) + ", " +
         format_utc(e.created_at);
}

// Marks the configurations no other in the group dominates and sorts those first.
void rank_group(ObjectiveGroup& group) {
  std::vector<std::vector<double>> minimised;
  for (const auto& c : group.configurations) {
    std::vector<double> y;
    for (std::size_t k = 0; k < group.objectives.size(); ++k) {
      double m = c.figures[k].mean;
      y.push_back(group.objectives[k].goal == Goal::kMaximize ? -m : m);
    }
    minimised.push_back(std::move(y));
  }
  if (minimised.empty()) return;
  for (int i : pareto_front_indices(minimised))
    group.configurations[static_cast<std::size_t>(i)].best_across = true;
  const Objective& first = group.objectives.front();
  std::stable_sort(group.configurations.begin(), group.configurations.end(),
                   [&](const ModelConfiguration& a, const ModelConfiguration& b) {
                     if (a.best_across != b.best_across) return a.best_across;
                     double x = a.figures[0].mean, y = b.figures[0].mean;
                     return first.goal == Goal::kMaximize ? x > y : x < y;
                   });
}

void add_experiment(ModelSummary& model, const std::string& database,
                    const StoredExperiment& stored, const ExperimentNic& nic) {
  const ExperimentRecord& e = stored.record;
  const Report& r = stored.report;
  ModelExperiment me{database, e.id, e.name, nic.bench, e.status, e.created_at, nic.nic, 0};
  for (const auto& p : r.points) me.configurations += p.complete > 0 && !p.baseline ? 1 : 0;
  std::size_t index = model.experiments.size();
  model.experiments.push_back(std::move(me));
  if (r.objectives.empty()) return;
  const std::string key = objectives_key(r.objectives);
  auto group = std::find_if(model.groups.begin(), model.groups.end(), [&](const ObjectiveGroup& g) {
    return objectives_key(g.objectives) == key;
  });
  if (group == model.groups.end()) {
    model.groups.push_back({r.objectives, {}});
    group = model.groups.end() - 1;
  }
  for (const auto& p : r.points) {
    if (p.status != PointStatus::kFront) continue;
    ModelConfiguration c;
    c.experiment = index;
    c.config = p.config;
    c.label = p.label();
    c.baseline = p.baseline;
    for (const auto& o : p.objectives) c.figures.push_back(o.summary);
    group->configurations.push_back(std::move(c));
  }
}

}  // namespace

std::vector<ModelSummary> build_model_summaries(const std::vector<ModelSource>& sources) {
  std::map<std::string, ModelSummary> by_model;
  for (const auto& source : sources) {
    for (const auto& stored : source.experiments) {
      // One row per bench; an experiment counts once per model it measured.
      std::map<std::string, const ExperimentNic*> models;
      for (const auto& row : stored.nics) models.emplace(row.nic.model_key(), &row);
      for (const auto& [key, row] : models) {
        ModelSummary& m = by_model[key];
        m.model = key;
        m.driver = row->nic.driver;
        m.pci_id = row->nic.pci_id;
        add_experiment(m, source.database, stored, *row);
      }
    }
  }
  std::vector<ModelSummary> out;
  for (auto& [key, m] : by_model) {
    for (auto& g : m.groups) rank_group(g);
    out.push_back(std::move(m));
  }
  return out;
}

std::string warm_start_text(const ExperimentRecord& e) {
  const Json& w = e.warm_start;
  if (!w.is_object() || !w.contains("experiments")) return std::string();
  std::vector<std::string> ids;
  for (const auto& id : w["experiments"]) ids.push_back(id.dump());
  const std::size_t points = w.value("points", Json::array()).size();
  const std::string model = w.value("model", std::string());
  if (ids.empty()) return "warm start: no earlier experiment on NIC model " + model;
  std::string joined;
  for (const auto& id : ids) joined += (joined.empty() ? "" : ", ") + id;
  return "warm start (NIC model " + model + "): " + std::to_string(points) +
         " point(s) of experiment(s) " + joined + " measured first, " +
         std::to_string(w.value("observations", 0)) + " observation(s) for the model";
}

void render_models_text(const std::vector<ModelSummary>& models, std::ostream& out) {
  if (models.empty()) {
    out << "no experiment with a recorded NIC\n";
    return;
  }
  for (const auto& m : models) {
    out << "NIC model " << m.model << " (driver " << or_dash(m.driver) << ", PCI "
        << (m.pci_id.empty() ? "none" : m.pci_id) << "): " << m.experiments.size()
        << " experiment(s)\n";
    for (const auto& e : m.experiments) {
      out << "  #" << e.id << " " << e.name << " [" << e.database << "] " << e.status << ", "
          << e.configurations << " configuration(s); host " << or_dash(e.nic.hostname)
          << ", kernel " << or_dash(e.nic.kernel) << ", firmware " << or_dash(e.nic.firmware)
          << ", " << speed_text(e.nic) << ", " << format_utc(e.created_at) << "\n";
    }
    for (const auto& g : m.groups) {
      out << "  best for " << objectives_text(g.objectives) << ":\n";
      for (const auto& c : g.configurations) {
        out << "    " << (c.best_across ? "* " : "  ");
        for (std::size_t k = 0; k < g.objectives.size(); ++k)
          out << g.objectives[k].metric << " " << format_summary(c.figures[k]) << "  ";
        out << c.label << "\n      " << where_text(m.experiments[c.experiment]) << "\n";
      }
    }
    out << "\n";
  }
  out << "* best across every experiment on the model (no other configuration beats it)\n";
}

void render_models_md(const std::vector<ModelSummary>& models, std::ostream& out) {
  out << "# NIC models\n\n";
  if (models.empty()) out << "No experiment with a recorded NIC.\n";
  for (const auto& m : models) {
    out << "## " << md_cell(m.model) << "\n\n"
        << "| experiment | database | status | host | kernel | firmware | speed | started |\n"
        << "|---|---|---|---|---|---|---|---|\n";
    for (const auto& e : m.experiments) {
      out << "| " << e.id << " " << md_cell(e.name) << " | " << md_cell(e.database) << " | "
          << e.status << " | " << md_cell(or_dash(e.nic.hostname)) << " | "
          << md_cell(or_dash(e.nic.kernel)) << " | " << md_cell(or_dash(e.nic.firmware)) << " | "
          << speed_text(e.nic) << " | " << format_utc(e.created_at) << " |\n";
    }
    for (const auto& g : m.groups) {
      out << "\nBest for " << objectives_text(g.objectives) << " (**bold**: best across "
          << "every experiment on the model):\n\n| configuration |";
      for (const auto& o : g.objectives) out << " " << md_cell(o.metric) << " |";
      out << " measured in |\n|---|";
      for (std::size_t k = 0; k < g.objectives.size(); ++k) out << "---|";
      out << "---|\n";
      for (const auto& c : g.configurations) {
        std::string label = md_cell(c.label);
        out << "| " << (c.best_across ? "**" + label + "**" : label) << " |";
        for (const auto& f : c.figures) out << " " << format_summary(f) << " |";
        out << " " << md_cell(where_text(m.experiments[c.experiment])) << " |\n";
      }
    }
    out << "\n";
  }
}

void render_models_json(const std::vector<ModelSummary>& models, std::ostream& out) {
  Json doc = Json::array();
  for (const auto& m : models) {
    Json experiments = Json::array();
    for (const auto& e : m.experiments) {
      Json nic = e.nic.to_json();
      experiments.push_back({{"database", e.database},
                             {"id", e.id},
                             {"name", e.name},
                             {"bench", e.bench},
                             {"status", e.status},
                             {"created_utc", format_utc(e.created_at)},
                             {"configurations", e.configurations},
                             {"nic", nic}});
    }
    Json groups = Json::array();
    for (const auto& g : m.groups) {
      Json objectives = Json::array();
      for (const auto& o : g.objectives)
        objectives.push_back({{"metric", o.metric}, {"goal", to_string(o.goal)}});
      Json configs = Json::array();
      for (const auto& c : g.configurations) {
        Json figures = Json::object();
        for (std::size_t k = 0; k < g.objectives.size(); ++k) {
          const auto& f = c.figures[k];
          figures[g.objectives[k].metric] = {
              {"mean", f.mean},
              {"n", f.n},
              {"ci_half_width", f.has_ci() ? Json(f.half_width) : Json()}};
        }
        const auto& e = m.experiments[c.experiment];
        configs.push_back({{"config", c.config},
                           {"baseline", c.baseline},
                           {"best_across", c.best_across},
                           {"figures", figures},
                           {"measured_in", {{"database", e.database}, {"experiment", e.id}}}});
      }
      groups.push_back({{"objectives", objectives}, {"configurations", configs}});
    }
    doc.push_back({{"model", m.model},
                   {"driver", m.driver},
                   {"pci_id", m.pci_id},
                   {"experiments", experiments},
                   {"groups", groups}});
  }
  out << doc.dump(2) << "\n";
}

}  // namespace nictune::report

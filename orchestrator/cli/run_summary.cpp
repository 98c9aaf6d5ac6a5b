#include "orchestrator/cli/run_summary.hpp"

#include <fstream>

#include "orchestrator/loaders/report_loaders.hpp"
#include "reports/render.hpp"
#include "reports/report.hpp"

namespace nictune::cli {

void print_run_summary(Store& store, const RunResult& result, const std::string& db_path,
                       std::ostream& out) {
  out << "\n";
  std::string html_path;
  try {
    report::Report report = report::load_report(store, std::to_string(result.experiment_id));
    report::render_text(report, out);
    html_path = db_path + "." + std::to_string(result.experiment_id) + ".html";
    std::ofstream html(html_path);
    if (html) report::render_html(report, html);
    if (!html) html_path.clear();
  } catch (const std::exception& e) {
    out << "(no report: " << e.what() << ")\n";
  }
  out << "\nexperiment " << result.experiment_id << " " << to_string(result.status) << ": "
      << result.trials_run << " trial(s) run, " << result.trials_failed << " failed\n";
  out << "database:  " << db_path << "\n";
  if (!html_path.empty()) out << "report:    " << html_path << "\n";
  out << "more:      nictune report --db " << db_path << " --experiment " << result.experiment_id
      << " --format md|html|csv|json\n";
}

}  // namespace nictune::cli

#include "reports/profile_section.hpp"

#include <cstdio>
#include <sstream>

#include "core/errors.hpp"
#include "reports/flame_svg.hpp"
#include "reports/format.hpp"

namespace nictune::report {
namespace {

std::string percent(double share) {
  char text[16];
  std::snprintf(text, sizeof text, "%.1f", 100.0 * share);
  return text;
}

// Column heads short enough for 100 columns of text.
constexpr const char* kShortNames[kProfileCategoryCount] = {"NET_RX", "driver", "UDP rx", "tx",
                                                            "irq",    "app",    "idle",   "kernel"};

std::string differing_config(const Report& r, const Json& point) {
  if (!r.baseline) return config_text(point);
  const Json& base = r.points[*r.baseline].config;
  Json diff = Json::object();
  for (const auto& [k, v] : point.items())
    if (!base.contains(k) || base[k] != v) diff[k] = v;
  return config_text(diff);
}

}  // namespace

ProfileSection profile_section(const Report& r) {
  ProfileSection s;
  s.requested = r.experiment.spec.is_object() && r.experiment.spec.contains("profile");
  for (const auto& host : r.hosts) {
    if (host.role != "dut" || !host.facts.contains("perf")) continue;
    const Json& perf = host.facts["perf"];
    if (!perf.value("available", false))
      s.perf_unavailable = perf.value("reason", std::string("perf cannot sample this host"));
  }
  int best = 0;
  for (const auto& t : r.profile_trials) {
    ProfileEntry e;
    e.baseline = t.baseline;
    e.label = t.baseline ? "baseline" : "best #" + std::to_string(++best);
    e.config = t.baseline ? "host's own settings" : differing_config(r, t.point);
    if (t.outcome.state != TrialState::kComplete) {
      e.error = t.outcome.error.empty() ? "failed" : t.outcome.error;
    } else {
      try {
        e.profile = folded_profile_from_json(t.outcome.details.value("profile", Json::object()));
        e.cpus = breakdown(e.profile);
      } catch (const Error& err) {
        e.error = err.what();
      }
    }
    s.entries.push_back(std::move(e));
  }
  return s;
}

void profile_tables(const ProfileSection& s, std::ostream& out, bool markdown) {
  if (s.empty()) return;
  out << (markdown ? "## Where the DUT's CPUs spent their time (perf profiles)\n\n"
                   : "\nWhere the DUT's CPUs spent their time (perf cpu-clock profiles)\n");
  if (!s.perf_unavailable.empty())
    out << (markdown ? "" : "  ") << "perf cannot sample the DUT: " << s.perf_unavailable
        << (markdown ? "\n\n" : "\n");
  if (s.entries.empty()) {
    out << (markdown ? "" : "  ") << "No profile was recorded." << (markdown ? "\n\n" : "\n");
    return;
  }
  for (const auto& e : s.entries) {
    // The configuration can be long: what follows goes on its own line in text.
    out << (markdown ? "**" : "  ") << e.label << (markdown ? "**" : "") << " (" << e.config << ")"
        << (markdown ? ": " : "\n    ");
    if (!e.error.empty()) {
      out << "no profile: " << e.error << (markdown ? "\n\n" : "\n");
      continue;
    }
    out << e.profile.samples << " samples"
        << (e.profile.truncated ? ", rarest stacks merged to fit the size cap" : "")
        << (markdown ? "\n\n" : "\n");
    if (markdown) {
      out << "| CPU | samples |";
      for (auto name : kShortNames) out << " " << name << " % |";
      out << "\n|---|---|";
      for (std::size_t i = 0; i < kProfileCategoryCount; ++i) out << "---|";
      out << "\n";
    } else {
      char head[160];
      std::snprintf(head, sizeof head, "    %-4s %8s", "CPU", "samples");
      out << head;
      for (auto name : kShortNames) {
        std::snprintf(head, sizeof head, " %7s", name);
        out << head;
      }
      out << "\n";
    }
    for (const auto& c : e.cpus) {
      if (markdown) {
        out << "| " << c.cpu << " | " << c.samples << " |";
        for (std::size_t i = 0; i < kProfileCategoryCount; ++i)
          out << " " << percent(c.share(ProfileCategory(i))) << " |";
        out << "\n";
      } else {
        char cell[64];
        std::snprintf(cell, sizeof cell, "    %-4u %8llu", c.cpu,
                      static_cast<unsigned long long>(c.samples));
        out << cell;
        for (std::size_t i = 0; i < kProfileCategoryCount; ++i) {
          std::snprintf(cell, sizeof cell, " %7s", percent(c.share(ProfileCategory(i))).c_str());
          out << cell;
        }
        out << "\n";
      }
    }
    if (markdown) out << "\n";
  }
  // Two lines that fit 100 columns of text.
  out << (markdown ? "" : "  ")
      << "% of each CPU's samples. NET_RX: receive softirq and IP path; driver: NIC or virtual "
         "device;"
      << (markdown ? " " : "\n  ")
      << "UDP rx: UDP delivery and socket receive; tx: transmit path; irq: other interrupts and "
         "softirqs."
      << (markdown ? "\n\n" : "\n");
}

Json profile_json(const ProfileSection& s) {
  Json profiles = Json::array();
  for (const auto& e : s.entries) {
    Json cpus = Json::array();
    for (const auto& c : e.cpus) {
      Json shares = Json::object();
      for (std::size_t i = 0; i < kProfileCategoryCount; ++i)
        shares[std::string(category_key(ProfileCategory(i)))] = c.share(ProfileCategory(i));
      cpus.push_back({{"cpu", c.cpu}, {"samples", c.samples}, {"shares", shares}});
    }
    profiles.push_back({{"label", e.label},
                        {"config", e.config},
                        {"baseline", e.baseline},
                        {"error", e.error},
                        {"samples", e.profile.samples},
                        {"truncated", e.profile.truncated},
                        {"cpus", cpus}});
  }
  return {
      {"requested", s.requested}, {"perf_unavailable", s.perf_unavailable}, {"profiles", profiles}};
}

std::string profile_html(const ProfileSection& s) {
  if (s.empty()) return "";
  std::ostringstream out;
  out << "<section id=\"profiles\">\n<h2>Where the DUT's CPUs spent their time</h2>\n"
         "<p class=\"meta\">perf cpu-clock samples of every CPU while the load ran, the baseline "
         "and the best configuration(s) measured once more. Flame graphs: the command at the "
         "bottom, callees above, width = share of the CPU's samples; hover a frame for its "
         "numbers.</p>\n";
  if (!s.perf_unavailable.empty())
    out << "<p class=\"meta\"><strong>perf cannot sample the DUT: "
        << html_escape(s.perf_unavailable) << "</strong></p>\n";
  if (s.entries.empty()) out << "<p>No profile was recorded.</p>\n";
  for (const auto& e : s.entries) {
    out << "<h3>" << html_escape(e.label) << " <span class=\"meta\">" << html_escape(e.config)
        << "</span></h3>\n";
    if (!e.error.empty()) {
      out << "<p class=\"meta\"><strong>No profile: " << html_escape(e.error) << "</strong></p>\n";
      continue;
    }
    out << "<table class=\"profile\"><thead><tr><th>CPU</th><th>samples</th>";
    for (std::size_t i = 0; i < kProfileCategoryCount; ++i)
      out << "<th>" << html_escape(std::string(to_string(ProfileCategory(i)))) << " %</th>";
    out << "</tr></thead><tbody>\n";
    for (const auto& c : e.cpus) {
      out << "<tr><td>" << c.cpu << "</td><td>" << c.samples << "</td>";
      for (std::size_t i = 0; i < kProfileCategoryCount; ++i)
        out << "<td>" << percent(c.share(ProfileCategory(i))) << "</td>";
      out << "</tr>\n";
    }
    out << "</tbody></table>\n";
    for (const auto& cpu : e.profile.cpus) {
      FlameOptions options;
      options.title = e.label + " · CPU " + std::to_string(cpu.cpu);
      out << "<figure><figcaption>CPU " << cpu.cpu << " · " << cpu.samples
          << " samples</figcaption>\n"
          << flame_graph_svg(cpu, options) << "</figure>\n";
    }
  }
  out << "</section>\n";
  return out.str();
}

}  // namespace nictune::report

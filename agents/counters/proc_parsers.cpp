#include "agents/counters/proc_parsers.hpp"

#include <charconv>

#include "agents/knobs/kernel_files.hpp"
#include "core/errors.hpp"

namespace nictune::agent {
namespace {

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    auto nl = text.find('\n');
    lines.push_back(text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return lines;
}

std::vector<std::string_view> split_words(std::string_view line) {
  std::vector<std::string_view> words;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    std::size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r') ++i;
    if (i > start) words.push_back(line.substr(start, i - start));
  }
  return words;
}

bool to_u64(std::string_view word, std::uint64_t& out, int base = 10) {
  if (word.empty()) return false;
  auto [ptr, ec] = std::from_chars(word.data(), word.data() + word.size(), out, base);
  return ec == std::errc() && ptr == word.data() + word.size();
}

[[noreturn]] void bad_line(const char* file, std::size_t line_number, std::string_view line,
                           const std::string& what) {
  std::string shown(line.substr(0, 120));
  throw Error(ErrorCode::kIo, std::string(file) + " line " + std::to_string(line_number) + ": " +
                                  what + ": \"" + shown + "\"");
}

// "CPU0 CPU1 CPU3" -> {0, 1, 3}.
std::vector<unsigned> parse_cpu_header(const char* file, std::string_view line) {
  std::vector<unsigned> cpus;
  for (auto word : split_words(line)) {
    std::uint64_t cpu = 0;
    if (!word.starts_with("CPU") || !to_u64(word.substr(3), cpu) || cpu > 1u << 20) {
      bad_line(file, 1, line, "expected a header of CPUn columns");
    }
    cpus.push_back(static_cast<unsigned>(cpu));
  }
  if (cpus.empty()) bad_line(file, 1, line, "no CPU columns in the header");
  return cpus;
}

}  // namespace

ProcStat parse_proc_stat(std::string_view text) {
  ProcStat stat;
  bool saw_all = false;
  std::size_t number = 0;
  for (auto line : split_lines(text)) {
    ++number;
    auto words = split_words(line);
    if (words.empty()) continue;
    if (words[0].starts_with("cpu")) {
      if (words.size() < 5)
        bad_line("/proc/stat", number, line, "a cpu line needs at least 4 counters");
      std::uint64_t v[10] = {};
      for (std::size_t i = 1; i < words.size() && i <= 10; ++i) {
        if (!to_u64(words[i], v[i - 1])) bad_line("/proc/stat", number, line, "not a counter");
      }
      CpuTimes t{v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9]};
      if (words[0] == "cpu") {
        stat.all = t;
        saw_all = true;
      } else {
        std::uint64_t cpu = 0;
        if (!to_u64(words[0].substr(3), cpu) || cpu > 1u << 20) {
          bad_line("/proc/stat", number, line, "bad CPU number");
        }
        stat.per_cpu[static_cast<unsigned>(cpu)] = t;
      }
    } else if (words[0] == "intr" && words.size() >= 2) {
      to_u64(words[1], stat.interrupts);
    } else if (words[0] == "ctxt" && words.size() >= 2) {
      to_u64(words[1], stat.context_switches);
    }
  }
  if (!saw_all) throw Error(ErrorCode::kIo, "/proc/stat: no \"cpu\" line");
  return stat;
}

std::uint64_t InterruptLine::total() const {
  std::uint64_t sum = 0;
  for (auto c : counts) sum += c;
  return sum;
}

const InterruptLine* InterruptsTable::find_irq(unsigned irq) const {
  for (const auto& line : lines) {
    if (line.irq && *line.irq == irq) return &line;
  }
  return nullptr;
}

InterruptsTable parse_interrupts(std::string_view text) {
  auto lines = split_lines(text);
  if (lines.empty()) throw Error(ErrorCode::kIo, "/proc/interrupts: empty");
  InterruptsTable table;
  table.cpus = parse_cpu_header("/proc/interrupts", lines[0]);
  for (std::size_t n = 1; n < lines.size(); ++n) {
    std::string_view line = lines[n];
    auto colon = line.find(':');
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    if (colon == std::string_view::npos)
      bad_line("/proc/interrupts", n + 1, line, "no \"N:\" label");
    InterruptLine row;
    auto label = split_words(line.substr(0, colon));
    if (label.size() != 1) bad_line("/proc/interrupts", n + 1, line, "bad label");
    row.id = std::string(label[0]);
    std::uint64_t irq = 0;
    if (to_u64(label[0], irq) && irq < (1u << 24)) row.irq = static_cast<unsigned>(irq);
    auto words = split_words(line.substr(colon + 1));
    std::size_t w = 0;
    for (; w < words.size() && w < table.cpus.size(); ++w) {
      std::uint64_t count = 0;
      if (!to_u64(words[w], count)) break;
      row.counts.push_back(count);
    }
    if (row.irq) {
      row.counts.resize(table.cpus.size(), 0);
      std::vector<std::string_view> rest(words.begin() + static_cast<std::ptrdiff_t>(w),
                                         words.end());
      if (!rest.empty()) row.chip = std::string(rest[0]);
      // Action names come last; shared IRQs join them with ", ".
      if (rest.size() >= 2) {
        std::size_t i = rest.size() - 1;
        std::vector<std::string> names{std::string(rest[i])};
        while (i >= 2 && rest[i - 1].ends_with(',')) {
          --i;
          names.insert(names.begin(), std::string(rest[i].substr(0, rest[i].size() - 1)));
        }
        row.names = std::move(names);
      }
    } else {
      std::string description;
      for (std::size_t i = w; i < words.size(); ++i) {
        if (!description.empty()) description += ' ';
        description += words[i];
      }
      row.description = std::move(description);
    }
    table.lines.push_back(std::move(row));
  }
  return table;
}

SoftirqsTable parse_softirqs(std::string_view text) {
  auto lines = split_lines(text);
  if (lines.empty()) throw Error(ErrorCode::kIo, "/proc/softirqs: empty");
  SoftirqsTable table;
  table.cpus = parse_cpu_header("/proc/softirqs", lines[0]);
  for (std::size_t n = 1; n < lines.size(); ++n) {
    auto words = split_words(lines[n]);
    if (words.empty()) continue;
    if (!words[0].ends_with(':')) bad_line("/proc/softirqs", n + 1, lines[n], "no \"NAME:\" label");
    std::vector<std::uint64_t> counts;
    for (std::size_t i = 1; i < words.size(); ++i) {
      std::uint64_t count = 0;
      if (!to_u64(words[i], count)) bad_line("/proc/softirqs", n + 1, lines[n], "not a counter");
      counts.push_back(count);
    }
    counts.resize(table.cpus.size(), 0);
    table.rows[std::string(words[0].substr(0, words[0].size() - 1))] = std::move(counts);
  }
  return table;
}

std::vector<SoftnetRow> parse_softnet_stat(std::string_view text, const CpuSet& online) {
  std::vector<SoftnetRow> rows;
  auto online_cpus = online.cpus();
  std::size_t number = 0;
  for (auto line : split_lines(text)) {
    ++number;
    auto words = split_words(line);
    if (words.empty()) continue;
    if (words.size() < 3) bad_line("/proc/net/softnet_stat", number, line, "fewer than 3 columns");
    SoftnetRow row;
    for (auto word : words) {
      std::uint64_t value = 0;
      if (!to_u64(word, value, 16)) bad_line("/proc/net/softnet_stat", number, line, "not hex");
      row.columns.push_back(value);
    }
    const auto& c = row.columns;
    row.processed = c[0];
    row.dropped = c[1];
    row.time_squeeze = c[2];
    if (c.size() > 8) row.cpu_collision = c[8];
    if (c.size() > 9) row.received_rps = c[9];
    if (c.size() > 10) row.flow_limit = c[10];
    if (c.size() > 11) row.backlog_len = c[11];
    std::size_t index = rows.size();
    if (c.size() > 12 && c[12] < (1u << 20)) {
      row.cpu = static_cast<unsigned>(c[12]);
      row.cpu_from_file = true;
    } else {
      row.cpu = index < online_cpus.size() ? online_cpus[index] : static_cast<unsigned>(index);
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

std::map<std::string, std::uint64_t> read_link_statistics(const std::string& statistics_dir) {
  std::map<std::string, std::uint64_t> out;
  for (const auto& name : list_directory(statistics_dir)) {
    std::string text;
    unsigned long long value = 0;
    if (read_text(statistics_dir + "/" + name, text) == 0 && parse_uint64(text, value)) {
      out[name] = value;
    }
  }
  return out;
}

}  // namespace nictune::agent

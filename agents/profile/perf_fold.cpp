#include "agents/profile/perf_fold.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <optional>
#include <unordered_map>

namespace nictune::profile {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

struct Header {
  std::string comm;
  unsigned cpu = 0;
};

// "comm pid/tid [cpu]": the CPU is the last bracketed token, the pid/tid token before it, and
// everything before that is the command name (which may contain spaces and brackets).
std::optional<Header> parse_header(std::string_view line) {
  line = trim(line);
  if (line.size() < 4 || line.back() != ']') return std::nullopt;
  const auto open = line.rfind('[');
  if (open == std::string_view::npos) return std::nullopt;
  Header h;
  const std::string_view digits = line.substr(open + 1, line.size() - open - 2);
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), h.cpu);
  if (ec != std::errc() || end != digits.data() + digits.size() || digits.empty())
    return std::nullopt;
  std::string_view rest = trim(line.substr(0, open));
  const auto space = rest.find_last_of(" \t");
  if (space == std::string_view::npos) return std::nullopt;
  const std::string_view ids = rest.substr(space + 1);
  if (ids.empty() || ids.find_first_not_of("0123456789/-") != std::string_view::npos)
    return std::nullopt;
  h.comm = std::string(trim(rest.substr(0, space)));
  if (h.comm.empty()) return std::nullopt;
  return h;
}

// Folded stacks separate frames with ';': a symbol that contains one would split.
std::string frame_name(std::string_view sym) {
  std::string out(sym);
  std::replace(out.begin(), out.end(), ';', ':');
  return out;
}

// "\t ffffffff81e8f6d6 __build_skb_around" -> "__build_skb_around_[k]".
std::optional<std::string> parse_frame(std::string_view line) {
  line = trim(line);
  const auto space = line.find_first_of(" \t");
  const std::string_view address = line.substr(0, space);
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(address.data(), address.data() + address.size(), value, 16);
  if (ec != std::errc() || end != address.data() + address.size()) return std::nullopt;
  std::string_view sym = space == std::string_view::npos ? "" : trim(line.substr(space));
  // perf may append the DSO in parentheses; the symbol is what a flame graph shows.
  if (sym.size() > 2 && sym.back() == ')') {
    const auto paren = sym.rfind(" (");
    if (paren != std::string_view::npos) sym = trim(sym.substr(0, paren));
  }
  std::string name = sym.empty() ? "[unknown]" : frame_name(sym);
  constexpr std::uint64_t kKernelHalf = 0xffff800000000000ULL;
  if (value >= kKernelHalf) name += kKernelSuffix;
  return name;
}

struct Accumulator {
  std::map<unsigned, std::unordered_map<std::string, std::uint64_t>> per_cpu;
  std::map<unsigned, std::uint64_t> samples;
};

void finish_sample(Accumulator& acc, const Header& h, std::vector<std::string>& frames,
                   const FoldLimits& limits, bool& truncated) {
  // perf lists the leaf first; folded stacks go root first, the command name as the root.
  std::string stack = frame_name(h.comm);
  std::size_t depth = 0;
  for (auto it = frames.rbegin(); it != frames.rend(); ++it) {
    if (depth++ == limits.max_depth) {
      stack += ";[deeper frames cut]";
      truncated = true;
      break;
    }
    stack += ';';
    stack += *it;
  }
  ++acc.per_cpu[h.cpu][stack];
  ++acc.samples[h.cpu];
  frames.clear();
}

std::size_t folded_bytes(const std::vector<CpuStacks>& cpus) {
  std::size_t bytes = 0;
  for (const auto& c : cpus)
    for (const auto& [s, n] : c.stacks) bytes += s.size() + 24;
  return bytes;
}

// Keeps the `keep` most sampled stacks of a CPU; the others become one kOtherStacks line.
void cut_stacks(CpuStacks& cpu, std::size_t keep, bool& truncated) {
  if (cpu.stacks.size() <= keep) return;
  std::uint64_t merged = 0;
  for (std::size_t i = keep; i < cpu.stacks.size(); ++i) merged += cpu.stacks[i].second;
  cpu.stacks.resize(keep);
  cpu.stacks.emplace_back(std::string(kOtherStacks), merged);
  truncated = true;
}

}  // namespace

FoldedProfile fold_perf_script(std::string_view text, const FoldLimits& limits) {
  FoldedProfile out;
  Accumulator acc;
  std::optional<Header> current;
  std::vector<std::string> frames;
  bool in_sample = false;
  bool truncated = false;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    auto nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    const std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    if (trim(line).empty()) {
      if (current) finish_sample(acc, *current, frames, limits, truncated);
      current.reset();
      in_sample = false;
      if (nl == text.size()) break;
      continue;
    }
    const bool indented = line.front() == ' ' || line.front() == '\t';
    if (!in_sample && !indented) {
      current = parse_header(line);
      in_sample = true;
      if (!current) ++out.malformed;
    } else if (in_sample && indented) {
      if (!current) continue;  // frames of a sample whose header did not parse
      if (auto frame = parse_frame(line)) {
        frames.push_back(std::move(*frame));
      } else {
        ++out.malformed;
        current.reset();
        frames.clear();
      }
    } else if (in_sample && !indented) {
      // A header right after a header: the previous sample had no call chain.
      if (current) finish_sample(acc, *current, frames, limits, truncated);
      current = parse_header(line);
      if (!current) ++out.malformed;
    } else {
      ++out.malformed;  // a frame line outside any sample
    }
    if (nl == text.size()) break;
  }
  if (current) finish_sample(acc, *current, frames, limits, truncated);

  for (auto& [cpu, stacks] : acc.per_cpu) {
    CpuStacks c;
    c.cpu = cpu;
    c.samples = acc.samples[cpu];
    out.samples += c.samples;
    c.stacks.assign(stacks.begin(), stacks.end());
    std::sort(c.stacks.begin(), c.stacks.end(), [](const auto& a, const auto& b) {
      return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    cut_stacks(c, limits.max_stacks_per_cpu, truncated);
    out.cpus.push_back(std::move(c));
  }
  // Over the byte budget: halve how many stacks each CPU keeps until it fits.
  std::size_t keep = limits.max_stacks_per_cpu;
  while (keep > 1 && folded_bytes(out.cpus) > limits.max_bytes) {
    keep /= 2;
    for (auto& c : out.cpus) cut_stacks(c, keep, truncated);
  }
  out.truncated = truncated;
  return out;
}

}  // namespace nictune::profile

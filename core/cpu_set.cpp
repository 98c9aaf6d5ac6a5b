#include "core/cpu_set.hpp"

#include <algorithm>
#include <bit>
#include <charconv>

#include "core/errors.hpp"

namespace nictune {
namespace {

// Beyond any machine Linux supports (CONFIG_NR_CPUS max is 8192); guards against a hostile
// "0-4000000000" allocating gigabytes.
constexpr unsigned kMaxCpus = 8192;

unsigned parse_cpu_number(std::string_view token, std::string_view whole) {
  unsigned value = 0;
  auto [ptr, ec] = std::from_chars(token.data(), token.data() + token.size(), value);
  if (token.empty() || ec != std::errc() || ptr != token.data() + token.size()) {
    throw invalid("bad CPU list \"" + std::string(whole) + "\": \"" + std::string(token) +
                  "\" is not a CPU number");
  }
  if (value >= kMaxCpus) {
    throw invalid("bad CPU list \"" + std::string(whole) + "\": CPU " + std::string(token) +
                  " is beyond the supported maximum of " + std::to_string(kMaxCpus - 1));
  }
  return value;
}

std::string_view trim_space(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

CpuSet CpuSet::parse_list(std::string_view text) {
  CpuSet set;
  std::string_view rest = trim_space(text);
  while (!rest.empty()) {
    auto comma = rest.find(',');
    std::string_view item = trim_space(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    if (item.empty()) throw invalid("bad CPU list \"" + std::string(text) + "\": empty element");
    auto dash = item.find('-');
    if (dash == std::string_view::npos) {
      set.add(parse_cpu_number(item, text));
      continue;
    }
    unsigned first = parse_cpu_number(trim_space(item.substr(0, dash)), text);
    unsigned last = parse_cpu_number(trim_space(item.substr(dash + 1)), text);
    if (last < first) {
      throw invalid("bad CPU list \"" + std::string(text) + "\": range \"" + std::string(item) +
                    "\" runs backwards");
    }
    for (unsigned cpu = first; cpu <= last; ++cpu) set.add(cpu);
  }
  return set;
}

CpuSet CpuSet::parse_mask(std::string_view text) {
  std::string_view body = trim_space(text);
  if (body.starts_with("0x") || body.starts_with("0X")) body.remove_prefix(2);
  if (body.empty()) throw invalid("bad CPU mask \"" + std::string(text) + "\": empty");
  // Split into comma groups; each is a 32-bit word, most significant first.
  std::vector<std::string_view> groups;
  while (true) {
    auto comma = body.find(',');
    groups.push_back(body.substr(0, comma));
    if (comma == std::string_view::npos) break;
    body.remove_prefix(comma + 1);
  }
  const bool grouped = groups.size() > 1;
  CpuSet set;
  unsigned bit = 0;
  for (auto g = groups.rbegin(); g != groups.rend(); ++g) {
    if (g->empty() || (grouped && g->size() > 8)) {
      throw invalid("bad CPU mask \"" + std::string(text) +
                    "\": expected comma-separated groups of up to 8 hex digits");
    }
    unsigned group_bit = bit;
    for (auto c = g->rbegin(); c != g->rend(); ++c) {
      int digit = hex_digit(*c);
      if (digit < 0) {
        throw invalid("bad CPU mask \"" + std::string(text) + "\": '" + std::string(1, *c) +
                      "' is not a hex digit");
      }
      for (int b = 0; b < 4; ++b) {
        if (digit & (1 << b)) {
          if (group_bit + b >= kMaxCpus) {
            throw invalid("bad CPU mask \"" + std::string(text) + "\": sets CPUs beyond " +
                          std::to_string(kMaxCpus - 1));
          }
          set.add(group_bit + b);
        }
      }
      group_bit += 4;
    }
    bit += grouped ? 32 : static_cast<unsigned>(g->size()) * 4;
  }
  return set;
}

CpuSet CpuSet::range(unsigned first, unsigned last) {
  CpuSet set;
  for (unsigned cpu = first; cpu <= last; ++cpu) set.add(cpu);
  return set;
}

void CpuSet::add(unsigned cpu) {
  if (cpu >= kMaxCpus)
    throw invalid("CPU " + std::to_string(cpu) + " is beyond the supported maximum");
  std::size_t word = cpu / 64;
  if (words_.size() <= word) words_.resize(word + 1, 0);
  words_[word] |= std::uint64_t{1} << (cpu % 64);
}

void CpuSet::remove(unsigned cpu) {
  std::size_t word = cpu / 64;
  if (word < words_.size()) words_[word] &= ~(std::uint64_t{1} << (cpu % 64));
  trim();
}

bool CpuSet::contains(unsigned cpu) const {
  std::size_t word = cpu / 64;
  return word < words_.size() && (words_[word] >> (cpu % 64)) & 1U;
}

bool CpuSet::empty() const {
  return words_.empty();
}

std::size_t CpuSet::count() const {
  std::size_t n = 0;
  for (auto w : words_) n += static_cast<std::size_t>(std::popcount(w));
  return n;
}

std::vector<unsigned> CpuSet::cpus() const {
  std::vector<unsigned> out;
  for (std::size_t w = 0; w < words_.size(); ++w) {
    for (std::uint64_t bits = words_[w]; bits != 0; bits &= bits - 1) {
      out.push_back(static_cast<unsigned>(w * 64 + static_cast<unsigned>(std::countr_zero(bits))));
    }
  }
  return out;
}

unsigned CpuSet::span() const {
  if (words_.empty()) return 0;
  return static_cast<unsigned>((words_.size() - 1) * 64 + 64 -
                               static_cast<unsigned>(std::countl_zero(words_.back())));
}

CpuSet CpuSet::operator|(const CpuSet& other) const {
  CpuSet out = *this;
  if (out.words_.size() < other.words_.size()) out.words_.resize(other.words_.size(), 0);
  for (std::size_t i = 0; i < other.words_.size(); ++i) out.words_[i] |= other.words_[i];
  return out;
}

CpuSet CpuSet::operator&(const CpuSet& other) const {
  CpuSet out;
  out.words_.resize(std::min(words_.size(), other.words_.size()));
  for (std::size_t i = 0; i < out.words_.size(); ++i) out.words_[i] = words_[i] & other.words_[i];
  out.trim();
  return out;
}

CpuSet CpuSet::operator-(const CpuSet& other) const {
  CpuSet out = *this;
  for (std::size_t i = 0; i < std::min(out.words_.size(), other.words_.size()); ++i) {
    out.words_[i] &= ~other.words_[i];
  }
  out.trim();
  return out;
}

bool CpuSet::operator==(const CpuSet& other) const {
  return words_ == other.words_;
}

void CpuSet::trim() {
  while (!words_.empty() && words_.back() == 0) words_.pop_back();
}

std::string CpuSet::to_list() const {
  std::string out;
  auto list = cpus();
  for (std::size_t i = 0; i < list.size();) {
    std::size_t j = i;
    while (j + 1 < list.size() && list[j + 1] == list[j] + 1) ++j;
    if (!out.empty()) out += ',';
    out += std::to_string(list[i]);
    if (j > i) out += '-' + std::to_string(list[j]);
    i = j + 1;
  }
  return out;
}

std::string CpuSet::to_mask(unsigned nbits) const {
  static constexpr char kHex[] = "0123456789abcdef";
  unsigned bits = std::max(nbits, std::max(span(), 1U));
  unsigned groups = (bits + 31) / 32;
  std::string out;
  for (unsigned g = groups; g-- > 0;) {
    std::uint32_t word =
        static_cast<std::uint32_t>((g / 2 < words_.size() ? words_[g / 2] : 0) >> ((g % 2) * 32));
    // Only the most significant group is narrowed, exactly like the kernel's "%*pb".
    unsigned digits = 8;
    if (g == groups - 1 && bits % 32 != 0) digits = (bits % 32 + 3) / 4;
    if (!out.empty()) out += ',';
    for (unsigned d = digits; d-- > 0;) out += kHex[(word >> (d * 4)) & 0xF];
  }
  return out;
}

}  // namespace nictune

#include "reports/export_check_rss.hpp"

#include <sstream>
#include <vector>

namespace nictune::report {
namespace {

// ethtool 6.1 prints the table as "RX flow hash indirection table for IF with N RX ring(s):",
// then rows "%5u: " (the row's first index) followed by " %5u" per entry, eight a row, then
// "RSS hash key:" and a key in hex that may itself begin with "12:", so only the rows right
// after the heading are the table. A flow hash is "<FLOW> flows use these fields for computing
// Hash flow key:" and one line per field in the order m v t s d f n ("None" for no field), or
// "<FLOW> flows - All matching flows discarded on RX". Both checked against Debian's ethtool.
const char* kRssFunctions = R"SH(
# The entries of the RSS indirection table, space-separated; on failure ethtool's first line.
nictune_rss_table() {
  if ! _out=$(ethtool -x "$IFACE" 2>&1); then
    printf '%s\n' "$_out" | head -n 1
    return 1
  fi
  printf '%s\n' "$_out" | awk '
    /^RX flow hash indirection table/ { table = 1; next }
    table && /^ *[0-9]+: / { sub(/^ *[0-9]+:/, ""); printf "%s ", $0; next }
    { table = 0 }'
}

# nictune_check_rss WHAT equal N | WHAT weight W0 W1 ...: the table ethtool -X builds from that
# (equal: entry i on queue i mod N; weight: consecutive runs, queue q up to entry
# size * (W0+..+Wq) / sum) compared with the current one, as entries per queue (queue:entries).
nictune_check_rss() {
  _what=$1
  shift
  if ! _table=$(nictune_rss_table); then
    nictune_cannot "$_what" "ethtool -x $IFACE: $_table"
    return 0
  fi
  if [ -z "$(nictune_words "$_table")" ]; then
    nictune_cannot "$_what" "ethtool -x $IFACE shows no indirection table"
    return 0
  fi
  _both=$(printf '%s\n' "$_table" | awk -v spec="$*" '
    function summary(t, n,   q, top, out, j) {
      split("", count)
      top = -1
      for (j = 1; j <= n; j++) { count[t[j] + 0]++; if (t[j] + 0 > top) top = t[j] + 0 }
      out = "queue:entries"
      for (q = 0; q <= top; q++) if (count[q] > 0) out = out " " q ":" count[q]
      return out
    }
    {
      n = split($0, found, " ")
      m = split(spec, w, " ")
      if (w[1] == "equal") {
        for (j = 1; j <= n; j++) want[j] = (j - 1) % w[2]
      } else {
        sum = 0
        for (i = 2; i <= m; i++) sum += w[i]
        q = 0
        part = w[2]
        for (j = 0; j < n; j++) {
          while (q < m - 2 && j >= int(n * part / sum)) { q++; part += w[q + 2] }
          want[j + 1] = q
        }
      }
      order = ""
      for (j = 1; j <= n; j++) if (want[j] != found[j]) order = " in another order"
      expected = summary(want, n)
      seen = summary(found, n)
      if (order != "" && expected == seen) seen = seen order
      print expected
      print seen
    }')
  nictune_compare "$_what" "$(printf '%s\n' "$_both" | sed -n 1p)" \
    "$(printf '%s\n' "$_both" | sed -n 2p)"
}

# The fields a flow type hashes on, as ethtool -N takes them (sdfn, r, none); on failure
# ethtool's first line.
nictune_flow_hash() {
  if ! _out=$(ethtool -n "$IFACE" rx-flow-hash "$1" 2>&1); then
    printf '%s\n' "$_out" | head -n 1
    return 1
  fi
  printf '%s\n' "$_out" | awk '
    / - All matching flows discarded/ { discard = 1 }
    / use these fields for computing Hash flow key:/ { on = 1; next }
    !on { next }
    /^L2DA/ { f = f "m" }
    /^VLAN tag/ { f = f "v" }
    /^L3 proto/ { f = f "t" }
    /^IP SA/ { f = f "s" }
    /^IP DA/ { f = f "d" }
    /^L4 bytes 0 & 1/ { f = f "f" }
    /^L4 bytes 2 & 3/ { f = f "n" }
    END {
      if (discard) print "r"
      else if (!on) print "?"
      else print (f == "" ? "none" : f)
    }'
}

# nictune_check_flow_hash WHAT FLOW FIELDS
nictune_check_flow_hash() {
  if ! _found=$(nictune_flow_hash "$2"); then
    nictune_cannot "$1" "ethtool -n $IFACE rx-flow-hash $2: $_found"
    return 0
  fi
  if [ "$_found" = "?" ]; then
    nictune_cannot "$1" "ethtool -n $IFACE rx-flow-hash $2 does not list hash fields"
    return 0
  fi
  nictune_compare "$1" "$3" "$_found"
}
)SH";

std::vector<std::string> words_of(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

bool all_digits(const std::string& word) {
  return !word.empty() && word.size() <= 9 &&
         word.find_first_not_of("0123456789") == std::string::npos;
}

// The fields in the order ethtool prints them: "r" (discard) alone, as ethtool shows it.
std::string canonical_fields(const std::string& fields) {
  if (fields == "none") return fields;
  if (fields.find('r') != std::string::npos) return "r";
  std::string out;
  for (char letter : std::string("mvtsdfn")) {
    if (fields.find(letter) != std::string::npos) out += letter;
  }
  return out.size() == fields.size() ? out : "";  // an unknown or repeated letter
}

}  // namespace

std::string rss_check_functions() {
  return kRssFunctions;
}

std::string rss_check_line(const ExportCommand& c) {
  if (c.settings.size() != 1) return "";
  const auto& [word, value] = c.settings.front();
  const auto args = words_of(value);
  const std::string what =
      "ethtool -" + std::string(1, c.ethtool_option) + " " + word + " " + value;
  if (c.ethtool_option == 'X') {
    if (args.empty()) return "";
    bool numbers = true, some = false;
    for (const auto& a : args) {
      numbers = numbers && all_digits(a);
      some = some || (all_digits(a) && std::stoul(a) > 0);
    }
    if (!numbers || !some) return "";
    if (word == "equal" && args.size() == 1)
      return "nictune_check_rss " + shell_quote(what) + " equal " + args[0] + "\n";
    if (word == "weight") {
      std::string line = "nictune_check_rss " + shell_quote(what) + " weight";
      for (const auto& a : args) line += " " + a;
      return line + "\n";
    }
    return "";
  }
  if (c.ethtool_option == 'N' && word == "rx-flow-hash" && args.size() == 2) {
    const std::string fields = canonical_fields(args[1]);
    if (fields.empty() || args[0].find_first_not_of("abcdehpstuv46") != std::string::npos)
      return "";
    return "nictune_check_flow_hash " + shell_quote(what) + " " + args[0] + " " + fields + "\n";
  }
  return "";
}

}  // namespace nictune::report

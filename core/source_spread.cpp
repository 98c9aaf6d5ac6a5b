#include "core/source_spread.hpp"

#include <arpa/inet.h>

#include "core/load_tools.hpp"
#include "core/text_util.hpp"

namespace nictune {
namespace {

struct Prefix {
  std::uint32_t network = 0;
  int length = 0;
};

std::optional<Prefix> parse_prefix(const std::string& text, std::string& why) {
  const auto slash = text.find('/');
  if (slash == std::string::npos) {
    why = "expected an IPv4 prefix like \"198.18.0.128/25\", found \"" + text + "\"";
    return std::nullopt;
  }
  in_addr a{};
  if (inet_pton(AF_INET, text.substr(0, slash).c_str(), &a) != 1) {
    why = "\"" + text.substr(0, slash) + "\" is not an IPv4 address";
    return std::nullopt;
  }
  const std::string len = text.substr(slash + 1);
  if (len.empty() || len.size() > 2 || len.find_first_not_of("0123456789") != std::string::npos ||
      std::stoi(len) > 32) {
    why = "prefix length \"" + len + "\": expected 0 to 32";
    return std::nullopt;
  }
  Prefix p;
  p.length = std::stoi(len);
  p.network = ntohl(a.s_addr);
  const std::uint32_t mask = p.length == 0 ? 0 : ~std::uint32_t{0} << (32 - p.length);
  if ((p.network & ~mask) != 0) {
    in_addr n{};
    n.s_addr = htonl(p.network & mask);
    char buf[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &n, buf, sizeof buf);
    why = "\"" + text + "\" has host bits set; the prefix is " + buf + "/" + len;
    return std::nullopt;
  }
  return p;
}

// Addresses a prefix offers to senders: not its network and broadcast addresses (except /31
// and /32, which have none).
std::uint64_t usable(int length) {
  if (length >= 31) return length == 31 ? 2 : 1;
  return (std::uint64_t{1} << (32 - length)) - 2;
}

}  // namespace

std::optional<SourceSpread> read_source_spread(const Json& w, const std::string& path,
                                               Issues& issues) {
  if (!w.is_object()) return std::nullopt;
  const bool has_prefix = w.contains("source_prefix");
  const bool has_count = w.contains("source_addresses");
  if (!has_prefix && !has_count) return std::nullopt;
  if (!has_prefix) {
    issues.add(path + ".source_prefix",
               "missing: source_addresses needs the prefix they come from, like "
               "\"198.18.0.128/25\"");
    return std::nullopt;
  }
  if (!has_count) {
    issues.add(path + ".source_addresses",
               "missing: how many addresses of source_prefix the flows use");
    return std::nullopt;
  }
  const Json& p = w["source_prefix"];
  const Json& c = w["source_addresses"];
  bool ok = true;
  std::optional<Prefix> prefix;
  if (!p.is_string()) {
    issues.add(path + ".source_prefix",
               "expected a string like \"198.18.0.128/25\", found " + json_brief(p));
    ok = false;
  } else {
    std::string why;
    prefix = parse_prefix(p.get<std::string>(), why);
    if (!prefix) {
      issues.add(path + ".source_prefix", why);
      ok = false;
    }
  }
  if (!c.is_number_integer() || c.get<long long>() < 1 || c.get<long long>() > 65536) {
    issues.add(path + ".source_addresses",
               "expected an integer from 1 to 65536, found " + json_brief(c));
    ok = false;
  }
  const std::string type = w.value("type", std::string("udp_stream"));
  const std::string tool = w.value("tool", default_load_tool().name);
  const LoadTool* row = find_load_tool(tool);
  if (type != "udp_stream" || (row && !row->address_spread)) {
    std::vector<std::string> spreaders;
    for (const LoadTool& t : load_tools()) {
      if (t.address_spread) spreaders.push_back(t.name);
    }
    issues.add(path + ".source_prefix",
               "address-spread flows are for the " + join(spreaders, " or ") +
                   " udp_stream generator, found " + type + " with " + tool);
    ok = false;
  }
  if (!ok) return std::nullopt;
  const long long count = c.get<long long>();
  if (std::uint64_t(count) > usable(prefix->length)) {
    issues.add(path + ".source_addresses",
               std::to_string(count) + " addresses do not fit in " + p.get<std::string>() + " (" +
                   std::to_string(usable(prefix->length)) +
                   " usable); give a shorter prefix or fewer addresses");
    return std::nullopt;
  }
  const Json flows = w.value("flows", Json(1));
  if (flows.is_number_integer() && flows.get<long long>() < count) {
    issues.add(path + ".source_addresses",
               std::to_string(count) + " addresses need at least as many flows (one address " +
                   "per flow), found flows " + std::to_string(flows.get<long long>()));
    return std::nullopt;
  }
  SourceSpread s;
  s.prefix = p.get<std::string>();
  s.first = prefix->network + (prefix->length >= 31 ? 0 : 1);
  s.count = static_cast<int>(count);
  return s;
}

std::string source_address(const SourceSpread& spread, int flow) {
  in_addr a{};
  a.s_addr = htonl(spread.first + static_cast<std::uint32_t>(flow % spread.count));
  char buf[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &a, buf, sizeof buf);
  return buf;
}

}  // namespace nictune

#include "reports/format.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace nictune::report {
namespace {

struct Scale {
  double divisor = 1;
  const char* suffix = "";
};

Scale scale_for(double value) {
  const double a = std::fabs(value);
  if (a >= 1e9) return {1e9, "G"};
  if (a >= 1e6) return {1e6, "M"};
  if (a >= 1e4) return {1e3, "k"};
  return {};
}

std::string printf_text(const char* format, double value) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, value);
  return buf;
}

std::string fixed(double value, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  std::string out = buf;
  if (out == "-0" || out.find_first_not_of("-0.") == std::string::npos) {
    if (out[0] == '-') out.erase(0, 1);  // no "-0.00"
  }
  return out;
}

}  // namespace

std::string format_number(double value) {
  if (std::isnan(value)) return "n/a";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  const Scale s = scale_for(value);
  std::string out = printf_text("%.4g", value / s.divisor) + s.suffix;
  return out == "-0" ? "0" : out;
}

std::string format_summary(const stats::Summary& s, const std::string& plus_minus) {
  if (s.n == 0 || std::isnan(s.mean)) return "n/a";
  if (!s.judgeable()) return format_number(s.mean) + " (n<3)";
  if (!s.has_ci()) return format_number(s.mean);
  const Scale scale = scale_for(s.mean);
  const double mean = s.mean / scale.divisor, half = s.half_width / scale.divisor;
  if (half == 0) return format_number(s.mean) + plus_minus + "0";
  const int decimals = std::clamp(1 - static_cast<int>(std::floor(std::log10(half))), 0, 9);
  return fixed(mean, decimals) + scale.suffix + plus_minus + fixed(half, decimals) + scale.suffix;
}

std::string format_percent(double ratio) {
  if (std::isnan(ratio)) return "n/a";
  if (std::isinf(ratio)) return ratio > 0 ? "+inf%" : "-inf%";
  const double pct = ratio * 100;
  std::string body = std::fabs(pct) >= 1000 ? fixed(pct, 0) : fixed(pct, 1);
  if (body.find_first_not_of("-0.") == std::string::npos) return "0.0%";
  return (pct > 0 ? "+" : "") + body + "%";
}

std::string format_p(double p) {
  if (std::isnan(p)) return "n/a";
  if (p < 0.001) return "<0.001";
  return fixed(p, 3);
}

std::string value_text(const Json& value) {
  if (value.is_null()) return "(inactive)";
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  if (value.is_number_integer()) return std::to_string(value.get<long long>());
  if (value.is_number_unsigned()) return std::to_string(value.get<unsigned long long>());
  if (value.is_number()) return printf_text("%.6g", value.get<double>());
  return value.dump();
}

namespace {

void pretty_into(std::string& out, const Json& value, std::size_t indent, std::size_t width,
                 std::size_t lead) {
  const std::string compact = value.dump(-1, ' ', false, Json::error_handler_t::replace);
  if (!value.is_structured() || value.empty() || indent + lead + compact.size() <= width) {
    // nlohmann's compact form has no spaces after ':' and ','; add them for reading.
    if (!value.is_structured()) {
      out += compact;
      return;
    }
    std::string spaced;
    bool in_string = false, escaped = false;
    for (const char c : compact) {
      spaced += c;
      if (in_string) {
        if (escaped) {
          escaped = false;
        } else if (c == '\\') {
          escaped = true;
        } else if (c == '"') {
          in_string = false;
        }
        continue;
      }
      if (c == '"') in_string = true;
      if (c == ':' || c == ',') spaced += ' ';
    }
    if (indent + lead + spaced.size() <= width || !value.is_structured()) {
      out += spaced;
      return;
    }
  }
  const std::string pad(indent + 2, ' ');
  out += value.is_object() ? "{\n" : "[\n";
  std::size_t i = 0;
  for (auto it = value.begin(); it != value.end(); ++it, ++i) {
    out += pad;
    std::size_t key_width = 0;
    if (value.is_object()) {
      const std::string key = Json(it.key()).dump() + ": ";
      out += key;
      key_width = key.size();
    }
    pretty_into(out, *it, indent + 2, width, key_width + 1);
    out += i + 1 < value.size() ? ",\n" : "\n";
  }
  out += std::string(indent, ' ') + (value.is_object() ? "}" : "]");
}

}  // namespace

std::string pretty_json(const Json& value, std::size_t width) {
  std::string out;
  pretty_into(out, value, 0, width, 0);
  return out;
}

std::string html_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string md_cell(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '|') out += '\\';
    if (c == '\n') {
      out += ' ';
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace nictune::report

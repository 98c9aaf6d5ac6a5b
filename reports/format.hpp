// Number and value formatting shared by the renderers and exporters, so a figure reads the same
// in every format: engineering suffixes (k, M, G), the mean rounded where its 95 % CI's second
// significant digit is, signed percentages, p-values.
#pragma once

#include <string>

#include "core/json_util.hpp"
#include "core/statistics.hpp"

namespace nictune::report {

// 4 significant digits with k/M/G above 10^4: "1.235M", "45.2", "0.00012"; "n/a" for NaN.
std::string format_number(double value);
// "1.235M ± 0.012M" (the CI half-width to 2 significant digits, the mean to the same decimal),
// or the mean alone when there is no CI. `plus_minus` is the separator text (" ± ", " +- ").
std::string format_summary(const stats::Summary& s, const std::string& plus_minus = " ± ");
// "+12.3%", "-0.4%", "n/a".
std::string format_percent(double ratio);
// "0.012", "<0.001", "n/a".
std::string format_p(double p);
// A knob value as people write it: 4, 0.5, all, true.
std::string value_text(const Json& value);
// JSON indented by 2, but any array or object whose compact form fits in `width` columns (at
// its indentation) stays on one line: specs read like people write them.
std::string pretty_json(const Json& value, std::size_t width = 96);
// Escapes for the formats that need it.
std::string html_escape(const std::string& text);
std::string csv_field(const std::string& text);
std::string md_cell(const std::string& text);  // escapes '|'

}  // namespace nictune::report

#include "reports/format.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "reports/svg.hpp"

namespace nictune::report {
namespace {

TEST(Format, Numbers) {
  EXPECT_EQ(format_number(1234567), "1.235M");
  EXPECT_EQ(format_number(45.2), "45.2");
  EXPECT_EQ(format_number(0.00012), "0.00012");
  EXPECT_EQ(format_number(9999), "9999");
  EXPECT_EQ(format_number(12345), "12.35k");
  EXPECT_EQ(format_number(-2.5e9), "-2.5G");
  EXPECT_EQ(format_number(std::nan("")), "n/a");
}

TEST(Format, SummaryRoundsTheMeanWhereTheCiIs) {
  stats::Summary s;
  s.n = 3;
  s.mean = 1234567;
  s.half_width = 12345;  // 0.012M: two significant digits, the mean to the same decimal
  EXPECT_EQ(format_summary(s), "1.235M ± 0.012M");
  s.mean = 45.23;
  s.half_width = 1.1;
  EXPECT_EQ(format_summary(s, " +- "), "45.2 +- 1.1");
  s.half_width = 12.3;
  EXPECT_EQ(format_summary(s), "45 ± 12");
  s.half_width = 0;
  EXPECT_EQ(format_summary(s), "45.23 ± 0");
  s.n = 1;
  s.half_width = std::nan("");
  EXPECT_EQ(format_summary(s), "45.23 (n<3)");  // not enough repetitions to judge
  s.n = 2;
  EXPECT_EQ(format_summary(s), "45.23 (n<3)");
  s.n = 0;
  EXPECT_EQ(format_summary(s), "n/a");
}

TEST(Format, PercentAndP) {
  EXPECT_EQ(format_percent(0.25), "+25.0%");
  EXPECT_EQ(format_percent(-0.004), "-0.4%");
  EXPECT_EQ(format_percent(0.00001), "0.0%");
  EXPECT_EQ(format_percent(-0.00001), "0.0%");
  EXPECT_EQ(format_percent(12.5), "+1250%");
  EXPECT_EQ(format_p(0.0123), "0.012");
  EXPECT_EQ(format_p(0.0001), "<0.001");
  EXPECT_EQ(format_p(std::nan("")), "n/a");
}

TEST(Format, PrettyJsonKeepsShortThingsOnOneLine) {
  const Json doc = Json::parse(R"({"a": [1, 2, 3], "s": "x:, \"y\\", "o": {"k": "v"}})");
  EXPECT_EQ(pretty_json(doc, 200), R"({"a": [1, 2, 3], "o": {"k": "v"}, "s": "x:, \"y\\"})");
  EXPECT_EQ(pretty_json(doc, 20),
            "{\n  \"a\": [1, 2, 3],\n  \"o\": {\"k\": \"v\"},\n  \"s\": \"x:, \\\"y\\\\\"\n}");
  EXPECT_EQ(Json::parse(pretty_json(doc, 10)), doc);
}

TEST(Format, Escapes) {
  EXPECT_EQ(html_escape("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
  EXPECT_EQ(csv_field("plain"), "plain");
  EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(md_cell("a|b\nc"), "a\\|b c");
}

TEST(Svg, NiceTicks) {
  EXPECT_EQ(svg::nice_ticks(0, 1, 5),
            (std::vector<double>{0, 0.2, 0.4, 0.6000000000000001, 0.8, 1}));
  EXPECT_EQ(svg::nice_ticks(880000, 1320000, 5),
            (std::vector<double>{900000, 1000000, 1100000, 1200000, 1300000}));
  EXPECT_TRUE(svg::nice_ticks(1, 1, 5).empty());
  const auto r = svg::padded_range(5, 5);
  EXPECT_LT(r.lo, 5);
  EXPECT_GT(r.hi, 5);
}

}  // namespace
}  // namespace nictune::report

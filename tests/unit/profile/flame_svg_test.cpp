#include "reports/flame_svg.hpp"

#include <gtest/gtest.h>

namespace nictune::report {
namespace {

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) ++n;
  return n;
}

TEST(FlameSvg, FramesAreAsWideAsTheirSamplesAndCarryTooltips) {
  CpuStacks cpu;
  cpu.cpu = 1;
  cpu.stacks = {{"ksoftirqd/1;net_rx_action_[k];udp_rcv_[k]", 3}, {"app;main", 1}};
  cpu.samples = 4;
  FlameOptions options;
  options.width = 400;
  options.title = "best · CPU 1";
  const std::string svg = flame_graph_svg(cpu, options);
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_NE(svg.find("<title>best · CPU 1</title>"), std::string::npos);
  EXPECT_EQ(count(svg, "<rect"), 5u);  // ksoftirqd, net_rx_action, udp_rcv, app, main
  // app: 1 of 4 samples on 400 px, after ksoftirqd's 300 px (children sorted by name).
  EXPECT_NE(svg.find("<rect x=\"0.0\" y=\"30.0\" width=\"99.5\""), std::string::npos) << svg;
  EXPECT_NE(svg.find("udp_rcv_[k] (3 samples, 75.0 %), UDP receive"), std::string::npos);
  EXPECT_EQ(svg.find("<script"), std::string::npos);
}

TEST(FlameSvg, ManyTinyStacksStayBoundedAndEscaped) {
  CpuStacks cpu;
  for (int i = 0; i < 5000; ++i) cpu.stacks.push_back({"app<" + std::to_string(i) + ">;f&g;h", 1});
  cpu.stacks.push_back({"big<&>;x", 5000});
  FlameOptions options;
  options.width = 500;
  const std::string svg = flame_graph_svg(cpu, options);
  EXPECT_LT(svg.size(), 20000u);  // sub-pixel frames are not drawn
  EXPECT_NE(svg.find("big&lt;&amp;&gt;"), std::string::npos);
  EXPECT_EQ(svg.find("big<&>"), std::string::npos);
}

}  // namespace
}  // namespace nictune::report

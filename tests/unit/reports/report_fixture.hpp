// A fixed experiment written through the real Store, shared by the report, export, compare and
// browser tests. Its numbers are chosen so every report status appears:
//   baseline (ch 8, rps none, rx_usecs 50)   1.00M pps, 200 % CPU  -> dominated by point A
//   A  ch 4 none 50                            1.10M, 180           -> front
//   B  ch 4 all 50                             1.25M, 260           -> front, the best rx_pps
//   C  ch 8 all 8                              1.30M, 330, loss 0.4 % -> infeasible
//   D  ch 2 none 50                            0.95M, 150           -> front, the cheapest
//   E  ch 2 all 50  (noisy)                    1.07M, 185           -> dominated by A, CIs overlap:
//   tied F  ch 8 none 8                             0.90M, 300           -> dominated beyond noise
//   G  ch 8 all 50                             apply failed         -> failed
//   H  ch 2 all 8   (one repetition)           1.20M, 240           -> front, n = 1
#pragma once

#include <map>
#include <memory>
#include <string>

#include "orchestrator/store/store.hpp"
#include "reports/report.hpp"

namespace nictune::testing {

struct ReportFixture {
  std::unique_ptr<Store> store;
  std::int64_t experiment = 0;
  // point ids by letter ('A'..'H'), baseline under 'b'
  std::map<char, std::int64_t> points;
};

// `name` is the experiment's name; `rx_scale` multiplies every rx_pps (0.9 makes a 10 %
// throughput regression for compare tests) and `kernel` goes into the DUT facts.
ReportFixture make_report_fixture(const std::string& path = ":memory:",
                                  const std::string& name = "ixgbe-rss-rps", double rx_scale = 1.0,
                                  const std::string& kernel = "6.1.0-18-amd64");

// Adds one experiment to an existing store (for compare: two kernels in one database).
std::int64_t add_fixture_experiment(Store& store, const std::string& name, double rx_scale,
                                    const std::string& kernel,
                                    std::map<char, std::int64_t>* points);

// Store timestamps are wall-clock; goldens need fixed ones.
void pin_times(report::Report& report);

}  // namespace nictune::testing

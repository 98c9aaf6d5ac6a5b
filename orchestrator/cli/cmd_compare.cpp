#include <algorithm>
#include <iostream>

#include "core/errors.hpp"
#include "core/text_util.hpp"
#include "orchestrator/cli/args.hpp"
#include "orchestrator/cli/commands.hpp"
#include "orchestrator/loaders/report_loaders.hpp"
#include "reports/cli_support.hpp"
#include "reports/compare.hpp"
#include "reports/render.hpp"

namespace nictune::cli {

Command compare_command() {
  return {"compare", "did it get worse? the same configurations in two experiments",
          "usage: nictune compare [--db DB] E1 E2 [--threshold 5%] [--format " +
              join(report::renderer_names(report::Output::kComparison), "|") + "] [-o FILE]" +
              R"(

Compares the configurations measured in both experiments E1 (the reference: old kernel, old
firmware, other NIC) and E2 (ids or names), matched by their values; the two baselines (each
host's own settings) are compared with each other. Per configuration and objective: both means
with 95 % CIs, the change and its CI, Welch's t-test p (which decides significance) and the
Mann-Whitney U p (a check that assumes no normal distribution; exact for small samples).
A regression is a significant change in the objective's bad direction larger than the threshold,
relative to E1's mean. Repetitions matter: with fewer than 2 per side nothing can be tested.

options:
  --db DB          the database (default: nictune.db here)
  --threshold T    the smallest change that counts, as 5% or 0.05 (default 5%)
  --alpha A        significance level of the Welch t-test (default 0.05)
  --format F       )" +
              report::format_choices(report::Output::kComparison) + " (default " +
              report::default_format(report::Output::kComparison) + ")" + R"(
  -o FILE          write to FILE instead of standard output

Exit status: 0 no significant regression beyond the threshold, 1 at least one (or the database
could not be read), 2 usage error or no such experiment.
)",
          [](const std::vector<std::string>& argv) {
            Args args("compare", argv, {}, {"--db", "--threshold", "--alpha", "--format", "-o"});
            args.expect_positionals(2, "two experiments, E1 E2");
            report::CompareOptions options;
            try {
              options.threshold = report::parse_threshold(args.option_or("--threshold", "5%"));
            } catch (const Error& e) {
              throw UsageError(std::string("compare: --threshold: ") + e.what());
            }
            options.alpha = args.number("--alpha", 0.05, 1e-9, 0.5);
            const std::string format =
                args.option_or("--format", report::default_format(report::Output::kComparison));
            const auto formats = report::renderer_names(report::Output::kComparison);
            if (std::find(formats.begin(), formats.end(), format) == formats.end()) {
              throw UsageError("compare: unknown format \"" + format + "\"; expected " +
                               report::format_choices(report::Output::kComparison));
            }
            auto store =
                report::open_existing_store(args.option_or("--db", report::kDefaultDatabase));
            const auto result = report::compare_experiments(*store, args.positionals()[0],
                                                            args.positionals()[1], options);
            const std::string out_path = args.option_or("-o", "");
            report::write_output(out_path,
                                 [&](std::ostream& out) { report::render(format, result, out); });
            return result.any_significant_regression ? kExitFailed : kExitOk;
          }};
}

}  // namespace nictune::cli

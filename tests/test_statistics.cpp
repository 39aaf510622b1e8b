// Statistics over seeds (util/statistics.hpp) against tabulated values and hand-worked examples,
// and the sweep summary built from them (sweep/summary.hpp).
#include <gtest/gtest.h>

#include <cmath>

#include "sweep/summary.hpp"
#include "util/statistics.hpp"

namespace modspec {
namespace {

TEST(Statistics, StudentTQuantilesMatchTheTables) {
  // Two-sided 95% critical values (0.975 quantiles) from any table of Student's t.
  EXPECT_NEAR(student_t_quantile(0.975, 1), 12.7062, 1e-3);
  EXPECT_NEAR(student_t_quantile(0.975, 2), 4.3027, 1e-4);
  EXPECT_NEAR(student_t_quantile(0.975, 4), 2.7764, 1e-4);
  EXPECT_NEAR(student_t_quantile(0.975, 10), 2.2281, 1e-4);
  EXPECT_NEAR(student_t_quantile(0.975, 30), 2.0423, 1e-4);
  EXPECT_NEAR(student_t_quantile(0.975, 1e6), 1.95996, 1e-4);  // the normal's
  EXPECT_NEAR(student_t_quantile(0.5, 3), 0.0, 1e-6);
  EXPECT_NEAR(student_t_quantile(0.05, 5), -2.0150, 1e-4);
}

TEST(Statistics, TIntervalHandWorked) {
  // 0.2, 0.4, 0.6: mean 0.4, sd 0.2, half width 4.3027 * 0.2 / sqrt(3) = 0.49683.
  const Interval ci = t_interval({0.2, 0.4, 0.6});
  EXPECT_EQ(ci.n, 3);
  EXPECT_NEAR(ci.mean, 0.4, 1e-12);
  EXPECT_NEAR(ci.sd, 0.2, 1e-12);
  EXPECT_NEAR(ci.low, 0.4 - 0.49683, 1e-4);
  EXPECT_NEAR(ci.high, 0.4 + 0.49683, 1e-4);
  // One seed: a mean, no spread.
  const Interval one = t_interval({0.7});
  EXPECT_EQ(one.n, 1);
  EXPECT_DOUBLE_EQ(one.mean, 0.7);
  EXPECT_TRUE(std::isnan(one.sd) && std::isnan(one.low) && std::isnan(one.high));
  EXPECT_TRUE(std::isnan(t_interval({}).mean));
}

TEST(Statistics, BootstrapIntervalHoldsTheMeanAndStaysInTheRange) {
  const std::vector<double> v{0.1, 0.5, 0.3, 0.9, 0.4, 0.6, 0.2, 0.8};
  const Interval a = bootstrap_interval(v, 10000, 1), b = bootstrap_interval(v, 10000, 1);
  EXPECT_EQ(a.low, b.low) << "seeded";
  EXPECT_LT(a.low, a.mean);
  EXPECT_GT(a.high, a.mean);
  EXPECT_GE(a.low, 0.1);
  EXPECT_LE(a.high, 0.9);
  // Narrower than t's with 8 values is not guaranteed, but both cover the mean +- one standard error.
  const Interval t = t_interval(v);
  const double se = t.sd / std::sqrt(8.0);
  EXPECT_LT(a.low, t.mean - se);
  EXPECT_GT(a.high, t.mean + se);
}

TEST(Summary, OneRowPerAxisPointWithSeedsPooled) {
  Table t;
  t.columns = {"run", "axis_model_p_s", "axis_seed", "metric", "starts", "step", "module", "network_specialization",
               "informative", "null_mean", "untrained"};
  // Two axis points, three seeds each, two modules per run (F repeated), one uninformative run.
  auto add = [&](const std::string& run, const std::string& ps, const std::string& seed, const std::string& f,
                 const std::string& informative, const std::string& null) {
    for (const char* m : {"0", "1"}) t.rows.push_back({run, ps, seed, "masks", "all", "2", m, f, informative, null, ""});
  };
  add("a", "1", "0", "0.2", "1", "0.01");
  add("b", "1", "1", "0.4", "1", "0.03");
  add("c", "1", "2", "0.6", "1", "0.02");
  add("d", "100", "0", "0.1", "1", "0.05");
  add("e", "100", "1", "0.3", "0", "0.05");
  add("f", "100", "2", "0.5", "1", "");
  const Table s = sweep_summary(t, false);
  EXPECT_EQ(s.columns, (std::vector<std::string>{"axis_model_p_s", "metric", "starts", "step", "seeds", "excluded", "mean",
                                                 "sd", "ci_low", "ci_high", "ci", "null_mean", "untrained"}));
  ASSERT_EQ(s.rows.size(), 2u);
  EXPECT_EQ(s.rows[0][s.column("axis_model_p_s")], "1");
  EXPECT_EQ(s.rows[0][s.column("seeds")], "3");
  EXPECT_EQ(s.rows[0][s.column("excluded")], "0");
  EXPECT_NEAR(std::stod(s.rows[0][s.column("mean")]), 0.4, 1e-9);
  EXPECT_NEAR(std::stod(s.rows[0][s.column("ci_high")]), 0.89683, 1e-4);
  EXPECT_EQ(s.rows[0][s.column("ci")], "t");
  EXPECT_NEAR(std::stod(s.rows[0][s.column("null_mean")]), 0.02, 1e-9);
  EXPECT_EQ(s.rows[0][s.column("untrained")], "");
  // The uninformative seed is counted, never averaged.
  EXPECT_EQ(s.rows[1][s.column("seeds")], "2");
  EXPECT_EQ(s.rows[1][s.column("excluded")], "1");
  EXPECT_NEAR(std::stod(s.rows[1][s.column("mean")]), 0.3, 1e-9);
  EXPECT_NEAR(std::stod(s.rows[1][s.column("null_mean")]), 0.05, 1e-9);
  EXPECT_EQ(sweep_summary(t, true).rows[0][s.column("ci")], "bootstrap");
}

}  // namespace
}  // namespace modspec

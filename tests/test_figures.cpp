// The sweep figures' data: which rows a figure reads (the last step, all test tuples), how runs
// become heatmap variants and cells (mean over seeds), and the data file behind the picture.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "fixtures.hpp"
#include "report/fig2.hpp"
#include "report/fig4.hpp"
#include "report/heatmaps.hpp"
#include "report/last_step.hpp"

namespace modspec {
namespace {

// A hand-made sweep table: one row per (run, metric, step) of module 0, plus a module 1 row
// and a start-time group row that the figures must ignore.
Table small_table() {
  Table t;
  t.columns = {"run", "axis_architecture", "axis_model_bottleneck", "axis_model_n", "axis_seed", "architecture", "n",
               "p_s", "covariance", "metric", "starts", "step", "module", "network_specialization", "informative", "null_mean"};
  auto add = [&](const std::string& run, const std::string& arch, const std::string& b, int n, int seed, double c,
                 double f_last) {
    for (const std::string metric : {"retraining", "ablation", "correlation"}) {
      const std::vector<std::string> head{run, arch, b, std::to_string(n), std::to_string(seed), arch, std::to_string(n),
                                          "1", std::to_string(c), metric};
      auto row = [&](const std::string& starts, int step, int module, double f) {
        auto r = head;
        for (const std::string& v : {starts, std::to_string(step), std::to_string(module), std::to_string(f),
                                     std::string("1"), std::string("0.05")})
          r.push_back(v);
        t.rows.push_back(r);
      };
      row("all", 0, 0, 0.99);      // an earlier step
      row("all", 1, 0, f_last);    // the last step
      row("all", 1, 1, f_last);    // module 1 carries the same F
      row("1;1", 1, 0, 0.01);   // a start-time group
    }
  };
  add("r1", "fused", "0", 10, 0, 0.0, 0.2);
  add("r2", "fused", "0", 10, 1, 0.0, 0.4);  // second seed of the same cell
  add("r3", "separate", "5", 20, 0, 0.5, 0.7);
  add("r4", "separate", "0", 10, 0, 0.0, 0.9);
  return t;
}

TEST(Figures, LastStepOfAllTestTuples) {
  const auto runs = runs_at_last_step(small_table());
  ASSERT_EQ(runs.size(), 4u);
  EXPECT_DOUBLE_EQ(runs[0].f.at("retraining"), 0.2);
  EXPECT_DOUBLE_EQ(runs[3].f.at("correlation"), 0.9);
  EXPECT_DOUBLE_EQ(runs[3].null_mean.at("correlation"), 0.05);
  EXPECT_EQ(mean_of({1.0, 3.0}), 2.0);
  EXPECT_TRUE(std::isnan(mean_of({})));
  EXPECT_EQ(table_metrics(small_table()), (std::vector<std::string>{"retraining", "ablation", "correlation"}));
}

TEST(Figures, HeatmapVariantsAndCells) {
  const Heatmaps maps = heatmaps_from(small_table());
  // Architectures in preset order, then the other axes by value.
  EXPECT_EQ(maps.variants, (std::vector<std::string>{"separate, bottleneck 0", "separate, bottleneck 5",
                                                      "fused, bottleneck 0"}));
  EXPECT_EQ(maps.covariances, (std::vector<double>{0.0, 0.5}));
  EXPECT_EQ(maps.ns, (std::vector<int64_t>{10, 20}));
  EXPECT_EQ(maps.p_ss, (std::vector<int64_t>{1}));
  // fused, c = 0, n = 10, p_s = 1: the mean of two seeds.
  const auto& fused = maps.f.at("retraining").at({2, 0, 0, 0});
  ASSERT_EQ(fused.size(), 2u);
  EXPECT_DOUBLE_EQ(mean_of(fused), 0.3);
  EXPECT_DOUBLE_EQ(maps.f.at("mean").at({1, 1, 1, 0})[0], 0.7);
  EXPECT_EQ(maps.f.at("ablation").count({1, 0, 0, 0}), 0u);  // no run there

  test::TempDir dir;
  draw_heatmaps(maps, dir.path(), "fig");
  for (const char* f : {"fig.csv", "fig.gp", "fig.png", "fig.svg", "fig-retraining.png", "fig-correlation.svg"})
    EXPECT_TRUE(std::filesystem::exists(dir / f)) << f;
  // 3 variants x 2 covariances = 6 panels of 2 x 1 cells; the empty cells hold NaN.
  const Table data = read_csv(dir / "fig.csv");
  EXPECT_EQ(data.columns, (std::vector<std::string>{"variant", "c", "p_s_index", "n_index", "p_s", "n", "F_mean",
                                                    "F_retraining", "F_ablation", "F_correlation", "seeds"}));
  const size_t cells = data.rows.size();
  size_t missing = 0;
  for (const auto& row : data.rows) missing += row[data.column("F_mean")] == "NaN";
  EXPECT_EQ(cells, 12u);
  EXPECT_EQ(data.rows[0][0], "separate, bottleneck 0");
  EXPECT_EQ(missing, 12u - 3u);  // runs fill three cells; r1 and r2 share one
}

// Fig. 2's data: one point per p, F of each seed at the last step, intervals, the null's mean.
TEST(Figures, Fig2PointsIntervalsAndNull) {
  Table t;
  t.columns = {"run", "p", "q_analytic", "metric", "starts", "step", "module", "network_specialization", "informative",
               "null_mean"};
  auto add = [&](const std::string& run, const std::string& p, const std::string& metric, double f,
                 const std::string& informative) {
    for (const char* m : {"0", "1"}) t.rows.push_back({run, p, "0.4", metric, "all", "2", m, std::to_string(f), informative, "0.01"});
    t.rows.push_back({run, p, "0.4", metric, "all", "1", "0", "0.99", "1", "0.01"});  // an earlier step
  };
  add("a", "0.01", "retraining", 0.2, "1");
  add("b", "0.01", "retraining", 0.4, "1");
  add("c", "0.01", "retraining", 0.6, "1");
  add("a", "0.01", "masks", 0.5, "1");
  add("b", "0.01", "masks", 0.9, "0");  // not informative: counted, not averaged
  add("d", "1", "retraining", 0.1, "1");
  const auto points = fig2_points(t);
  ASSERT_EQ(points.size(), 2u);
  EXPECT_DOUBLE_EQ(points[0].p, 0.01);
  EXPECT_EQ(points[0].f.at("retraining").size(), 3u);
  EXPECT_EQ(points[0].f.at("masks"), std::vector<double>{0.5});
  EXPECT_EQ(points[0].excluded.at("masks"), 1);
  const std::vector<std::string> metrics{"retraining", "masks"};
  test::TempDir dir;
  draw_fig2(points, metrics, dir.path());
  for (const char* f : {"fig2.csv", "fig2.gp", "fig2.png", "fig2.svg"}) EXPECT_TRUE(std::filesystem::exists(dir / f)) << f;
  // A row per p: p Q, then per measure mean, low, high, null, seeds.
  const Table data = read_csv(dir / "fig2.csv");
  EXPECT_EQ(data.columns[0], "p");
  EXPECT_EQ(data.columns[2], "F_retraining_mean");
  EXPECT_EQ(data.columns[11], "F_masks_seeds");
  std::vector<std::vector<double>> rows;
  for (const auto& row : data.rows) {
    std::vector<double> v;
    for (const auto& x : row) v.push_back(std::stod(x));
    rows.push_back(v);
  }
  ASSERT_EQ(rows.size(), 2u);
  ASSERT_EQ(rows[0].size(), 2u + 2u * 5u);
  EXPECT_NEAR(rows[0][2], 0.4, 1e-9);                // mean of 0.2, 0.4, 0.6
  EXPECT_NEAR(rows[0][3], 0.4 - 0.49683, 1e-4);      // t interval, 2 degrees of freedom
  EXPECT_NEAR(rows[0][5], 0.01, 1e-9);               // null mean
  EXPECT_EQ(rows[0][6], 3);                          // seeds
  EXPECT_NEAR(rows[0][7], 0.5, 1e-9);                // masks: the informative seed only
  EXPECT_EQ(rows[0][11], 1);
  EXPECT_EQ(rows[1][3], rows[1][2]) << "one seed: no interval, the mean";
  const std::string text = fig2_text(points, metrics);
  EXPECT_NE(text.find("0.400 [-0.10,0.90]"), std::string::npos) << text;
  EXPECT_NE(text.find("0.500*"), std::string::npos) << text;
}

// Fig. 4's data: panels per condition, each module's own-digit specialization per step.
TEST(Figures, Fig4PanelsAndOwnDigitSpecialization) {
  Table t;
  t.columns = {"run", "axis_model_comms_steps", "p_s", "metric", "starts", "step", "module", "module_specialization",
               "network_specialization"};
  for (const std::string comms : {"[1, 2]", "[2]"})
    for (const std::string seed : {"0", "1"})
      for (int step = 0; step < 3; ++step) {
        const double f0 = seed == "0" ? 0.8 : 0.6, f1 = -0.4;  // module 1 on digit 1: own = +0.4
        t.rows.push_back({comms + seed, comms, "10", "retraining", "all", std::to_string(step), "0", std::to_string(f0), "0.6"});
        t.rows.push_back({comms + seed, comms, "10", "retraining", "all", std::to_string(step), "1", std::to_string(f1), "0.6"});
      }
  const Fig4Data d = fig4_data(Fig4Panel::a, t);
  ASSERT_EQ(d.panels.size(), 2u);
  EXPECT_EQ(d.panels[0].title, "communication from step 1");
  EXPECT_EQ(d.panels[1].title, "communication at step 2 only");
  EXPECT_EQ(d.p_ss, std::vector<int64_t>{10});
  EXPECT_EQ(d.last_step, 2);
  EXPECT_NEAR(d.own(d.panels[0], 10, 0, "retraining", 1), 0.7, 1e-9);  // mean of two seeds
  EXPECT_NEAR(d.own(d.panels[0], 10, 1, "retraining", 1), 0.4, 1e-9);
  EXPECT_NEAR(d.own(d.panels[0], 10, 0, "mean", 1), 0.7, 1e-9);
  EXPECT_NEAR(d.network(d.panels[1], 10, "retraining", 2), 0.6, 1e-9);
  EXPECT_TRUE(std::isnan(d.own(d.panels[0], 100, 0, "retraining", 1)));
  test::TempDir dir;
  draw_fig4(d, dir.path());
  for (const char* f : {"fig4a.csv", "fig4a.gp", "fig4a.png", "fig4a-retraining.svg"})
    EXPECT_TRUE(std::filesystem::exists(dir / f)) << f;
  // A row per (panel, p_s, step), each curve's rows consecutive.
  const Table data = read_csv(dir / "fig4a.csv");
  ASSERT_EQ(data.rows.size(), 2u * 1u * 3u);
  EXPECT_EQ(data.columns[3], "own_mean_module0");
  EXPECT_EQ(data.columns[5], "own_retraining_module0");
  EXPECT_EQ(data.rows[4][0], "communication at step 2 only");
  EXPECT_EQ(data.rows[4][2], "1");
  EXPECT_NEAR(std::stod(data.rows[1][data.column("own_retraining_module0")]), 0.7, 1e-6);
  EXPECT_NE(fig4_text(d).find("communication from step 1, p_s = 10"), std::string::npos);
  EXPECT_THROW(fig4_data(Fig4Panel::c, t), Error);  // no start-time groups
}

}  // namespace
}  // namespace modspec

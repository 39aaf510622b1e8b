// The sweep figures' data: which rows a figure reads (the last step, all test tuples), how runs
// become heatmap variants and cells (mean over seeds), and the data file behind the picture.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "fixtures.hpp"
#include "report/heatmaps.hpp"
#include "report/last_step.hpp"

namespace modspec {
namespace {

// A hand-made sweep table: one row per (run, metric, step) of module 0, plus a module 1 row
// and a start-time group row that the figures must ignore.
Table small_table() {
  Table t;
  t.columns = {"run", "axis_architecture", "axis_model.bottleneck", "axis_model.n", "axis_seed", "architecture", "n",
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
      row("", 0, 0, 0.99);      // an earlier step
      row("", 1, 0, f_last);    // the last step
      row("", 1, 1, f_last);    // module 1 carries the same F
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
  for (const char* f : {"fig.dat", "fig.gp", "fig.png", "fig.svg", "fig-retraining.png", "fig-correlation.svg"})
    EXPECT_TRUE(std::filesystem::exists(dir / f)) << f;
  // 3 variants x 2 covariances = 6 panels of 2 x 1 cells; the empty cells hold NaN.
  std::ifstream in(dir / "fig.dat");
  std::string line;
  int cells = 0, missing = 0;
  while (std::getline(in, line))
    if (!line.empty() && line[0] != '#') {
      ++cells;
      missing += line.find("NaN") != std::string::npos;
    }
  EXPECT_EQ(cells, 12);
  EXPECT_EQ(missing, 12 - 3);  // runs fill three cells; r1 and r2 share one
}

}  // namespace
}  // namespace modspec

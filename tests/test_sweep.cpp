// Sweeps: axis expansion, stable run names, shards that cover every stack once, resumption
// after a crash, and the tidy table's columns (the last two on the synthetic digits).
#include <gtest/gtest.h>

#include <set>

#include "data/data_dir.hpp"
#include "fixtures.hpp"
#include "sweep/run_plan.hpp"
#include "sweep/sweep_runner.hpp"
#include "sweep/table.hpp"
#include "util/atomic_file.hpp"
#include "util/hash.hpp"

namespace modspec {
namespace {

std::vector<std::string> axis_values(const SweepSpec& s, const std::string& axis) {
  std::vector<std::string> out;
  for (const auto& p : s.points)
    for (const auto& [k, v] : p.axes)
      if (k == axis) out.push_back(v);
  return out;
}

TEST(SweepSpec, ProductOfAxesTimesSeeds) {
  auto s = SweepSpec::from_toml_text(R"(
seeds = [3, 4]
[base]
model.n = 10
[axes]
"model.p" = [0.01, 1.0]
architecture = ["separate", "fused", "shared"]
)", "t.toml");
  ASSERT_EQ(s.points.size(), 2u * 3u * 2u);
  // The last axis varies fastest, seeds fastest of all.
  EXPECT_EQ(s.points[0].config.real("model.p"), 0.01);
  EXPECT_EQ(s.points[0].config.integer("model.seed"), 3);
  EXPECT_EQ(s.points[1].config.integer("model.seed"), 4);
  EXPECT_EQ(s.points[2].config.string("model.readout"), "shared");  // fused
  EXPECT_EQ(s.points[2].config.string("model.input"), "separate");
  EXPECT_EQ(s.points[4].config.string("model.input"), "shared");
  EXPECT_EQ(s.points[11].config.real("model.p"), 1.0);
  for (const auto& p : s.points) EXPECT_EQ(p.config.integer("model.n"), 10);
}

TEST(SweepSpec, ZipAndLogAxes) {
  auto s = SweepSpec::from_toml_text(R"(
combine = "zip"
[axes]
"model.p_s" = { log = [1, 625, 7] }
"model.n" = [25, 25, 25, 25, 25, 25, 25]
)", "t.toml");
  // 625^(i/6) rounded: 1, 2.92, 8.55, 25, 73.1, 213.7, 625.
  EXPECT_EQ(axis_values(s, "model.p_s"), std::vector<std::string>({"1", "3", "9", "25", "73", "214", "625"}));
  EXPECT_EQ(s.points.size(), 7u);
}

TEST(SweepSpec, ErrorsNameTheCulprit) {
  EXPECT_TRUE(test::contains(test::error_message([] { SweepSpec::from_toml_text("[axes]\n\"model.q\" = [1]\n", "t.toml"); }),
                             "model.q"));
  EXPECT_TRUE(test::contains(
      test::error_message([] { SweepSpec::from_toml_text("[axes]\narchitecture = [\"tangled\"]\n", "t.toml"); }),
      "tangled"));
  EXPECT_TRUE(test::contains(test::error_message([] {
                               SweepSpec::from_toml_text(
                                   "combine = \"zip\"\n[axes]\n\"model.n\" = [1, 2]\n\"model.p\" = [0.5]\n", "t.toml");
                             }),
                             "equal length"));
  EXPECT_TRUE(test::contains(test::error_message([] { SweepSpec::from_toml_text("stacks = 3\n", "t.toml"); }), "stacks"));
  // Top-level settings of the wrong type are named, not replaced by their defaults.
  for (const std::string line : {"stack = 1e30", "stack = \"4\"", "measure = 1", "combine = 2", "seeds = 3"}) {
    const std::string msg = test::error_message([&] { SweepSpec::from_toml_text(line + "\n", "t.toml"); });
    EXPECT_TRUE(test::contains(msg, "t.toml: " + line.substr(0, line.find(' ')) + ": expected")) << line << ": " << msg;
  }
  // An inconsistent point is named by its axis values before anything runs.
  EXPECT_TRUE(test::contains(test::error_message([] {
                               plan_sweep(SweepSpec::from_toml_text("[axes]\n\"env.covariance\" = [0.0, 0.5]\n", "t.toml"),
                                          "/nonexistent");
                             }),
                             "env.covariance=0.5"));
}

TEST(SweepSpec, OneAxisPerKey) {
  // Quoted and dotted, the same key: TOML sees two keys, the configuration one.
  const std::string msg = test::error_message([] {
    SweepSpec::from_toml_text("[axes]\n\"model.p_s\" = [1, 2]\nmodel.p_s = [3]\n", "twice.toml");
  });
  EXPECT_TRUE(test::contains(msg, "model.p_s is given twice")) << msg;
}

TEST(RunPlan, HashesAreStableAndContentBased) {
  Config a = Config::defaults(), b = Config::defaults();
  a.set("model.n=40");
  a.set("model.p=0.5");
  b.set("model.p=0.5");
  b.set("model.n=40");
  EXPECT_EQ(run_hash(a), run_hash(b));
  EXPECT_EQ(run_hash(a), run_hash(Config::from_toml_text(a.to_toml(), "again")));
  b.set("model.seed=1");
  EXPECT_NE(run_hash(a), run_hash(b));
  EXPECT_EQ(run_hash(a).size(), 16u);
}

TEST(RunPlan, IdentityHoldsOnlyKeysThatChangeResults) {
  Config c = Config::defaults();
  EXPECT_EQ(c.identity(), "");  // every key at its default: a key added later at its default changes nothing
  const std::string before = run_hash(c);
  for (const char* o : {"data.dir=\"/elsewhere\"", "data.fashion_dir=\"/x\"", "data.emnist_dir=\"/y\"",
                        "train.device=\"cuda\""})
    c.set(o);
  EXPECT_EQ(run_hash(c), before) << "where the data are and which device runs them name no run";
  c.set("model.p_s=3");
  c.set("env.covariance=0.5");
  EXPECT_EQ(c.identity(), "env.covariance = 0.5\nmodel.p_s = 3\n");  // schema order
  // The name of a run never changes without a change of this test: every sweep directory ever
  // written relies on it.
  EXPECT_EQ(run_hash(c), content_hash("env.covariance = 0.5\nmodel.p_s = 3\n"));
  EXPECT_EQ(content_hash("env.covariance = 0.5\nmodel.p_s = 3\n"), "fd4f42d1ddde905e");
}

TEST(RunPlan, ShardsCoverEveryStackOnce) {
  auto s = SweepSpec::from_toml_text(R"(
stack = 4
seeds = [0, 1, 2]
[axes]
"model.p_s" = [1, 2, 3, 4, 5]
architecture = ["separate", "fused"]
)", "t.toml");
  const SweepPlan plan = plan_sweep(s, "/tmp/unused");
  ASSERT_EQ(plan.runs.size(), 30u);
  // Stacks hold compatible networks only: one architecture each.
  for (const auto& st : plan.stacks) {
    EXPECT_LE(st.size(), 4u);
    for (size_t r : st)
      EXPECT_EQ(plan.runs[r].point.config.string("model.readout"), plan.runs[st[0]].point.config.string("model.readout"));
  }
  for (int64_t shards = 1; shards <= 5; ++shards) {
    std::multiset<size_t> covered;
    for (int64_t i = 0; i < shards; ++i)
      for (size_t st : shard_stacks(plan, i, shards))
        for (size_t r : plan.stacks[st]) covered.insert(r);
    EXPECT_EQ(covered.size(), 30u) << shards;
    EXPECT_EQ(std::set<size_t>(covered.begin(), covered.end()).size(), 30u) << shards;
  }
}

TEST(Sweep, ResumesAfterACrashAndBuildsTheTable) {
  test::TempDir out;
  const auto spec = SweepSpec::from_toml_text(R"(
seeds = [0, 1]
[base]
train.epochs = 1
metrics.readout_epochs = 1
metrics.null_repeats = 1
data.dir = ")" + test::synthetic_data_dir().string() + R"("
[axes]
"model.p_s" = [1, 625]
)", "t.toml");
  const SweepOptions options;
  auto first = run_sweep(spec, out.path(), options);
  EXPECT_EQ(first.runs, 4);
  EXPECT_EQ(first.trained, 4);
  // A crash: one run lost its last file mid-write and left a temporary behind.
  const SweepPlan plan = plan_sweep(spec, out.path());
  std::filesystem::remove(plan.runs[2].dir / "metrics.json");
  test::write_file(plan.runs[2].dir / "metrics.json.tmp.123", {1, 2, 3});
  auto second = run_sweep(spec, out.path(), options);
  EXPECT_EQ(second.skipped, 3);
  EXPECT_EQ(second.trained, 1);
  EXPECT_FALSE(std::filesystem::exists(plan.runs[2].dir / "metrics.json.tmp.123"));
  EXPECT_EQ(run_sweep(spec, out.path(), options).trained, 0);

  const Table t = sweep_table(out.path());
  for (const char* c : {"run", "axis_model_p_s", "axis_seed", "architecture", "n", "p", "p_s", "seed", "q_analytic",
                        "q_measured", "test_accuracy_mean", "test_accuracy_T1", "test_accuracy_T2", "metric", "step",
                        "module", "starts", "covariance", "normalised_digit0", "normalised_digit1", "module_specialization",
                        "network_specialization", "informative", "null_mean", "null_sd", "z", "untrained"})
    EXPECT_NO_THROW(t.column(c)) << c;
  for (const char* c : {"value_digit0", "base_digit1"}) EXPECT_NO_THROW(t.column(c)) << c;
  for (const auto& row : t.rows) EXPECT_EQ(row[t.column("starts")], "all");
  // 4 runs x 3 metrics x 3 steps x 2 modules.
  EXPECT_EQ(t.rows.size(), 4u * 3u * 3u * 2u);
  const SweepTables all = sweep_tables(out.path());
  EXPECT_EQ(all.networks.rows.size(), 4u * 3u * 3u);  // F once per run, metric and step
  EXPECT_EQ(all.epochs.rows.size(), 4u);              // one epoch each
  EXPECT_EQ(all.not_in_plan, 0);
  for (const auto& row : t.rows) EXPECT_EQ(row.size(), t.columns.size());
  // The CSV reads back to the same table.
  write_file_atomic(out / "table.csv", to_csv(t));
  const Table back = read_csv(out / "table.csv");
  EXPECT_EQ(back.columns, t.columns);
  EXPECT_EQ(back.rows, t.rows);
}

}  // namespace
}  // namespace modspec

// Sweep directories that explain themselves: a run keeps its name under another data directory,
// a changed sweep under the same --out never mixes its runs into the table, directories named by
// the earlier scheme are renamed, the plan and the sweep file are kept, and --log-jsonl writes one
// event per network-epoch and per run.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "fixtures.hpp"
#include "sweep/plan_files.hpp"
#include "sweep/run_plan.hpp"
#include "sweep/sweep_runner.hpp"
#include "sweep/table.hpp"
#include "util/hash.hpp"

namespace modspec {
namespace {

SweepSpec small_sweep(int64_t epochs) {
  std::ostringstream text;
  text << "seeds = [0]\n[base]\nmetrics.measures = [\"correlation\"]\nmetrics.null_repeats = 0\n"
       << "train.epochs = " << epochs << "\n[axes]\n\"model.p_s\" = [1, 625]\n";
  return SweepSpec::from_toml_text(text.str(), "small.toml");
}

SweepOptions with_data(const std::filesystem::path& dir) {
  SweepOptions o;
  o.data_dir = dir.string();
  o.workers = 1;
  return o;
}

TEST(SweepDirectory, AnotherDataDirectoryResumesTheSameRuns) {
  test::TempDir out, elsewhere;
  const auto data = test::synthetic_data_dir();
  EXPECT_EQ(run_sweep(small_sweep(1), out.path(), with_data(data)).trained, 2);
  // The same files under another path, as on another machine.
  std::filesystem::create_directory_symlink(data / "mnist", elsewhere / "mnist");
  const auto again = run_sweep(small_sweep(1), out.path(), with_data(elsewhere.path()));
  EXPECT_EQ(again.trained, 0);
  EXPECT_EQ(again.skipped, 2);
}

TEST(SweepDirectory, AChangedSweepNeverMixesItsRunsIntoTheTable) {
  test::TempDir out;
  const auto options = with_data(test::synthetic_data_dir());
  run_sweep(small_sweep(1), out.path(), options);
  EXPECT_TRUE(std::filesystem::exists(out / "sweep.toml"));
  EXPECT_TRUE(std::filesystem::exists(out / "plan.json"));
  EXPECT_EQ(planned_runs(out.path())->size(), 2u);
  // train.epochs changed, same --out: two new runs, and the table lists only them.
  EXPECT_EQ(run_sweep(small_sweep(2), out.path(), options).trained, 2);
  const SweepTables planned = sweep_tables(out.path());
  EXPECT_EQ(planned.not_in_plan, 2);
  for (const auto& row : planned.table.rows) EXPECT_EQ(row[planned.table.column("epochs_run")], "2");
  EXPECT_FALSE(planned.table.has("cfg_train_epochs")) << "one value among the listed runs";
  // --all: the four runs, told apart by the key that differs.
  const SweepTables all = sweep_tables(out.path(), true);
  EXPECT_EQ(all.not_in_plan, 0);
  ASSERT_TRUE(all.table.has("cfg_train_epochs"));
  ASSERT_TRUE(all.table.has("cfg_model_p_s"));
  std::set<std::string> epochs;
  for (const auto& row : all.table.rows) epochs.insert(row[all.table.column("cfg_train_epochs")]);
  EXPECT_EQ(epochs, (std::set<std::string>{"1", "2"}));
  EXPECT_FALSE(all.table.has("cfg_data_dir")) << "the same data directory for every run";
}

TEST(SweepDirectory, RunsNamedByTheEarlierSchemeAreRenamed) {
  test::TempDir out;
  const auto options = with_data(test::synthetic_data_dir());
  run_sweep(small_sweep(1), out.path(), options);
  const SweepPlan plan = plan_sweep(small_sweep(1), out.path());
  // The earlier name: a hash of the whole resolved configuration.
  const auto& run = plan.runs[0];
  const auto old_dir = out / "runs" / content_hash(Config::from_file(run.dir / "config.toml").to_toml());
  std::filesystem::rename(run.dir, old_dir);
  const auto again = run_sweep(small_sweep(1), out.path(), options);
  EXPECT_EQ(again.trained, 0);
  EXPECT_TRUE(std::filesystem::exists(run.dir / "metrics.json"));
  EXPECT_FALSE(std::filesystem::exists(old_dir));
}

TEST(SweepDirectory, EventLogHasOneLinePerNetworkEpochAndPerRun) {
  test::TempDir out;
  auto options = with_data(test::synthetic_data_dir());
  options.log_jsonl = (out / "events.jsonl").string();
  run_sweep(small_sweep(2), out / "sweep", options);
  std::ifstream in(out / "events.jsonl");
  std::string line;
  int64_t epochs = 0, runs = 0;
  while (std::getline(in, line)) {
    const auto e = nlohmann::json::parse(line);
    if (e["event"] == "epoch") {
      ++epochs;
      EXPECT_TRUE(e.contains("test_accuracy") && e.contains("train_loss") && e.contains("run"));
    } else {
      EXPECT_EQ(e["event"], "run");
      EXPECT_TRUE(e["F"].contains("correlation"));
      ++runs;
    }
  }
  EXPECT_EQ(epochs, 2 * 2);  // two runs x two epochs (none stops early at this accuracy)
  EXPECT_EQ(runs, 2);
}

TEST(SweepDirectory, SummaryRecordsWhereTheNumbersCameFrom) {
  test::TempDir out;
  run_sweep(small_sweep(1), out.path(), with_data(test::synthetic_data_dir()));
  const auto plan = plan_sweep(small_sweep(1), out.path());
  std::ifstream in(plan.runs[0].dir / "summary.json");
  const auto summary = nlohmann::json::parse(in);
  for (const char* field :
       {"modspec_version", "commit", "libtorch", "blas", "blas_kernel", "compiler", "cpu", "host", "device", "started"})
    EXPECT_TRUE(summary["provenance"].contains(field)) << field;
  EXPECT_EQ(summary["provenance"]["device"], "cpu");
}

}  // namespace
}  // namespace modspec

// A smoke test of every subcommand of the `modspec` program, run as a user would on the synthetic
// digits: each exits 0 and writes what it says, and bad input gives one line and a non-zero exit
// (2 for a usage error, 1 otherwise).
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "fixtures.hpp"

namespace modspec {
namespace {

struct Result {
  int status;
  std::string output;  // stdout and stderr together
};

// A shell command line, its output captured.
Result run_shell(const std::string& command_line, const test::TempDir& tmp) {
  const auto log = tmp / "output.txt";
  const std::string command = command_line + " > '" + log.string() + "' 2>&1";
  const int raw = std::system(command.c_str());
  std::ifstream in(log);
  std::stringstream text;
  text << in.rdbuf();
  return {WIFEXITED(raw) ? WEXITSTATUS(raw) : -1, text.str()};
}

Result run(const std::string& args, const test::TempDir& tmp) {
  return run_shell(std::string(MODSPEC_BINARY) + " " + args, tmp);
}

int lines(const std::string& text) { return int(std::count(text.begin(), text.end(), '\n')); }

TEST(Cli, EverySubcommandRunsOnTheSyntheticDigits) {
  test::TempDir tmp;
  const std::string data = " --data-dir '" + test::synthetic_data_dir().string() + "'";
  {
    std::ofstream config(tmp / "run.toml");
    config << "[model]\nn = 8\n[train]\nepochs = 1\n[metrics]\nreadout_epochs = 1\nnull_repeats = 1\n";
    std::ofstream sweep(tmp / "sweep.toml");
    sweep << "seeds = [0]\n[base]\nmodel.n = 8\ntrain.epochs = 1\nmetrics.readout_epochs = 1\n"
             "metrics.null_repeats = 0\nmetrics.measures = [\"retraining\"]\n[axes]\n\"model.p_s\" = [1, 64]\n";
  }
  const std::string run_dir = (tmp / "run").string(), sweep_dir = (tmp / "sweep").string();

  auto version = run("--version", tmp);
  EXPECT_EQ(version.status, 0) << version.output;
  EXPECT_EQ(version.output.rfind("modspec ", 0), 0u) << version.output;
  EXPECT_NE(version.output.find("LibTorch"), std::string::npos) << version.output;

  auto help = run("--help", tmp);
  EXPECT_EQ(help.status, 0) << help.output;
  for (const char* cmd : {"config", "data", "train", "measure", "sweep", "table", "reproduce"})
    EXPECT_NE(help.output.find(cmd), std::string::npos) << cmd;

  auto config = run("config --set model.n=12", tmp);
  EXPECT_EQ(config.status, 0) << config.output;
  EXPECT_NE(config.output.find("n = 12"), std::string::npos);

  auto info = run("data info" + data, tmp);
  EXPECT_EQ(info.status, 0) << info.output;
  EXPECT_NE(info.output.find("3000"), std::string::npos) << info.output;

  auto show = run("data show --rows 2 --out '" + (tmp / "pairs.png").string() + "'" + data, tmp);
  EXPECT_EQ(show.status, 0) << show.output;
  EXPECT_TRUE(std::filesystem::exists(tmp / "pairs.png"));

  auto train = run("train '" + (tmp / "run.toml").string() + "' --out '" + run_dir + "'" + data, tmp);
  EXPECT_EQ(train.status, 0) << train.output;
  EXPECT_TRUE(std::filesystem::exists(tmp / "run" / "model.pt"));

  auto measure = run("measure '" + run_dir + "' --metrics retraining,correlation" + data, tmp);
  EXPECT_EQ(measure.status, 0) << measure.output;
  EXPECT_TRUE(std::filesystem::exists(tmp / "run" / "metrics.json"));
  EXPECT_NE(measure.output.find("retraining"), std::string::npos);
  EXPECT_NE(measure.output.find("measure: caching states"), std::string::npos) << "its stages are shown";

  auto sweep = run("sweep '" + (tmp / "sweep.toml").string() + "' --out '" + sweep_dir + "' --workers 1" + data, tmp);
  EXPECT_EQ(sweep.status, 0) << sweep.output;
  EXPECT_NE(sweep.output.find("2 runs planned, 0 already done, 2 to train in 1 stack ("), std::string::npos)
      << sweep.output;
  EXPECT_NE(sweep.output.find("measuring 2 networks: retraining"), std::string::npos) << "the measures' stages are shown";
  EXPECT_NE(sweep.output.find("training estimated at about"), std::string::npos) << "an estimate before training";
  for (const char* f : {"table.csv", "networks.csv", "epochs.csv", "plan.json", "sweep.toml"})
    EXPECT_TRUE(std::filesystem::exists(tmp / "sweep" / f)) << f;

  auto table = run("table '" + sweep_dir + "' --summary", tmp);
  EXPECT_EQ(table.status, 0) << table.output;
  EXPECT_TRUE(std::filesystem::exists(tmp / "sweep" / "summary.csv"));

  auto figure = run("reproduce fig2 --sweep '" + (tmp / "sweep.toml").string() + "' --out '" + sweep_dir +
                        "' --workers 1" + data,
                    tmp);
  EXPECT_EQ(figure.status, 0) << figure.output;
  EXPECT_TRUE(std::filesystem::exists(tmp / "sweep" / "fig2.png"));
  EXPECT_NE(figure.output.find("0 trained now"), std::string::npos) << "the sweep's runs were all done already";

  auto quiet = run("--quiet sweep '" + (tmp / "sweep.toml").string() + "' --out '" + sweep_dir + "'" + data, tmp);
  EXPECT_EQ(quiet.status, 0) << quiet.output;
  EXPECT_EQ(quiet.output.find("runs planned"), std::string::npos) << quiet.output;

  // The tables as pandas reads them (Debian's Python, where scripts/setup.sh installs pandas).
  if (std::system("/usr/bin/python3 -c 'import pandas' 2>/dev/null") != 0)
    GTEST_SKIP() << "no pandas for /usr/bin/python3 (bash scripts/setup.sh installs python3-pandas)";
  const int pandas = std::system(("/usr/bin/python3 '" MODSPEC_SOURCE_DIR "/tests/check_table_pandas.py' '" + sweep_dir +
                                  "' > '" + (tmp / "pandas.txt").string() + "' 2>&1")
                                     .c_str());
  std::ifstream pandas_log(tmp / "pandas.txt");
  std::stringstream pandas_text;
  pandas_text << pandas_log.rdbuf();
  EXPECT_EQ(pandas, 0) << pandas_text.str();
}

TEST(Cli, BadInputIsOneLineAndANonZeroExit) {
  test::TempDir tmp;
  for (const std::string args : {"config --set model.n=0", "config --set model.q=1", "measure /nonexistent/run",
                                 "table /nonexistent/sweep", "reproduce fig2 --flavor original",
                                 "sweep /nonexistent/sweep.toml --out x"}) {
    const Result r = run(args, tmp);
    EXPECT_NE(r.status, 0) << args;
    EXPECT_EQ(lines(r.output), 1) << args << ": " << r.output;
  }
  EXPECT_NE(run("no-such-command", tmp).status, 0);
}

// docs/ARCHITECTURE.md, "Two programs": the front program starts without LibTorch, hands the
// commands that run networks to modspec-compute with their arguments, and ends a rerun of a
// finished sweep by itself.
TEST(Cli, TheFrontProgramLoadsNoLibTorch) {
  test::TempDir tmp;
  const Result libraries = run_shell("ldd '" MODSPEC_BINARY "'", tmp);
  ASSERT_EQ(libraries.status, 0) << libraries.output;
  // Library names only: a load address may well hold "c10".
  EXPECT_EQ(libraries.output.find("libtorch"), std::string::npos) << libraries.output;
  EXPECT_EQ(libraries.output.find("libc10"), std::string::npos) << libraries.output;
  const auto compute_program = std::filesystem::path(MODSPEC_BINARY).parent_path() / "modspec-compute";
  const Result compute = run_shell("ldd '" + compute_program.string() + "'", tmp);
  EXPECT_NE(compute.output.find("libtorch"), std::string::npos) << "the test would pass with any program";
}

TEST(Cli, TheFrontHandsTheComputeCommandsOverWithTheirArguments) {
  test::TempDir tmp;
  // `train --help` is the compute program's help, which lists the command's own options.
  const Result help = run("train --help", tmp);
  EXPECT_EQ(help.status, 0) << help.output;
  EXPECT_NE(help.output.find("--measure"), std::string::npos) << help.output;
  const Result show_help = run("data show --help", tmp);
  EXPECT_NE(show_help.output.find("--rows"), std::string::npos) << show_help.output;
  // A bad option after a handed-over command is the compute program's usage error.
  const Result bad = run("train --no-such-option x.toml", tmp);
  EXPECT_EQ(bad.status, 2) << bad.output;
  EXPECT_EQ(lines(bad.output), 1) << bad.output;
  EXPECT_NE(bad.output.find("--no-such-option"), std::string::npos) << bad.output;
}

TEST(Cli, ARerunOfAFinishedSweepNeedsNoComputeProgram) {
  test::TempDir tmp;
  const std::string data = " --data-dir '" + test::synthetic_data_dir().string() + "'";
  {
    std::ofstream sweep(tmp / "sweep.toml");
    sweep << "seeds = [0]\n[base]\nmodel.n = 8\ntrain.epochs = 1\nmetrics.readout_epochs = 1\n"
             "metrics.null_repeats = 0\nmetrics.measures = [\"retraining\"]\n[axes]\n\"model.p_s\" = [1, 64]\n";
  }
  const std::string sweep_args = "sweep '" + (tmp / "sweep.toml").string() + "' --out '" + (tmp / "out").string() + "'";
  const Result first = run(sweep_args + " --workers 1" + data, tmp);
  ASSERT_EQ(first.status, 0) << first.output;
  // The front program alone, without modspec-compute beside it.
  std::filesystem::create_directories(tmp / "alone");
  std::filesystem::copy_file(MODSPEC_BINARY, tmp / "alone" / "modspec");
  const std::string alone = "'" + (tmp / "alone" / "modspec").string() + "' ";
  std::filesystem::remove(tmp / "out" / "table.csv");
  const Result rerun = run_shell(alone + sweep_args + data, tmp);
  EXPECT_EQ(rerun.status, 0) << rerun.output;
  EXPECT_NE(rerun.output.find("2 runs planned, 2 already done, 0 to train"), std::string::npos) << rerun.output;
  EXPECT_NE(rerun.output.find("0 trained"), std::string::npos) << rerun.output;
  EXPECT_TRUE(std::filesystem::exists(tmp / "out" / "table.csv")) << "the table is written again";
  EXPECT_EQ(run_shell(alone + "table '" + (tmp / "out").string() + "'", tmp).status, 0);
  // With a run left to train, the sweep is the compute program's: here a one-line error naming it.
  const Result more = run_shell(alone + sweep_args + " --set train.epochs=2" + data, tmp);
  EXPECT_EQ(more.status, 1) << more.output;
  EXPECT_EQ(lines(more.output), 1) << more.output;
  EXPECT_NE(more.output.find("modspec-compute"), std::string::npos) << more.output;
  const Result train = run_shell(alone + "train --help", tmp);
  EXPECT_EQ(train.status, 1) << train.output;
  EXPECT_NE(train.output.find("modspec-compute"), std::string::npos) << train.output;
}

}  // namespace
}  // namespace modspec

#include <iostream>

#include "cli/commands.hpp"
#include "cli/sweep_launch.hpp"
#include "config/toml_file.hpp"

namespace modspec::cli {

void add_sweep_commands(CLI::App& app) {
  auto* sweep = app.add_subcommand(
      "sweep",
      "train and measure every run of a sweep file (resumable; `mpirun -n N modspec sweep ...` shares it among N ranks)");
  auto file = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  auto options = std::make_shared<LaunchOptions>();
  sweep->add_option("sweep_file", *file, "sweep TOML file")->required();
  sweep->add_option("--out", *out, "sweep directory (runs in OUT/runs/<hash>, table in OUT/table.csv)")->required();
  options->add_to(*sweep, true);
  sweep->callback([file, out, options]() {
    const SweepSpec spec = options->read_sweep(read_text_file(*file, "sweep file"), *file);
    SweepReport r;
    const bool writer = launch_sweep(spec, *out, options->parsed(), r);
    std::cout << "sweep: " << r.runs << " runs in this share, " << r.skipped << " already done, " << r.trained
              << " trained in " << r.seconds << " s\n";
    if (writer) std::cout << "table: " << write_sweep_table(*out).string() << "\n";
  });

  auto* table = app.add_subcommand("table", "assemble a sweep directory's tidy CSVs (DIR/table.csv, networks.csv, epochs.csv)");
  auto dir = std::make_shared<std::string>();
  auto summary = std::make_shared<bool>(false);
  auto bootstrap = std::make_shared<bool>(false);
  auto all_runs = std::make_shared<bool>(false);
  auto strict = std::make_shared<bool>(false);
  table->add_option("dir", *dir, "sweep directory")->required();
  table->add_flag("--strict", *strict,
                  "fail, writing nothing, when a run is unreadable (a file missing, cut short or damaged), unmeasured "
                  "or not trained yet (without it they are listed on stderr and left out or left empty)");
  table->add_flag("--all", *all_runs,
                  "include every finished run of DIR/runs, also those DIR/plan.json does not list (earlier sweeps)");
  table->add_flag("--summary", *summary,
                  "also write DIR/summary.csv: F over the seeds of every axis point, metric, starts and step, with its "
                  "mean, standard deviation and 95% confidence interval (Student's t)");
  table->add_flag("--bootstrap", *bootstrap, "with --summary: a percentile bootstrap interval instead of Student's t");
  table->callback([dir, summary, bootstrap, all_runs, strict]() {
    std::cout << write_sweep_table(*dir, *all_runs, *strict).string() << "\n";
    if (*summary || *bootstrap) std::cout << write_sweep_summary(*dir, *bootstrap).string() << "\n";
  });
}

}  // namespace modspec::cli

#include <iostream>

#include "cli/command_list.hpp"
#include "cli/commands.hpp"
#include "sweep/summary.hpp"
#include "sweep/table.hpp"

namespace modspec::cli {

void add_table_command(CLI::App& app) {
  auto* table = add_command(app, "table");
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

// `modspec table DIR`: the tidy CSVs of a sweep directory (README, "The table"):
//   table.csv     one row per run x metric x starts x step x module: the run's axis values
//                 (axis_<key>), every configuration key whose value differs among the runs
//                 (cfg_<key>), n, p, p_s, covariance c, seed, Q (analytic and measured),
//                 accuracies, each digit's raw measure, base and normalised measure, F^m and F with
//                 its baselines;
//   networks.csv  one row per run x metric x starts x step: the same run columns with F and its
//                 baselines, so that F is not repeated per module;
//   epochs.csv    every run's learning curve (its epochs.csv) under the run columns.
// Column names hold no dots (model.p_s -> axis_model_p_s); `starts` is "all" for the rows over all
// test tuples, else the start steps of a group ("1;3"). Plain CSV (fields quoted only when they
// hold a comma or a quote) that pandas and R read as they are.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "util/csv.hpp"

namespace modspec {

struct SweepTables {
  Table table, networks, epochs;
  int64_t not_in_plan = 0;  // finished run directories left out because OUT/plan.json does not list them
  // Runs that are in none of the tables, each as "NAME: why" (a file missing, cut short, not
  // parseable or not matching its recorded SHA-256): the tables never hold a number not read.
  std::vector<std::string> unreadable;
  // Runs in the tables without measures (trained, metrics.json missing) while others have them:
  // their measure fields are empty.
  std::vector<std::string> unmeasured;
  int64_t unfinished = 0;  // planned runs not yet trained
};

// Reads the runs OUT/plan.json lists that have finished training (every run of runs/ when
// `all_runs` or when there is no plan.json); runs without measures give rows with empty measure
// fields.
SweepTables sweep_tables(const std::filesystem::path& dir, bool all_runs = false);
inline Table sweep_table(const std::filesystem::path& dir, bool all_runs = false) {
  return sweep_tables(dir, all_runs).table;
}

// Writes OUT/table.csv, OUT/networks.csv and OUT/epochs.csv atomically and returns the table's
// path. Every run left out or incomplete is reported on stderr (run directories that OUT/plan.json
// does not list with a warning naming how many, unless `all_runs`); with `strict` any is an Error.
std::filesystem::path write_sweep_table(const std::filesystem::path& dir, bool all_runs = false, bool strict = false);

// A table column for a configuration key: prefix + key with its dots made underscores
// ("axis_", "model.p_s" -> "axis_model_p_s").
std::string key_column(const std::string& prefix, const std::string& key);

}  // namespace modspec

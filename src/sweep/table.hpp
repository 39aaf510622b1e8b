// `modspec table DIR`: one tidy CSV of a sweep directory, one row per run x metric x step x
// module, with the run's axis values, n, p, p_s, covariance c, seed, Q (analytic and measured),
// accuracies, the normalised measure of each digit, F^m and F. With env.random_start there are
// also rows per start-time group (column `starts`, e.g. "1;3"; empty for all test tuples).
// Plain CSV (fields quoted only when they hold a comma or a quote) that pandas and R read as
// they are.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

namespace modspec {

struct Table {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
  // The column index of a name, or throws.
  size_t column(const std::string& name) const;
  bool has(const std::string& name) const;
};

// Reads every finished run under dir/runs; runs without metrics give rows with empty metric fields.
Table sweep_table(const std::filesystem::path& dir);

std::string to_csv(const Table& table);
Table read_csv(const std::filesystem::path& file);

}  // namespace modspec

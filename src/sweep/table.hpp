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

#include "util/csv.hpp"

namespace modspec {

// Reads every finished run under dir/runs; runs without metrics give rows with empty metric fields.
Table sweep_table(const std::filesystem::path& dir);


}  // namespace modspec

// `modspec table DIR --summary`: summary.csv, the network specialization F of a sweep over its
// seeds, one row per point (every axis but the seed, and every cfg_ column of a key that differs
// among the runs but model.seed) x metric x starts x step:
//   seeds      runs whose F entered the statistics
//   excluded   runs left out because a value behind their F says nothing (informative = 0)
//   mean, sd   over those runs (sd: sample standard deviation; empty for one run)
//   ci_low, ci_high, ci   the 95% confidence interval of the mean and how it was made: "t"
//              (Student's t, n - 1 degrees of freedom) or "bootstrap" (percentile, 10,000
//              resamples); empty for one run
//   null_mean  the mean over those runs of their permutation null's mean F (empty without one)
//   untrained  the mean over those runs of their untrained network's F (empty unless measured)
#pragma once
#include <filesystem>

#include "sweep/table.hpp"

namespace modspec {

Table sweep_summary(const Table& table, bool bootstrap);

// OUT/summary.csv from OUT/table.csv, written atomically; returns its path.
std::filesystem::path write_sweep_summary(const std::filesystem::path& dir, bool bootstrap);

}  // namespace modspec

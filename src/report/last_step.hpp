// What the sweep figures plot: each measured run of a sweep table at its last time step (the
// decision step), with network specialization F per metric.
#pragma once
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "sweep/table.hpp"

namespace modspec {

struct RunAtLastStep {
  std::vector<std::string> row;             // one of the run's table rows, for its other columns
  std::map<std::string, double> f;          // metric -> F at the last step, where informative
  std::map<std::string, double> null_mean;  // metric -> its permutation null's mean F (NaN without one)
  std::map<std::string, int64_t> excluded;  // metric -> 1 where F is not informative (left out of f)
};

// Throws an Error when no run of the table is measured.
std::vector<RunAtLastStep> runs_at_last_step(const Table& table);

// The measures a table holds, in measure_names() order.
std::vector<std::string> table_metrics(const Table& table);

// The pictures of a per-step or heatmap figure: "mean" (of the table's measures), then each measure.
std::vector<std::string> figure_metrics(const Table& table);

// The mean of the values, NaN for none.
double mean_of(const std::vector<double>& values);

}  // namespace modspec

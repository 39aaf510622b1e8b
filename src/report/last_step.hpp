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
  std::vector<std::string> row;     // one of the run's table rows, for its other columns
  std::map<std::string, double> f;  // metric -> F at the last step
};

// Throws an Error when no run of the table is measured.
std::vector<RunAtLastStep> runs_at_last_step(const Table& table);

// The pictures of a per-step or heatmap figure: "mean" (of the three measures), then each measure.
std::vector<std::string> figure_metrics();

// Mean and sample standard deviation (0 for one value, NaN for none).
std::pair<double, double> mean_std(const std::vector<double>& values);

}  // namespace modspec

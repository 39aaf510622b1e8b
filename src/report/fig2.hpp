// Fig. 2 of the paper: network specialization F at the last step against structural modularity
// Q (analytic) and against the inter-module fraction p (log axis), one column per measure the
// sweep holds, the mean over seeds with its 95% confidence interval (Student's t; a point with one
// seed has none) and the permutation null's mean as a dashed line. Runs whose F is not
// informative (informative = 0) are left out and counted. Drawn from a sweep table; the figure
// directory keeps fig2.csv and fig2.gp beside fig2.png and fig2.svg.
#pragma once
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "sweep/table.hpp"

namespace modspec {

struct Fig2Point {
  double p = 0, q = 0;
  std::map<std::string, std::vector<double>> f;     // metric -> F of each seed, where informative
  std::map<std::string, std::vector<double>> null;  // metric -> each seed's null mean F
  std::map<std::string, int64_t> excluded;          // metric -> seeds left out (not informative)
};

std::vector<Fig2Point> fig2_points(const Table& table);
// `metrics`: the columns, in order (table_metrics of the table).
void draw_fig2(const std::vector<Fig2Point>& points, const std::vector<std::string>& metrics,
               const std::filesystem::path& dir);
// A fixed-width table of mean F [95% interval] against p, one column per measure.
std::string fig2_text(const std::vector<Fig2Point>& points, const std::vector<std::string>& metrics);

}  // namespace modspec

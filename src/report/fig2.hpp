// Fig. 2 of the paper: network specialization F at the last step against structural modularity
// Q (analytic) and against the inter-module fraction p (log axis), one column per metric, mean
// and standard deviation over seeds. Drawn from a sweep table; the figure directory keeps
// fig2.dat and fig2.gp beside fig2.png and fig2.svg.
#pragma once
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "sweep/table.hpp"

namespace modspec {

struct Fig2Point {
  double p = 0, q = 0;
  std::map<std::string, std::vector<double>> f;  // metric -> F of each seed
};

std::vector<Fig2Point> fig2_points(const Table& table);
void draw_fig2(const std::vector<Fig2Point>& points, const std::filesystem::path& dir);
// A fixed-width table of mean F against p for the three metrics.
std::string fig2_text(const std::vector<Fig2Point>& points);

}  // namespace modspec

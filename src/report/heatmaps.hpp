// Fig. 3 and Fig. 5 of the paper: heatmaps of network specialization F (last step, mean over
// seeds) over inter-module synapses p_s (x) and module size n (y); one panel per input
// covariance c, one row of panels per network variant. A variant is the architecture together
// with every other axis of the sweep but n, p, p_s, c and the seed (Fig. 5: bottleneck and
// datasets). The figure directory keeps NAME.csv and NAME.gp beside the images: NAME.png/.svg
// show the mean of the measures, NAME-<metric>.png/.svg each measure alone.
#pragma once
#include <array>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "sweep/table.hpp"

namespace modspec {

struct Heatmaps {
  std::vector<std::string> variants;  // panel rows, in the sweep's order
  std::vector<double> covariances;    // panel columns, ascending
  std::vector<int64_t> ns, p_ss;      // every panel's y and x values, ascending
  // Keys (variant, c, n, p_s) as indices into the vectors above; value: F of each seed.
  using Cell = std::array<size_t, 4>;
  std::map<std::string, std::map<Cell, std::vector<double>>> f;  // metric ("mean" too) -> cell -> F per seed
  std::vector<std::string> metrics;  // the pictures: "mean", then each measure the sweep holds
};

Heatmaps heatmaps_from(const Table& table);
void draw_heatmaps(const Heatmaps& maps, const std::filesystem::path& dir, const std::string& name);
// The mean-of-measures F as text: per variant and c, a grid of n (rows) x p_s (columns).
std::string heatmaps_text(const Heatmaps& maps);

}  // namespace modspec

// The data of Fig. 4 (report/fig4.hpp): a sweep table gathered into the figure's panels, each
// module's own-digit specialization and the network's F per (panel, p_s, measure, step), over seeds.
#pragma once
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "util/csv.hpp"

namespace modspec {

enum class Fig4Panel { a, b, c };

struct Fig4Condition {
  std::string title;
  std::vector<int64_t> comms;        // A: steps with communication
  int64_t start0 = -1, start1 = -1;  // C: start steps of digits 0 and 1
  // (p_s, module, metric, step) -> own-digit specialization of each seed
  std::map<std::tuple<int64_t, int64_t, std::string, int64_t>, std::vector<double>> own;
  // (p_s, metric, step) -> network specialization F of each seed
  std::map<std::tuple<int64_t, std::string, int64_t>, std::vector<double>> network;
};

struct Fig4Data {
  Fig4Panel which = Fig4Panel::a;
  std::string name;                        // "fig4a", "fig4b" or "fig4c"
  std::vector<Fig4Condition> panels;       // in the figure's order
  std::vector<int64_t> p_ss;               // ascending
  int64_t last_step = 0;
  std::vector<std::string> measures;       // the table's measures
  std::vector<std::string> pictures;       // "mean", then each measure

  // Means over seeds, NaN where no run is; "mean" averages the means of the measures the step has
  // (the weight masks are measured at the last step only).
  double own(const Fig4Condition& panel, int64_t p_s, int64_t module, const std::string& metric, int64_t step) const;
  double network(const Fig4Condition& panel, int64_t p_s, const std::string& metric, int64_t step) const;
};

// Throws an Error when the table has no measured run of that part (C: no start-time groups) or
// holds networks of more than two modules.
Fig4Data fig4_data(Fig4Panel which, const Table& table);

}  // namespace modspec

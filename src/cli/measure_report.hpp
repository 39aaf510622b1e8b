// The compact table of F per metric and step that `measure` and `train --measure` print.
#pragma once
#include <iomanip>
#include <map>
#include <ostream>

#include "metrics/measure.hpp"

namespace modspec::cli {

inline void print_specialization(std::ostream& out, const NetworkMetrics& m) {
  std::map<std::string, std::vector<const SpecializationRow*>> by_metric;
  for (const auto& s : m.specialization)
    if (s.starts == kAllTuples) by_metric[s.metric].push_back(&s);
  out << std::fixed << std::setprecision(3) << "specialization F by step over all test tuples (F^m per module):\n";
  for (const auto& [metric, rows] : by_metric) {
    out << "  " << std::left << std::setw(12) << metric << std::right;
    for (const auto* r : rows) {
      out << "  t" << r->step << " " << r->network << " (";
      for (size_t i = 0; i < r->module.size(); ++i) out << (i ? " " : "") << std::showpos << r->module[i] << std::noshowpos;
      out << ")";
    }
    out << "\n";
  }
}

}  // namespace modspec::cli

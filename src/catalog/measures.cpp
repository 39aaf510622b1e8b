#include "catalog/measures.hpp"

#include "util/error.hpp"

namespace modspec {

const std::vector<MeasureInfo>& measure_catalog() {
  static const std::vector<MeasureInfo> measures{
      {"retraining", "test accuracy of a readout trained on one module's state (paper 2.4)", false, true},
      {"ablation", "the accuracy an all-module readout loses when one module is silenced (paper 2.4)", false, true},
      {"correlation", "state correlation of tuples that share one digit, against random pairs (paper 2.4)", false, true},
      {"masks", "where a weight mask trained for one digit keeps its weights (2021 paper; last step, costly)", true,
       false},
  };
  return measures;
}

std::vector<std::string> measure_names() {
  std::vector<std::string> names;
  for (const auto& m : measure_catalog()) names.push_back(m.name);
  return names;
}

std::vector<std::string> default_measures() {
  std::vector<std::string> names;
  for (const auto& m : measure_catalog())
    if (m.by_default) names.push_back(m.name);
  return names;
}

const MeasureInfo& find_measure(const std::string& name) {
  for (const auto& m : measure_catalog())
    if (m.name == name) return m;
  std::string known;
  for (const auto& n : measure_names()) known += (known.empty() ? "" : ", ") + n;
  throw Error("unknown measure '" + name + "' (known: " + known + ")");
}

}  // namespace modspec

// The measures of specialization a configuration can name (metrics.measures). The catalog is the
// one list: the configuration schema takes its allowed values, documentation and default from it,
// and metrics/measure_registry.cpp holds an implementation for each entry (a test checks that
// every entry has one). docs/ARCHITECTURE.md, "Extending modspec", adds one.
#pragma once
#include <string>
#include <vector>

namespace modspec {

struct MeasureInfo {
  std::string name;
  std::string doc;              // one line
  bool last_step_only = false;  // measured at the decision step only (the weight masks)
  bool by_default = true;       // in metrics.measures' default list
};

const std::vector<MeasureInfo>& measure_catalog();
std::vector<std::string> measure_names();     // every measure, in the catalog's order
std::vector<std::string> default_measures();  // metrics.measures' default
// Throws an Error naming the measure and the known ones.
const MeasureInfo& find_measure(const std::string& name);

// The `starts` of a measure's rows over all test tuples (metrics/measure.hpp).
inline constexpr const char* kAllTuples = "all";

}  // namespace modspec

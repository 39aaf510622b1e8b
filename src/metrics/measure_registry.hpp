// The implementation of every measure of catalog/measures.hpp, by name.
#pragma once
#include <memory>
#include <string>

#include "metrics/measure_context.hpp"

namespace modspec {

// A fresh implementation of the named measure; throws an Error for a name without one.
std::unique_ptr<MeasureImpl> make_measure(const std::string& name);

// Each measure's maker, defined in metrics/measures/<name>.cpp.
std::unique_ptr<MeasureImpl> make_retraining();
std::unique_ptr<MeasureImpl> make_ablation();
std::unique_ptr<MeasureImpl> make_correlation();
std::unique_ptr<MeasureImpl> make_masks();

}  // namespace modspec

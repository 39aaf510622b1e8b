#include "metrics/measure_registry.hpp"

#include <functional>
#include <map>

#include "catalog/measures.hpp"
#include "util/error.hpp"

namespace modspec {

std::unique_ptr<MeasureImpl> make_measure(const std::string& name) {
  static const std::map<std::string, std::function<std::unique_ptr<MeasureImpl>()>> makers{
      {"retraining", make_retraining},
      {"ablation", make_ablation},
      {"correlation", make_correlation},
      {"masks", make_masks},
  };
  find_measure(name);  // an unknown name is the user's error, named as such
  auto it = makers.find(name);
  if (it == makers.end()) throw Error("internal: measure '" + name + "' has no implementation");
  return it->second();
}

}  // namespace modspec

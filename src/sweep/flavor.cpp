#include "sweep/flavor.hpp"

#include "util/error.hpp"

namespace modspec {

Flavor flavor_named(const std::string& name) {
  if (name == "described") return Flavor::described;
  if (name == "published") return Flavor::published;
  throw Error("flavor '" + name + "' (allowed: described, published)");
}

void apply_flavor(Config& config, Flavor flavor) {
  if (flavor == Flavor::described) return;
  config.set_value("metrics.formula", std::string("ratio"));
  config.set_value("metrics.correlation_pairs", std::string("same_label"));
  config.set_value("metrics.retraining_readout", std::string("shared_over_steps"));
  config.set_value("model.recurrence", std::string("two_rnn"));
  config.set_value("model.init", std::string("original"));
  if (config.string("env.task") == "parity") config.set_value("env.targets", std::vector<std::string>{"T1", "T1"});
  if (architecture_of(config) == "fused") config.set_value("model.readout", std::string("blockdiag"));
}

void apply_flavor(SweepSpec& sweep, Flavor flavor) {
  for (auto& point : sweep.points) apply_flavor(point.config, flavor);
  sweep.flavor = flavor == Flavor::published ? "published" : "described";
}

}  // namespace modspec

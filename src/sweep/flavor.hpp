// Two ways to reproduce the paper's figures (`modspec reproduce --flavor`):
//   described  what the paper's text says (the configuration defaults);
//   published  what its authors' code did to make the published figures: on every run of the sweep
//              metrics.formula = "ratio", metrics.correlation_pairs = "same_label",
//              metrics.retraining_readout = "shared_over_steps", model.recurrence = "two_rnn",
//              model.init = "original", the parity task's targets env.targets = ["T1", "T1"], and
//              fused pathways (separate inputs, shared readout) read out through the masked
//              common readout, model.readout = "blockdiag".
// README, "Differences from the original implementation", gives each difference and its measured
// effect.
#pragma once
#include <string>

#include "config/config.hpp"
#include "sweep/sweep_spec.hpp"

namespace modspec {

enum class Flavor { described, published };

// "described" or "published"; throws naming the value otherwise.
Flavor flavor_named(const std::string& name);

// Sets the flavour's keys on one configuration (described: nothing).
void apply_flavor(Config& config, Flavor flavor);
void apply_flavor(SweepSpec& sweep, Flavor flavor);

}  // namespace modspec

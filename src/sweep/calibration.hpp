// A sweep's training time, estimated before it starts: a few optimizer steps of its costliest
// stack are timed on this machine, now (so the estimate carries the machine's present load), and
// scaled to every stack by its cost (networks x module size) and epochs. The progress line's ETA
// corrects it as the sweep goes; the measures are not included.
#pragma once
#include <cstdint>
#include <vector>

#include "config/config.hpp"
#include "env/environment.hpp"
#include "model/architecture.hpp"

namespace modspec {

// Seconds of one optimizer step of the stack of `specs` configured by `config` (median of 3
// timed steps after one untimed), on the CPU.
double calibrate_step_seconds(const Environment& env, const Config& config, const std::vector<NetworkSpec>& specs);

}  // namespace modspec

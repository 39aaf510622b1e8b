// One training step's loss on rows of a table, read the cheapest way the stack and the
// presentation allow: static tuples from their pixels off the background (Environment::foreground,
// no batch of pixels; docs/ARCHITECTURE.md, performance principle 7), anything else from its batch
// of pixels. The trainer, the sweep's step calibration and bench_train all step through it.
#pragma once
#include <cstdint>
#include <torch/torch.h>

#include "env/environment.hpp"
#include "model/modular_rnn.hpp"

namespace modspec {

// Each network's loss [K] on rows [begin, end) of `table`, drawn from `split`; noise_seed drives a
// dynamic presentation (Environment::batch).
torch::Tensor batch_loss(ModularRNNImpl& stack, const Environment& env, const PairTable& table, Split split,
                         int64_t begin, int64_t end, uint64_t noise_seed);

}  // namespace modspec

// Frozen networks are run once (docs/ARCHITECTURE.md, performance principle 3): the hidden state of every module at
// every step, for every tuple of a table, cached for the readouts and correlations.
#pragma once
#include <torch/torch.h>
#include <vector>

#include "env/environment.hpp"
#include "model/modular_rnn.hpp"

namespace modspec {

// One network's states: [T, M, N_samples, n] (n = that network's own module size).
using StateCache = std::vector<torch::Tensor>;  // one per network of the stack

// noise_epoch picks the noise (and the random start times) of dynamic presentations, so two
// runs over the same table can share it. Returns one cache per network of the stack, on the
// CPU; `starts`, when given, receives each tuple's start step per stimulus [N_samples, S].
// `noise_source`: see Environment::batch. `projection`, when given and the presentation is static,
// receives the stack's input projection of every tuple (ModularRNN::project), tuple-major
// [N_samples, M*K, G*N] on the stack's device so that a batch of any rows is read row by row:
// the weight masks read it instead of projecting again.
StateCache cache_states(ModularRNNImpl& stack, const Environment& env, const PairTable& table, Split split,
                        uint64_t noise_epoch, torch::Tensor* starts = nullptr, const PairTable* noise_source = nullptr,
                        torch::Tensor* projection = nullptr);

}  // namespace modspec

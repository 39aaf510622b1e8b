// Training every readout of one network's measures together on its cached states, in one
// batched pass (metrics/readout_stack.hpp), and recording which test tuples each one answers.
// A readout's value is that of the first epoch at which its test accuracy reaches
// metrics.readout_stop (a readout shared over steps: its mean over the steps), else of the last.
#pragma once
#include <cstdint>
#include <torch/torch.h>

#include "metrics/readout_stack.hpp"

namespace modspec {

// Which test tuples each readout classifies correctly, at the epoch its value is taken from.
struct ReadoutCorrect {
  torch::Tensor retraining;  // [T*M*S, N_test], readout (t, m, k) at (t*M + m)*S + k
  torch::Tensor full;        // [T*S, N_test],   readout (t, k) at t*S + k, on all modules
  torch::Tensor ablated;     // [M, T*S, N_test] the same with module m's input zeroed
};

// train, test: one network's cached states [T, M, N, n]; y_train, y_test: digits [N, S]; C classes.
// `ablation` also trains the all-module readouts and evaluates them with each module zeroed.
ReadoutCorrect train_readouts(const torch::Tensor& train, const torch::Tensor& test, const torch::Tensor& y_train,
                              const torch::Tensor& y_test, int64_t C, const ReadoutSettings& settings, bool ablation,
                              bool shared_over_steps);

}  // namespace modspec

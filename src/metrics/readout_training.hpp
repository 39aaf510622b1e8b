// Training every readout of one network's measures together on its cached states, in one
// batched pass (metrics/readout_stack.hpp), and recording which test tuples each one answers.
// A readout's value is that of the first epoch at which its test accuracy reaches
// metrics.readout_stop (a readout shared over steps: its mean over the steps), else of the last.
#pragma once
#include <cstdint>
#include <torch/torch.h>
#include <vector>

#include "metrics/readout_stack.hpp"

namespace modspec {

// Which test tuples each readout classifies correctly, at the epoch its value is taken from.
struct ReadoutCorrect {
  torch::Tensor retraining;  // [T*M*S, N_test], readout (t, m, k) at (t*M + m)*S + k
  torch::Tensor full;        // [T*S, N_test],   readout (t, k) at t*S + k, on all modules
  torch::Tensor ablated;     // [M, T*S, N_test] the same with module m's input zeroed
};

// The labels the readouts learn: the digits [N_train, S] and [N_test, S] of the tuples, or (for
// the permutation null) the same digits shuffled across tuples.
struct ReadoutLabels {
  torch::Tensor train, test;
};

// train, test: one network's cached states [T, M, N, n]; C classes. One ReadoutCorrect per label
// set, all trained together in one batched pass; the readouts of label set c start from seeds of
// their own, so adding label sets never moves the first set's results. `ablation` also trains the
// all-module readouts and evaluates them with each module zeroed.
std::vector<ReadoutCorrect> train_readouts(const torch::Tensor& train, const torch::Tensor& test,
                                           const std::vector<ReadoutLabels>& labels, int64_t C,
                                           const ReadoutSettings& settings, bool ablation, bool shared_over_steps);

}  // namespace modspec

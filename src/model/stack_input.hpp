// One batch of a table's rows as a stack reads them (docs/ARCHITECTURE.md, performance
// principle 7): on a CPU stack of float weights, tuples of mostly-background images by their pixels
// off the background, with a dynamic presentation's noise as the pixels it keeps off the background
// (Environment::foreground, no batch of pixels); anything else as its batch of pixels on the
// stack's device (Environment::batch). Both show the same noise for the same seed. Training steps,
// test accuracy, the measures' states and the weight masks all read their rows through it, so the
// choice is made here alone.
#pragma once
#include <cstdint>
#include <optional>
#include <torch/torch.h>

#include "env/environment.hpp"
#include "model/modular_rnn.hpp"

namespace modspec {

class StackInput {
 public:
  // Rows [begin, end) of `table`, drawn from `split`; noise_seed (and noise_source's rows, when
  // given) drive a dynamic presentation as in Environment::batch.
  StackInput(const ModularRNNImpl& stack, const Environment& env, const PairTable& table, Split split, int64_t begin,
             int64_t end, uint64_t noise_seed, const PairTable* noise_source = nullptr);

  int64_t size() const { return size_; }
  const torch::Tensor& targets() const { return targets_; }  // [B, n_targets] int64, on the stack's device
  const torch::Tensor& starts() const { return starts_; }    // [B, S] int64, each stimulus's start step

  // The stack's input projection [M*K, G*N, T*B] (ModularRNN::project), its forward and its
  // training loss [K] on these rows.
  torch::Tensor project(const ModularRNNImpl& stack) const;
  ForwardResult forward(ModularRNNImpl& stack) const;
  torch::Tensor loss(ModularRNNImpl& stack) const;

 private:
  int64_t size_ = 0;
  std::optional<ForegroundBatch> foreground_;
  torch::Tensor x_;  // [S, T, B, P] on the stack's device, where there is no foreground batch
  torch::Tensor targets_, starts_;
};

}  // namespace modspec

// The read-out end of a stack: separate readouts with the competitive max decision, and the
// training loss read from the decisions. Layouts as in modular_rnn.hpp (M modules, K networks,
// H = bottleneck width or padded n, B batch, Ctot classes summed over targets, J targets):
//   z        [M*K, H, B]       what the readouts see (the last state, or the bottleneck's output)
//   w_out    [M*K, Ctot, H]
//   b_out    [M*K, 1, Ctot]
//   targets  [B, J]            int64 class per target
#pragma once
#include <torch/torch.h>
#include <vector>

namespace modspec {

struct Decisions {
  std::vector<torch::Tensor> logits;   // per target [K, B, C_j]: the deciding module's outputs
  std::vector<torch::Tensor> decider;  // per target [K, B] int64: the module that decided
};

// Each module reads out all targets; per target, the module whose output holds the largest value
// decides (paper 2.1).
Decisions competitive_decisions(const torch::Tensor& z, const torch::Tensor& w_out, const torch::Tensor& b_out,
                                int64_t modules, const std::vector<int64_t>& classes);

// The original implementation's masked "common readout" (model.readout = "blockdiag"): per
// target j, module m's C_j outputs fill block m of one softmax over M*C_j logits, laid out
// [module 0's C_j, module 1's C_j, ...]; the targets (0..C_j-1) index module 0's block and no
// max decision is taken, so a tuple is answered correctly only when module 0's block holds the
// largest logit at the target, and the cross-entropy's gradient on every other module's logits is
// its softmax probability (>= 0): those logits are only ever pushed down. logits per target
// [K, B, M*C_j]; decider [K, B]: the module whose block holds the largest logit.
Decisions blockdiag_decisions(const torch::Tensor& z, const torch::Tensor& w_out, const torch::Tensor& b_out,
                              int64_t modules, const std::vector<int64_t>& classes);

// Per network: cross-entropy summed over the targets, each averaged over the batch. logits per
// target [K, B, C_j]; targets [B, n_targets] for every network, or [K, B, n_targets] with labels
// of each network's own (the weight masks' replicas); returns [K].
torch::Tensor stack_loss(const std::vector<torch::Tensor>& logits, const torch::Tensor& targets);

// stack_loss(competitive_decisions(...).logits, targets). On the CPU in float it is one autograd
// node with a hand-written backward (readout products, decision, softmax and their gradients);
// elsewhere it is that expression.
torch::Tensor competitive_loss(const torch::Tensor& z, const torch::Tensor& w_out, const torch::Tensor& b_out,
                               int64_t modules, const std::vector<int64_t>& classes, const torch::Tensor& targets);

}  // namespace modspec

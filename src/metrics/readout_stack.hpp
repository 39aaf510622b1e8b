// Independent readouts Linear(d, hidden)-ReLU-Linear(hidden, C), as in the original
// implementation, trained together on cached states by the fused kernels of
// runtime/mlp_kernels.hpp (one loss-and-gradient pass and one AdamW update per step, no autograd).
//
// Layout: L label sets x G inputs x Q readouts. The Q readouts of an input read the same rows
// (e.g. one module at one step) for Q different digits; a label set is one set of targets for
// every readout (the measure's own digits, or a shuffled copy for the permutation null). Readout
// (c, g, q) is r = (c*G + g)*Q + q. Label set c's readouts start from a seed of their own,
// blocks[c], and are computed apart from the others, so adding label sets never moves the
// first set's results.
#pragma once
#include <cstdint>
#include <memory>
#include <torch/torch.h>
#include <vector>

#include "optim/adamw.hpp"

namespace modspec {

struct ReadoutSettings {
  int64_t hidden = 30;
  int64_t epochs = 3;
  double stop_accuracy = 0.95;  // a readout's value is taken at the first epoch it reaches this
  double lr = 1e-3;
  int64_t batch = 256;
  uint64_t seed = 0;
};

class ReadoutStack {
 public:
  // blocks.size() label sets of G*Q readouts each, set c drawn from its own seed blocks[c] in the
  // order r = g*Q + q: uniform(+-1/sqrt(fan_in)) as torch.nn.Linear.
  ReadoutStack(int64_t G, int64_t Q, const std::vector<uint64_t>& blocks, int64_t d, int64_t C,
               const ReadoutSettings& settings);

  // One Adam step on the summed loss (every readout's mean cross-entropy). x: [G, N, d] float,
  // y: [L, Q, N] int64 (label set c's targets, the same for every input).
  void train_step(const torch::Tensor& x, const torch::Tensor& y);
  // The same step on inputs already in the kernels' lanes: G blocks [d, lanes_of(N)] at xt
  // (ReadoutLayout::module_lanes).
  void train_step_lanes(const float* xt, int64_t N, const torch::Tensor& y);
  // x: [G, N, d] -> the classes every readout picks, [L, G, Q, N] int64. With ablated_blocks
  // M > 0, also with each of M equal blocks of the d inputs set to zero (a module silenced, for
  // the ablation): [1 + M, L, G, Q, N], the input as it is first (runtime/mlp_kernels.hpp,
  // mlp_predict_ablated).
  torch::Tensor predict(const torch::Tensor& x, int64_t ablated_blocks = 0) const;
  // The same on inputs already in the kernels' lanes, as train_step_lanes: the measures put the
  // test tuples in lanes once and predict them after every epoch.
  torch::Tensor predict_lanes(const float* xt, int64_t N, int64_t ablated_blocks = 0) const;

 private:
  int64_t L_, G_, Q_, d_, h_, C_;
  const float* in_lanes(const torch::Tensor& x) const;
  // Block i = c*G + g of a parameter (or of its gradient): readouts (c, g, 0..Q-1).
  float* block(const torch::Tensor& t, int64_t i) const { return t.data_ptr<float>() + i * (t.numel() / (L_ * G_)); }

  // [L*G, d, Q*h], [L*G, Q*h], [L*G*Q, h, C], [L*G*Q, C]; their grad() holds the gradients.
  torch::Tensor w1_, b1_, w2_, b2_;
  std::unique_ptr<FusedAdamW> opt_;
  mutable std::vector<float> lanes_;  // the inputs of the last step or prediction, in lanes
};

}  // namespace modspec

// R independent readouts, Linear(d, hidden)-ReLU-Linear(hidden, C) as in the original
// implementation, trained together in one batched pass on cached states. Readout r sees its own
// input rows; no readout influences another.
#pragma once
#include <cstdint>
#include <torch/torch.h>
#include <vector>

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
  ReadoutStack(int64_t readouts, int64_t in_dim, int64_t classes, const ReadoutSettings& settings);
  // blocks.size() blocks of `readouts` readouts, block b drawn from its own seed blocks[b]: a block's
  // readouts start the same whatever the other blocks (the null baselines' copies ride along
  // without moving the measure's own readouts).
  ReadoutStack(int64_t readouts, const std::vector<uint64_t>& blocks, int64_t in_dim, int64_t classes,
               const ReadoutSettings& settings);

  // x: [R, B, d] -> logits [R, B, C]
  torch::Tensor forward(const torch::Tensor& x) const;
  // Readouts [first, first + count) only: x [count, B, d] -> [count, B, C].
  torch::Tensor forward(const torch::Tensor& x, int64_t first, int64_t count) const;
  // Which samples readouts [first, first + count) classify correctly: x [count, B, d], y [count, B]
  // -> [count, B] float64 of 0 and 1 (its mean over B is the readout's accuracy).
  torch::Tensor correct(const torch::Tensor& x, const torch::Tensor& y, int64_t first, int64_t count) const;

  std::vector<torch::Tensor> parameters() const { return {w1_, b1_, w2_, b2_}; }

 private:
  torch::Tensor w1_, b1_, w2_, b2_;  // [R, d, h], [R, 1, h], [R, h, C], [R, 1, C]
};

}  // namespace modspec

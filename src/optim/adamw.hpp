// AdamW as in torch.optim.AdamW (decoupled weight decay, bias-corrected moments), fused: one
// pass over each parameter's values instead of LibTorch's ten or so tensor operations, which
// dominate a training step for small networks (K = 1: ~80 operator calls per step). Parameters
// on another device than the CPU take the same math as tensor operations.
#pragma once
#include <torch/torch.h>
#include <vector>

namespace modspec {

struct AdamWSettings {
  double lr = 1e-3;
  double weight_decay = 1e-5;
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
};

class FusedAdamW {
 public:
  FusedAdamW(std::vector<torch::Tensor> params, AdamWSettings settings);

  void zero_grad();
  void step();
  void set_lr(double lr) { settings_.lr = lr; }
  double lr() const { return settings_.lr; }

  // The first and second moments of parameter i (same shape) and the steps taken: what must
  // move with a network when its stack is repacked (train/trainer.cpp).
  torch::Tensor& exp_avg(size_t i) { return exp_avg_[i]; }
  torch::Tensor& exp_avg_sq(size_t i) { return exp_avg_sq_[i]; }
  int64_t steps() const { return steps_; }
  void set_steps(int64_t steps) { steps_ = steps; }

 private:
  std::vector<torch::Tensor> params_, exp_avg_, exp_avg_sq_;
  AdamWSettings settings_;
  int64_t steps_ = 0;
};

}  // namespace modspec

#include "optim/adamw.hpp"

#include <cmath>

#include "runtime/kernels.hpp"

namespace modspec {

FusedAdamW::FusedAdamW(std::vector<torch::Tensor> params, AdamWSettings settings)
    : params_(std::move(params)), settings_(settings) {
  for (const auto& p : params_) {
    exp_avg_.push_back(torch::zeros_like(p));
    exp_avg_sq_.push_back(torch::zeros_like(p));
  }
}

// Gradients are dropped rather than zeroed: the next backward then hands its fresh gradient
// tensors over instead of adding them to zeros.
void FusedAdamW::zero_grad() {
  for (auto& p : params_) p.mutable_grad() = torch::Tensor();
}

void FusedAdamW::step() {
  torch::NoGradGuard no_grad;
  ++steps_;
  const auto& s = settings_;
  const double bc1 = 1 - std::pow(s.beta1, double(steps_)), bc2 = 1 - std::pow(s.beta2, double(steps_));
  const double step_size = s.lr / bc1, decay = 1 - s.lr * s.weight_decay, root_bc2 = std::sqrt(bc2);
  for (size_t i = 0; i < params_.size(); ++i) {
    auto& p = params_[i];
    const auto& g = p.grad();
    if (!g.defined()) continue;
    auto& m = exp_avg_[i];
    auto& v = exp_avg_sq_[i];
    if (p.is_cpu() && p.scalar_type() == torch::kFloat32 && p.is_contiguous() && g.is_contiguous()) {
      const kernels::AdamWStep k{float(s.beta1), float(s.beta2),     float(s.eps),
                                 float(decay),   float(step_size), float(root_bc2)};
      kernels::adamw_update(k, g.data_ptr<float>(), p.data_ptr<float>(), m.data_ptr<float>(), v.data_ptr<float>(),
                            p.numel());
    } else {
      p.mul_(decay);
      m.mul_(s.beta1).add_(g, 1 - s.beta1);
      v.mul_(s.beta2).addcmul_(g, g, 1 - s.beta2);
      p.addcdiv_(m, v.sqrt().div_(root_bc2).add_(s.eps), -step_size);
    }
  }
}

}  // namespace modspec

#include "train/adamw.hpp"

#include <cmath>

namespace modspec {

FusedAdamW::FusedAdamW(std::vector<torch::Tensor> params, AdamWSettings settings)
    : params_(std::move(params)), settings_(settings) {
  for (const auto& p : params_) {
    exp_avg_.push_back(torch::zeros_like(p));
    exp_avg_sq_.push_back(torch::zeros_like(p));
  }
}

void FusedAdamW::zero_grad() {
  for (auto& p : params_)
    if (p.grad().defined()) p.mutable_grad().zero_();
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
      float* pp = p.data_ptr<float>();
      const float* gp = g.data_ptr<float>();
      float* mp = m.data_ptr<float>();
      float* vp = v.data_ptr<float>();
      const float b1 = float(s.beta1), b2 = float(s.beta2), eps = float(s.eps);
      const float fdecay = float(decay), fstep = float(step_size), froot = float(root_bc2);
      const int64_t n = p.numel();
      for (int64_t j = 0; j < n; ++j) {
        const float gj = gp[j];
        const float mj = b1 * mp[j] + (1 - b1) * gj;
        const float vj = b2 * vp[j] + (1 - b2) * gj * gj;
        mp[j] = mj;
        vp[j] = vj;
        pp[j] = pp[j] * fdecay - fstep * mj / (std::sqrt(vj) / froot + eps);
      }
    } else {
      p.mul_(decay);
      m.mul_(s.beta1).add_(g, 1 - s.beta1);
      v.mul_(s.beta2).addcmul_(g, g, 1 - s.beta2);
      p.addcdiv_(m, v.sqrt().div_(root_bc2).add_(s.eps), -step_size);
    }
  }
}

}  // namespace modspec

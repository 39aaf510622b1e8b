#include "metrics/readout_stack.hpp"

#include <ATen/CPUGeneratorImpl.h>
#include <cmath>

namespace modspec {

ReadoutStack::ReadoutStack(int64_t R, int64_t d, int64_t C, const ReadoutSettings& s) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(s.seed);
  auto uniform = [&](torch::IntArrayRef shape, double bound) {
    return (torch::rand(shape, gen) * (2 * bound) - bound).requires_grad_();
  };
  const double a1 = 1.0 / std::sqrt(double(d)), a2 = 1.0 / std::sqrt(double(s.hidden));
  w1_ = uniform({R, d, s.hidden}, a1);
  b1_ = uniform({R, 1, s.hidden}, a1);
  w2_ = uniform({R, s.hidden, C}, a2);
  b2_ = uniform({R, 1, C}, a2);
}

torch::Tensor ReadoutStack::forward(const torch::Tensor& x) const {
  return torch::baddbmm(b2_, torch::relu(torch::baddbmm(b1_, x, w1_)), w2_);
}

torch::Tensor ReadoutStack::correct(const torch::Tensor& x, const torch::Tensor& y) const {
  torch::NoGradGuard no_grad;
  return forward(x).argmax(2).eq(y).to(torch::kFloat64);
}

}  // namespace modspec

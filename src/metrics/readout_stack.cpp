#include "metrics/readout_stack.hpp"

#include <ATen/CPUGeneratorImpl.h>
#include <cmath>

namespace modspec {

ReadoutStack::ReadoutStack(int64_t R, int64_t d, int64_t C, const ReadoutSettings& s)
    : ReadoutStack(R, std::vector<uint64_t>{s.seed}, d, C, s) {}

ReadoutStack::ReadoutStack(int64_t R, const std::vector<uint64_t>& blocks, int64_t d, int64_t C,
                           const ReadoutSettings& s) {
  std::vector<torch::Tensor> w1, b1, w2, b2;
  const double a1 = 1.0 / std::sqrt(double(d)), a2 = 1.0 / std::sqrt(double(s.hidden));
  for (uint64_t seed : blocks) {
    auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
    auto uniform = [&](torch::IntArrayRef shape, double bound) { return torch::rand(shape, gen) * (2 * bound) - bound; };
    w1.push_back(uniform({R, d, s.hidden}, a1));
    b1.push_back(uniform({R, 1, s.hidden}, a1));
    w2.push_back(uniform({R, s.hidden, C}, a2));
    b2.push_back(uniform({R, 1, C}, a2));
  }
  w1_ = torch::cat(w1).requires_grad_();
  b1_ = torch::cat(b1).requires_grad_();
  w2_ = torch::cat(w2).requires_grad_();
  b2_ = torch::cat(b2).requires_grad_();
}

torch::Tensor ReadoutStack::forward(const torch::Tensor& x) const {
  return torch::baddbmm(b2_, torch::relu(torch::baddbmm(b1_, x, w1_)), w2_);
}

torch::Tensor ReadoutStack::forward(const torch::Tensor& x, int64_t first, int64_t count) const {
  auto block = [&](const torch::Tensor& p) { return p.narrow(0, first, count); };
  return torch::baddbmm(block(b2_), torch::relu(torch::baddbmm(block(b1_), x, block(w1_))), block(w2_));
}

torch::Tensor ReadoutStack::correct(const torch::Tensor& x, const torch::Tensor& y, int64_t first, int64_t count) const {
  torch::NoGradGuard no_grad;
  return forward(x, first, count).argmax(2).eq(y).to(torch::kFloat64);
}

}  // namespace modspec

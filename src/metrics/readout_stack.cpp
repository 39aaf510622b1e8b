#include "metrics/readout_stack.hpp"

#include <ATen/CPUGeneratorImpl.h>
#include <cmath>
#include <memory>

#include "runtime/mlp_kernels.hpp"
#include "util/error.hpp"

namespace modspec {

namespace {

// The first layers of R = G*Q readouts, drawn [R, d, h] / [R, 1, h], side by side per input:
// [G, d, Q*h] / [G, Q*h].
torch::Tensor side_by_side(const torch::Tensor& w, int64_t G, int64_t Q) {
  const int64_t d = w.size(1), h = w.size(2);
  return w.view({G, Q, d, h}).permute({0, 2, 1, 3}).reshape({G, d, Q * h});
}

}  // namespace

ReadoutStack::ReadoutStack(int64_t G, int64_t Q, const std::vector<uint64_t>& blocks, int64_t d, int64_t C,
                           const ReadoutSettings& s)
    : L_(int64_t(blocks.size())), G_(G), Q_(Q), d_(d), h_(s.hidden), C_(C) {
  std::vector<torch::Tensor> w1, b1, w2, b2;
  const int64_t R = G * Q;
  const double a1 = 1.0 / std::sqrt(double(d)), a2 = 1.0 / std::sqrt(double(s.hidden));
  for (uint64_t seed : blocks) {
    auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
    auto uniform = [&](torch::IntArrayRef shape, double bound) { return torch::rand(shape, gen) * (2 * bound) - bound; };
    w1.push_back(side_by_side(uniform({R, d, s.hidden}, a1), G, Q));
    b1.push_back(side_by_side(uniform({R, 1, s.hidden}, a1), G, Q).view({G, Q * s.hidden}));
    w2.push_back(uniform({R, s.hidden, C}, a2));
    b2.push_back(uniform({R, 1, C}, a2).view({R, C}));
  }
  w1_ = torch::cat(w1).contiguous();
  b1_ = torch::cat(b1).contiguous();
  w2_ = torch::cat(w2).contiguous();
  b2_ = torch::cat(b2).contiguous();
  // The kernels write the gradients in place; the optimizer reads them as the parameters' grad.
  for (auto* p : {&w1_, &b1_, &w2_, &b2_}) p->requires_grad_().mutable_grad() = torch::zeros_like(*p);
  opt_ = std::make_unique<FusedAdamW>(std::vector<torch::Tensor>{w1_, b1_, w2_, b2_}, AdamWSettings{s.lr, 0.0});
}

// x [G, N, d] -> each input's rows in the kernels' lanes, [G, d, lanes_of(N)], in a buffer kept
// from step to step.
const float* ReadoutStack::in_lanes(const torch::Tensor& x) const {
  const int64_t N = x.size(1), lanes = d_ * kernels::lanes_of(N);
  if (lanes_.size() < size_t(G_ * lanes)) lanes_.resize(size_t(G_ * lanes));
  for (int64_t g = 0; g < G_; ++g)
    kernels::mlp_rows_to_lanes(x.data_ptr<float>() + g * N * d_, N, d_, lanes_.data() + g * lanes);
  return lanes_.data();
}

void ReadoutStack::train_step(const torch::Tensor& x_in, const torch::Tensor& y) {
  const auto x = x_in.to(torch::kFloat32).contiguous();
  if (x.size(0) != G_ || x.size(2) != d_) throw Error("readout stack: inputs of the wrong shape");
  // Every label set reads the same inputs: they are put in lanes once per step.
  train_step_lanes(in_lanes(x), x.size(1), y);
}

void ReadoutStack::train_step_lanes(const float* xt, int64_t N, const torch::Tensor& y_in) {
  const auto y = y_in.to(torch::kInt64).contiguous();
  if (y.size(0) != L_ || y.size(1) != Q_ || y.size(2) != N) throw Error("readout stack: labels of the wrong shape");
  const kernels::MlpShape shape{N, d_, Q_, h_, C_};
  const int64_t lanes = d_ * kernels::lanes_of(N);
  for (int64_t c = 0; c < L_; ++c)
    for (int64_t g = 0; g < G_; ++g) {
      const int64_t i = c * G_ + g;
      kernels::mlp_loss_and_gradients(shape, xt + g * lanes, y.data_ptr<int64_t>() + c * Q_ * N, block(w1_, i),
                                      block(b1_, i), block(w2_, i), block(b2_, i), block(w1_.grad(), i),
                                      block(b1_.grad(), i), block(w2_.grad(), i), block(b2_.grad(), i));
    }
  opt_->step();
}

torch::Tensor ReadoutStack::predict(const torch::Tensor& x_in, int64_t ablated_blocks) const {
  const auto x = x_in.to(torch::kFloat32).contiguous();
  if (x.size(0) != G_ || x.size(2) != d_) throw Error("readout stack: inputs of the wrong shape");
  return predict_lanes(in_lanes(x), x.size(1), ablated_blocks);
}

torch::Tensor ReadoutStack::predict_lanes(const float* xt, int64_t N, int64_t ablated_blocks) const {
  const int64_t M = ablated_blocks, V = M > 0 ? 1 + M : 1;
  if (M < 0 || (M > 0 && d_ % M != 0))
    throw Error("readout stack: " + std::to_string(d_) + " inputs do not split into " + std::to_string(M) + " blocks");
  auto classes = torch::empty({L_, G_, V, Q_, N}, torch::kInt64);
  const kernels::MlpShape shape{N, d_, Q_, h_, C_};
  const int64_t lanes = d_ * kernels::lanes_of(N);
  for (int64_t c = 0; c < L_; ++c)
    for (int64_t g = 0; g < G_; ++g) {
      const int64_t i = c * G_ + g;
      int64_t* out = classes.data_ptr<int64_t>() + i * V * Q_ * N;
      if (M > 0)
        kernels::mlp_predict_ablated(shape, M, xt + g * lanes, block(w1_, i), block(b1_, i), block(w2_, i),
                                     block(b2_, i), out);
      else
        kernels::mlp_predict(shape, xt + g * lanes, block(w1_, i), block(b1_, i), block(w2_, i), block(b2_, i),
                             out);
    }
  // [L, G, V, Q, N] -> [V, L, G, Q, N]
  return M > 0 ? classes.permute({2, 0, 1, 3, 4}).contiguous() : classes.squeeze(2);
}

}  // namespace modspec

#include "model/input_projection.hpp"

#include "runtime/foreground_kernels.hpp"
#include "util/error.hpp"

namespace modspec {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// The foreground product as one autograd node, per block m (runtime/foreground_kernels.hpp):
//   forward   u[m]  = w[m] x[m]^T   [R, rows]
//   backward  gw[m] = g[m] x[m]     [R, P]
// both computed as background terms (row sums) plus products over the pixels off the background.
// Saved for backward: x (w is not needed: the product is linear in it). Checked against bmm with
// autograd and against central finite differences in double (tests/test_input_projection.cpp).
struct ForegroundProjection : torch::autograd::Function<ForegroundProjection> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& w_in, const torch::Tensor& x,
                               double background) {
    const auto w = w_in.contiguous();
    const int64_t M = w.size(0), R = w.size(1), rows = x.size(1), P = x.size(2);
    auto u = torch::empty({M, R, rows});
    for (int64_t m = 0; m < M; ++m)
      kernels::project_foreground(x[m].data_ptr<float>(), rows, P, float(background), w[m].data_ptr<float>(), R,
                                  u[m].data_ptr<float>());
    ctx->save_for_backward({x});
    ctx->saved_data["background"] = background;
    return u;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto x = ctx->get_saved_variables()[0];
    const double background = ctx->saved_data["background"].toDouble();
    const auto g = grads[0].contiguous();  // [M, R, rows]
    const int64_t M = g.size(0), R = g.size(1), rows = x.size(1), P = x.size(2);
    auto gw = torch::empty({M, R, P});
    for (int64_t m = 0; m < M; ++m)
      kernels::project_foreground_backward(x[m].data_ptr<float>(), rows, P, float(background), g[m].data_ptr<float>(),
                                           R, gw[m].data_ptr<float>());
    return {gw, torch::Tensor(), torch::Tensor()};
  }
};

// Whether x is a float CPU batch with few enough pixels off the background for the fused node.
bool mostly_background(const torch::Tensor& x, float background) {
  if (!x.device().is_cpu() || x.scalar_type() != torch::kFloat32) return false;
  const int64_t off = kernels::count_off_background(x.data_ptr<float>(), x.numel(), background);
  return double(off) <= kernels::kForegroundMaxDensity * double(x.numel());
}

}  // namespace

torch::Tensor project_pixels(const torch::Tensor& w, const torch::Tensor& x, float background) {
  const auto xc = x.contiguous();
  if (w.scalar_type() == torch::kFloat32 && w.size(1) >= kForegroundMinOutputs && mostly_background(xc, background))
    return ForegroundProjection::apply(w, xc, double(background));
  return torch::bmm(w, xc.transpose(1, 2));
}

torch::Tensor project_pixel_rows(const torch::Tensor& w_in, const ForegroundBatch& x, bool shared) {
  if (torch::GradMode::is_enabled() && w_in.requires_grad())
    throw Error("input projection: tuples given by their pixels off the background take no gradient");
  if (!w_in.device().is_cpu() || w_in.scalar_type() != torch::kFloat32)
    throw Error("input projection: tuples given by their pixels off the background need float weights on the CPU");
  const auto w = w_in.contiguous();
  const int64_t M = w.size(0), R = w.size(1), L = w.size(2);
  if (L != (shared ? x.S * x.P : x.P) || (!shared && M != x.S))
    throw Error("input projection: weights " + c10::str(w.sizes()) + " do not fit tuples of " + std::to_string(x.S) +
                " stimuli of " + std::to_string(x.P) + " pixels");
  auto u = torch::empty({M, R, x.B});
  if (shared) {
    kernels::project_pixel_rows(x.rows.data(), x.B, x.S, x.P, x.scale, kPixelBackground, w.data_ptr<float>(), R,
                                u.data_ptr<float>());
    return u;
  }
  std::vector<kernels::PixelRow> block(static_cast<size_t>(x.B));  // [B, 1]: stimulus m of each tuple
  for (int64_t m = 0; m < M; ++m) {
    for (int64_t b = 0; b < x.B; ++b) block[size_t(b)] = x.rows[size_t(b * x.S + m)];
    kernels::project_pixel_rows(block.data(), x.B, 1, x.P, x.scale, kPixelBackground, w[m].data_ptr<float>(), R,
                                u[m].data_ptr<float>());
  }
  return u;
}

}  // namespace modspec

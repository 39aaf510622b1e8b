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

// The shape of a block's rows: B tuples of `per_tuple` images of P pixels each.
struct PixelRowsShape {
  int64_t B, per_tuple, P;
};

// Rows of every block, [M, B, per_tuple], as the bytes of their PixelRows: kept by the node for its
// backward (a PixelRow points into the environment's index, which outlives the step).
const kernels::PixelRow* rows_of(const torch::Tensor& blob) {
  return reinterpret_cast<const kernels::PixelRow*>(blob.data_ptr<uint8_t>());
}

// The projection of tuples given by their index rows as one autograd node, per block m
// (runtime/foreground_kernels.hpp, project_pixel_rows):
//   forward   u[m]  = w[m] x_m^T   [R, B]
//   backward  gw[m] = g[m] x_m     [R, L]
// with x_m the block's pixels, background + scale * byte off the index's entries. Checked against
// bmm on the same pixels with autograd and against central differences in double
// (tests/test_pixel_index.cpp).
struct PixelRowsProjection : torch::autograd::Function<PixelRowsProjection> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& w_in, const torch::Tensor& blob,
                               PixelRowsShape shape, double scale) {
    const auto w = w_in.contiguous();
    const int64_t M = w.size(0), R = w.size(1), block = shape.B * shape.per_tuple;
    auto u = torch::empty({M, R, shape.B});
    for (int64_t m = 0; m < M; ++m)
      kernels::project_pixel_rows(rows_of(blob) + m * block, shape.B, shape.per_tuple, shape.P, float(scale),
                                  kPixelBackground, w[m].data_ptr<float>(), R, u[m].data_ptr<float>());
    ctx->saved_data["rows"] = blob;
    ctx->saved_data["shape"] = std::vector<int64_t>{shape.B, shape.per_tuple, shape.P, w.size(2)};
    ctx->saved_data["scale"] = scale;
    return u;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto blob = ctx->saved_data["rows"].toTensor();
    const auto shape = ctx->saved_data["shape"].toIntVector();  // B, per_tuple, P, L
    const float scale = float(ctx->saved_data["scale"].toDouble());
    const auto g = grads[0].contiguous();  // [M, R, B]
    const int64_t M = g.size(0), R = g.size(1), B = shape[0], block = B * shape[1];
    auto gw = torch::empty({M, R, shape[3]});
    for (int64_t m = 0; m < M; ++m)
      kernels::project_pixel_rows_backward(rows_of(blob) + m * block, B, shape[1], shape[2], scale, kPixelBackground,
                                           g[m].data_ptr<float>(), R, gw[m].data_ptr<float>());
    return {gw, torch::Tensor(), torch::Tensor(), torch::Tensor()};
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
  if (!w_in.device().is_cpu() || w_in.scalar_type() != torch::kFloat32)
    throw Error("input projection: tuples given by their pixels off the background need float weights on the CPU");
  const int64_t M = w_in.size(0), L = w_in.size(2), per_tuple = shared ? x.S : 1;
  if (L != per_tuple * x.P || (!shared && M != x.S))
    throw Error("input projection: weights " + c10::str(w_in.sizes()) + " do not fit tuples of " +
                std::to_string(x.S) + " stimuli of " + std::to_string(x.P) + " pixels");
  // Block m's rows [B, per_tuple]: every stimulus of each tuple (shared), or stimulus m alone.
  auto blob = torch::empty({M * x.B * per_tuple * int64_t(sizeof(kernels::PixelRow))}, torch::kUInt8);
  auto* rows = reinterpret_cast<kernels::PixelRow*>(blob.data_ptr<uint8_t>());
  for (int64_t m = 0; m < M; ++m)
    for (int64_t b = 0; b < x.B; ++b)
      for (int64_t s = 0; s < per_tuple; ++s) *rows++ = x.rows[size_t(b * x.S + (shared ? s : m))];
  return PixelRowsProjection::apply(w_in, blob, PixelRowsShape{x.B, per_tuple, x.P}, double(x.scale));
}

}  // namespace modspec

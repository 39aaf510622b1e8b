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

// A noisy presentation's tuples, given by their pixels off the background (ForegroundNoise), kept
// alive by the node below for its backward: the PixelRows point into the environment's index, which
// outlives the step, and the noise is shared with the batch it came from.
struct NoisyRows : torch::CustomClassHolder {
  std::vector<kernels::PixelRow> rows;  // [B, S] the stimuli themselves
  std::shared_ptr<const ForegroundNoise> noise;
  int64_t B = 0, S = 0, P = 0;
  float scale = 0;
  bool shared = false;  // one block sees every stimulus (its columns s P .. (s + 1) P); else block m sees stimulus m
  // The noise's source rows turned around by pixel (kernels::pixel_columns), one stimulus after
  // another: stimulus s's pixel p has entries [start[s (P + 1) + p], start[s (P + 1) + p + 1]) of
  // source (the row) and value (its byte); the first `turned` stimuli are done. Turned around in
  // the forward, after the stimuli's own projection has read the rows (when they are the batch's
  // own): done first, in the environment, it fetched them from the index, and a single network's
  // noisy epoch ran 1.03x slower.
  std::vector<int64_t> start;  // [S, P + 1]
  std::vector<int32_t> source;
  std::vector<uint8_t> value;
  int64_t turned = 0;
};

// Stimulus s's rows of the stimuli themselves, [B].
std::vector<kernels::PixelRow> stimulus_rows(const NoisyRows& x, int64_t s) {
  std::vector<kernels::PixelRow> out;
  for (int64_t b = 0; b < x.B; ++b) out.push_back(x.rows[size_t(b * x.S + s)]);
  return out;
}

// Stimuli 0 .. s of the noise's source rows turned around (NoisyRows::start), each once.
void turn_around_sources(NoisyRows& x, int64_t s) {
  const ForegroundNoise& noise = *x.noise;
  if (x.turned == 0) {
    int64_t entries = 0;
    for (const kernels::PixelRow& row : noise.source_rows) entries += row.count;
    x.start.assign(size_t(x.S * (x.P + 1)), 0);
    x.source.clear();
    x.value.clear();
    x.source.reserve(size_t(entries));
    x.value.reserve(size_t(entries));
  }
  for (; x.turned <= s; ++x.turned)
    kernels::pixel_columns(noise.source_rows.data() + x.turned, x.B, x.S, x.P, x.start.data() + x.turned * (x.P + 1),
                           x.source, x.value);
}

// Stimulus s's kept noise for the kernels, its source rows turned around.
kernels::BorrowedPixels borrowed(const NoisyRows& x, int64_t s) {
  return x.noise->borrowed(s, x.start.data() + s * (x.P + 1), x.source.data(), x.value.data());
}

// The projection of a noisy presentation as one autograd node. Per block m and stimulus s it sees
// (w_s [R, P] its columns; per tuple b and step t: self = 1 - r, other = r / k, kept_t the count of
// borrowed samples keeping each pixel, environment.hpp's ForegroundNoise):
//   forward   u[m][:, t B + b] += self  * (w_s x_b)                                  (x_b: B rows, once)
//                               + other * (w_s n_tb + background * w_s kept_t)       (n_tb: T B rows)
//   backward  gw_s = (sum_t self g_t) x + (other g) n + background * sum_t (sum_b other g_tb) kept_t^T
// where x and n are the stimuli's and the kept noise's pixels off the background (bytes times
// scale; x's background term is project_pixel_rows'). The stimulus itself is projected once for
// all T steps, the noise over its kept entries only: about one image's worth per step instead of
// the T dense products of the batch of pixels. The parts are mixed, and the gradient split, by
// kernels (runtime/foreground_kernels.hpp) rather than LibTorch operators: a single network's noisy
// epoch ran 1.025x faster without the operators' overhead. Checked against bmm on the same pixels with
// autograd and against central differences in double (tests/test_pixel_index.cpp).
struct NoisyPixelRowsProjection : torch::autograd::Function<NoisyPixelRowsProjection> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& w_in, c10::intrusive_ptr<NoisyRows> x) {
    const auto w = w_in.contiguous();
    const ForegroundNoise& noise = *x->noise;
    const int64_t M = w.size(0), R = w.size(1), L = w.size(2), B = x->B, P = x->P, T = noise.T;
    auto u = torch::empty({M, R, T * B});
    // Scratch kept by the thread from step to step (fresh vectors cost an allocation and a fill
    // each): ws [R, P], self_u [R, B], noise_u [R, T B].
    thread_local std::vector<float> ws, self_u, noise_u;
    ws.resize(size_t(R * P));
    self_u.resize(size_t(R * B));
    noise_u.resize(size_t(R * T * B));
    for (int64_t m = 0; m < M; ++m)
      for (int64_t s = x->shared ? 0 : m; s < (x->shared ? x->S : m + 1); ++s) {
        // w_s [R, P]: the block's columns that see stimulus s.
        const int64_t column0 = x->shared ? s * P : 0;
        for (int64_t j = 0; j < R; ++j)
          std::copy_n(w.data_ptr<float>() + (m * R + j) * L + column0, P, ws.data() + j * P);
        kernels::project_pixel_rows(stimulus_rows(*x, s).data(), B, 1, P, x->scale, kPixelBackground, ws.data(), R,
                                    self_u.data());
        turn_around_sources(*x, s);
        kernels::project_borrowed_pixels(borrowed(*x, s), x->scale, ws.data(), R, noise_u.data());
        kernels::mix_noisy_drive(R, T, B, P, noise.self.data() + s * T * B, noise.other.data() + s * T * B,
                                 self_u.data(), noise_u.data(), ws.data(), noise.kept.data() + s * T * P,
                                 kPixelBackground, /*accumulate=*/x->shared && s > 0, u[m].data_ptr<float>());
      }
    ctx->saved_data["rows"] = c10::IValue::make_capsule(std::move(x));
    ctx->saved_data["columns"] = L;
    return u;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto capsule = ctx->saved_data["rows"].toCapsule();
    const NoisyRows& x = *static_cast<NoisyRows*>(capsule.get());
    const ForegroundNoise& noise = *x.noise;
    const auto g = grads[0].contiguous();  // [M, R, T*B]
    const int64_t M = g.size(0), R = g.size(1), L = ctx->saved_data["columns"].toInt(), B = x.B, P = x.P, T = noise.T;
    auto gw = torch::empty({M, R, L});
    // Scratch, as the forward's: self_g [R, B], noise_g [R, T B], kept_g [R, T], self_gw and noise_gw [R, P].
    thread_local std::vector<float> self_g, noise_g, kept_g, self_gw, noise_gw;
    self_g.resize(size_t(R * B));
    noise_g.resize(size_t(R * T * B));
    kept_g.resize(size_t(R * T));
    self_gw.resize(size_t(R * P));
    noise_gw.resize(size_t(R * P));
    for (int64_t m = 0; m < M; ++m)
      for (int64_t s = x.shared ? 0 : m; s < (x.shared ? x.S : m + 1); ++s) {
        kernels::split_noisy_drive_gradient(R, T, B, noise.self.data() + s * T * B, noise.other.data() + s * T * B,
                                            g.data_ptr<float>() + m * R * T * B, kPixelBackground, self_g.data(),
                                            noise_g.data(), kept_g.data());
        // The stimuli's own part; their rows are already turned around when they lend the noise.
        if (noise.source_is_batch)
          kernels::project_pixel_columns_backward(x.start.data() + s * (P + 1), x.source.data(), x.value.data(), P, B,
                                                  x.scale, kPixelBackground, self_g.data(), R, self_gw.data());
        else
          kernels::project_pixel_rows_backward(stimulus_rows(x, s).data(), B, 1, P, x.scale, kPixelBackground,
                                               self_g.data(), R, self_gw.data());
        kernels::project_borrowed_pixels_backward(borrowed(x, s), x.scale, noise_g.data(), R, noise_gw.data());
        // gw_s: block m's columns that see stimulus s.
        kernels::sum_noisy_weight_gradient(R, T, P, self_gw.data(), noise_gw.data(), kept_g.data(),
                                           noise.kept.data() + s * T * P,
                                           gw[m].data_ptr<float>() + (x.shared ? s * P : 0), L);
      }
    return {gw, torch::Tensor()};
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
  if (x.noise) {
    auto rows = c10::make_intrusive<NoisyRows>();
    rows->rows = x.rows;
    rows->noise = x.noise;
    rows->B = x.B;
    rows->S = x.S;
    rows->P = x.P;
    rows->scale = x.scale;
    rows->shared = shared;
    return NoisyPixelRowsProjection::apply(w_in, std::move(rows));
  }
  // Block m's rows [B, per_tuple]: every stimulus of each tuple (shared), or stimulus m alone.
  auto blob = torch::empty({M * x.B * per_tuple * int64_t(sizeof(kernels::PixelRow))}, torch::kUInt8);
  auto* rows = reinterpret_cast<kernels::PixelRow*>(blob.data_ptr<uint8_t>());
  for (int64_t m = 0; m < M; ++m)
    for (int64_t b = 0; b < x.B; ++b)
      for (int64_t s = 0; s < per_tuple; ++s) *rows++ = x.rows[size_t(b * x.S + (shared ? s : m))];
  return PixelRowsProjection::apply(w_in, blob, PixelRowsShape{x.B, per_tuple, x.P}, double(x.scale));
}

}  // namespace modspec

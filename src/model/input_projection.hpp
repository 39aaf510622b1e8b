// The product of a stack's input weights with a batch of pixels, over the pixels off the
// background only when few are (docs/ARCHITECTURE.md, performance principle 7; the math is in
// runtime/foreground_kernels.hpp).
#pragma once
#include <torch/torch.h>

#include "env/environment.hpp"
#include "runtime/foreground_kernels.hpp"

namespace modspec {

// The foreground product of a batch pays when at most kForegroundMaxDensity of its pixels are off
// the background (runtime/foreground_kernels.hpp), and when a block has at least this many outputs
// (K networks x n units), so that finding the pixels to keep, once per batch, serves enough
// multiply-adds (bench/projection_kernel.cpp: 0.6x the plain product at K n = 10, 0.8x at 25,
// 1.0-1.2x at 80 to 100, 1.2-1.6x at 200 to 800; a whole training step at K n = 80 ran 8% slower
// with it, at 200 to 800 5-25% faster).
inline constexpr int64_t kForegroundMinOutputs = 128;

// Per block m: u[m] = w[m] x[m]^T, for w [M, R, P] and x [M, rows, P]; returns [M, R, rows], with
// a gradient to w only (x is data). A float32 CPU batch of R >= kForegroundMinOutputs whose pixels
// differ from `background` in at most kForegroundMaxDensity of the places is multiplied over those
// pixels (a fused node whose backward is written by hand); any other input by bmm. Both give the
// same numbers to float rounding.
torch::Tensor project_pixels(const torch::Tensor& w, const torch::Tensor& x, float background);

// The same product for tuples given by their pixels off the background (a ForegroundBatch), w
// float32 on the CPU: shared, one block [1, R, S*P] that sees every stimulus; else block m
// [R, P] sees stimulus m only (M = S). Returns [M, R, T*B] (T = x.steps(), column t*B + b), with a
// gradient to w (a fused node whose backward is written by hand). A noisy presentation's noise is
// multiplied over the pixels its borrowed samples keep off the background, the stimuli themselves
// once for all steps.
torch::Tensor project_pixel_rows(const torch::Tensor& w, const ForegroundBatch& x, bool shared);

}  // namespace modspec
